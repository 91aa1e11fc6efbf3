import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The floor of the JVM's thread model on the benchmark machine: the least a JDK HTTP/1.1 proxy with
 * one virtual thread per connection and blocking sockets does per request, with no HTTP framework
 * and no gateway logic. The gateway's server (Helidon 4) uses the same model, so the difference
 * between this hop and the gateway is what the server and the gateway add; the difference between
 * this hop and nginx {@code proxy_pass} is what the thread model costs on this machine.
 *
 * <p>Each client connection gets its own keep-alive upstream connection. Requests and responses
 * are relayed byte for byte, framed by {@code Content-Length} only (what {@code bench/run-e2e.sh}
 * sends and its nginx upstream answers); anything else closes the connection. Not for any other use.
 *
 * <pre>java -Djdk.pollerMode=1 bench/floor/VirtualThreadProxy.java LISTEN_PORT UPSTREAM_PORT [platform]</pre>
 *
 * <p>With {@code platform}, each connection gets a platform thread instead, for comparing the two
 * thread models on a machine (docs/performance.md, finding 17); the benchmark uses virtual threads.
 */
public final class VirtualThreadProxy {

    private static final byte[] CONTENT_LENGTH = "\r\ncontent-length:".getBytes(StandardCharsets.ISO_8859_1);

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        Thread.Builder threads = args.length > 2 && args[2].equals("platform") ? Thread.ofPlatform() : Thread.ofVirtual();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(port, 4096, loopback)) {
            while (true) {
                Socket client = server.accept();
                threads.start(() -> relay(client, new InetSocketAddress(loopback, upstreamPort)));
            }
        }
    }

    private static void relay(Socket client, InetSocketAddress upstreamAddress) {
        try (client; Socket upstream = new Socket()) {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(upstreamAddress);
            Message request = new Message(client.getInputStream());
            Message response = new Message(upstream.getInputStream());
            OutputStream toUpstream = upstream.getOutputStream();
            OutputStream toClient = client.getOutputStream();
            while (request.read()) {
                request.writeTo(toUpstream);
                if (!response.read()) {
                    return;
                }
                response.writeTo(toClient);
            }
        } catch (IOException | RuntimeException e) {
            // the connection ends; the load generator counts the failure if it was one
        }
    }

    /** One HTTP/1.1 message at a time from a stream: head and Content-Length body in one array. */
    private static final class Message {
        private final InputStream in;
        private byte[] buffer = new byte[16 * 1024];
        private int end;     // end of the current message once read; it starts at 0
        private int filled;  // bytes in the buffer

        Message(InputStream in) {
            this.in = in;
        }

        /** Reads the next message; false at the end of the stream or on framing it does not handle. */
        boolean read() throws IOException {
            // keep bytes of the next message that arrived with the previous one
            System.arraycopy(buffer, end, buffer, 0, filled - end);
            filled -= end;
            end = 0;
            int headEnd;
            while ((headEnd = indexOfHeadEnd()) < 0) {
                if (!fill()) {
                    return false;
                }
            }
            long length = contentLength(headEnd);
            if (length < 0 || headEnd + length > Integer.MAX_VALUE - 16) {
                return false;
            }
            int total = (int) (headEnd + length);
            if (total > buffer.length) {
                buffer = Arrays.copyOf(buffer, total);
            }
            while (filled < total) {
                if (!fill()) {
                    return false;
                }
            }
            end = total;
            return true;
        }

        void writeTo(OutputStream out) throws IOException {
            out.write(buffer, 0, end);
        }

        private boolean fill() throws IOException {
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            int read = in.read(buffer, filled, buffer.length - filled);
            if (read < 0) {
                return false;
            }
            filled += read;
            return true;
        }

        /** The index just past the blank line that ends the head, or -1. */
        private int indexOfHeadEnd() {
            for (int i = 3; i < filled; i++) {
                if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n' && buffer[i - 3] == '\r') {
                    return i + 1;
                }
            }
            return -1;
        }

        /** The Content-Length value, 0 when absent, -1 when unreadable. */
        private long contentLength(int headEnd) {
            outer:
            for (int i = 0; i + CONTENT_LENGTH.length < headEnd; i++) {
                for (int j = 0; j < CONTENT_LENGTH.length; j++) {
                    byte b = buffer[i + j];
                    if (b >= 'A' && b <= 'Z') {
                        b += 'a' - 'A';
                    }
                    if (b != CONTENT_LENGTH[j]) {
                        continue outer;
                    }
                }
                long value = 0;
                boolean digits = false;
                for (int k = i + CONTENT_LENGTH.length; k < headEnd && buffer[k] != '\r'; k++) {
                    byte b = buffer[k];
                    if (b >= '0' && b <= '9') {
                        value = value * 10 + (b - '0');
                        digits = true;
                    } else if (b != ' ' && b != '\t') {
                        return -1;
                    }
                }
                return digits ? value : -1;
            }
            return 0;
        }
    }
}
