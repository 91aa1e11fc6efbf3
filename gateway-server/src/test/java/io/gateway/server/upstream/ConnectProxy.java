package io.gateway.server.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP forward proxy on loopback, for tests: {@code CONNECT host:port} opens a tunnel (bytes
 * relayed both ways until either side closes), and an absolute-form request ({@code GET http://host/…})
 * is forwarded to its target in origin form over a kept-alive connection, its answer relayed as its
 * framing ({@code Content-Length}, chunked, or the connection's end) delimits it. It can require {@code Proxy-Authorization: Basic} credentials
 * (407 otherwise). It records what it saw. Thread-safe; one virtual thread per connection and per
 * relay direction; {@link #close()} stops it.
 */
public final class ConnectProxy implements AutoCloseable {

    /** What the proxy received: the request line and the {@code Proxy-Authorization} value (or null). */
    public record Seen(String requestLine, String proxyAuthorization) {
    }

    private final ServerSocket server;
    private final String requiredAuthorization;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private ConnectProxy(String user, String password) throws IOException {
        this.requiredAuthorization = user == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    /**
     * A proxy that lets everyone through.
     *
     * @return the running proxy
     * @throws IOException if it cannot listen
     */
    public static ConnectProxy start() throws IOException {
        return new ConnectProxy(null, null);
    }

    /**
     * A proxy that answers 407 unless the client sends these credentials.
     *
     * @param user     the user
     * @param password the password
     * @return the running proxy
     * @throws IOException if it cannot listen
     */
    public static ConnectProxy requiring(String user, String password) throws IOException {
        return new ConnectProxy(user, password);
    }

    /**
     * The port it listens on (127.0.0.1).
     *
     * @return the port
     */
    public int port() {
        return server.getLocalPort();
    }

    /**
     * Everything it received so far, in order.
     *
     * @return the requests
     */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        Socket target = null;
        String targetAuthority = null;
        try {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                List<String> head = readHead(in);
                if (head == null) {
                    break;
                }
                String requestLine = head.get(0);
                String authorization = header(head, "proxy-authorization");
                seen.add(new Seen(requestLine, authorization));
                if (requiredAuthorization != null && !requiredAuthorization.equals(authorization)) {
                    out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                            + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    break;
                }
                String[] parts = requestLine.split(" ");
                if (parts[0].equals("CONNECT")) {
                    int colon = parts[1].lastIndexOf(':');
                    String host = parts[1].substring(0, colon).replace("[", "").replace("]", "");
                    Socket tunnel = new Socket(host, Integer.parseInt(parts[1].substring(colon + 1)));
                    open.add(tunnel);
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    relay(client, tunnel);
                    return;
                }
                // absolute form: forward in origin form over a kept-alive connection to the target
                URI uri = URI.create(parts[1]);
                String authority = uri.getHost() + ":" + (uri.getPort() < 0 ? 80 : uri.getPort());
                if (target == null || !authority.equals(targetAuthority)) {
                    if (target != null) {
                        target.close();
                    }
                    target = new Socket(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
                    open.add(target);
                    targetAuthority = authority;
                }
                StringBuilder forwarded = new StringBuilder();
                String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                forwarded.append(parts[0]).append(' ').append(path).append(' ').append(parts[2]).append("\r\n");
                for (String line : head.subList(1, head.size())) {
                    String name = line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT);
                    if (!name.equals("proxy-authorization") && !name.equals("proxy-connection")) {
                        forwarded.append(line).append("\r\n");
                    }
                }
                forwarded.append("\r\n");
                OutputStream toTarget = target.getOutputStream();
                toTarget.write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
                String length = header(head, "content-length");
                toTarget.write(in.readNBytes(length == null ? 0 : Integer.parseInt(length)));
                toTarget.flush();
                if (!relayAnswer(target.getInputStream(), out)) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // one side went away
        } finally {
            try {
                client.close();
                if (target != null) {
                    target.close();
                }
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** Copies one answer (head and body as its framing delimits it); false when it ends with the connection. */
    private static boolean relayAnswer(InputStream from, OutputStream to) throws IOException {
        List<String> head = readHead(from);
        if (head == null) {
            return false;
        }
        to.write((String.join("\r\n", head) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        String length = header(head, "content-length");
        String encoding = header(head, "transfer-encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String size = readLine(from);
                to.write((size + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    String trailer;
                    do {
                        trailer = readLine(from);
                        to.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    } while (!trailer.isEmpty());
                    break;
                }
                to.write(from.readNBytes(n + 2));
                to.flush();
            }
        } else if (length != null) {
            to.write(from.readNBytes(Integer.parseInt(length)));
        } else {
            from.transferTo(to);
            to.flush();
            return false;
        }
        to.flush();
        return true;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new java.io.EOFException();
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /** Relays bytes both ways until either side ends, then closes both. */
    private static void relay(Socket a, Socket b) {
        Thread.ofVirtual().start(() -> pipe(b, a));
        pipe(a, b);
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException ignored) {
            // one side went away
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** The request line and header lines, up to the blank line; null at EOF before any byte. */
    private static List<String> readHead(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int last = 0;
        while (last != 0x0d0a0d0a) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            bytes.write(b);
            last = (last << 8) | b;
        }
        List<String> lines = new ArrayList<>(List.of(bytes.toString(StandardCharsets.ISO_8859_1).split("\r\n")));
        lines.removeIf(String::isEmpty);
        return lines;
    }

    private static String header(List<String> head, String name) {
        for (String line : head.subList(1, head.size())) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
