package io.gateway.server.upstream;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The gateway's upstream HTTP/1.1 client: blocking sockets (cheap on virtual threads), a keep-alive
 * pool per scheme/host/port, TCP_NODELAY, TLS with SNI and host-name verification (through the JDK's
 * default trust store, or the provider's own {@link SSLContext} with its CAs and client certificate),
 * an optional HTTP forward proxy ({@link UpstreamProxy}: absolute-form requests for http targets,
 * a {@code CONNECT} tunnel for https ones) and optional gzip answers, decoded transparently.
 *
 * <p>It is the hot path of every proxied request, so it is written for that job alone: the request
 * head and a small body go out in one write, the response head is parsed straight into the SPI's
 * {@link Headers}, and the body is read into one array of its announced length. Bodies framed by
 * {@code Content-Length}, {@code chunked} or the end of the connection are all handled; a connection
 * goes back to the pool only when its answer was read to its end.
 *
 * <p>Deadlines: a non-streaming call's reads end at its deadline, so the deadline holds for the whole
 * answer however slowly it trickles; a stream's reads wait at most the idle timeout; the request
 * body's write ends at the deadline. They are enforced by {@link Http1Connection}'s reaper thread,
 * which wakes at the earliest expiry, not by socket timeouts. A pooled connection that the upstream had closed (the
 * call fails before any byte of an answer arrived) is retried once on a fresh connection.
 */
public final class Http1UpstreamClient implements UpstreamClient, AutoCloseable {

    /** Largest non-streaming body accepted. */
    static final int MAX_BODY = 512 * 1024 * 1024;
    private static final int MAX_LINE = 16 * 1024 - 2;
    private static final int MAX_HEADERS = 256;
    /** Requests whose head and body together are at most this large go out in one write. */
    private static final int SINGLE_WRITE = 64 * 1024;

    /** Where a connection goes: the pool key. */
    record Route(boolean tls, String host, int port) {
    }

    private final Duration connectTimeout;
    private final Clock clock;
    private final SSLSocketFactory tlsFactory;
    private final UpstreamProxy proxies;
    private final boolean acceptGzip;
    private final int maxIdle;
    private final long idleTtlNanos;
    private final Map<Route, ConcurrentLinkedDeque<Http1Connection>> idle = new ConcurrentHashMap<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean closed;

    /**
     * A client with the JDK's default TLS settings, at most 512 idle connections kept for 55 s.
     *
     * @param connectTimeout TCP connect (and TLS handshake) timeout
     * @param clock          the clock request deadlines are expressed in
     */
    public Http1UpstreamClient(Duration connectTimeout, Clock clock) {
        this(connectTimeout, clock, null, 512, Duration.ofSeconds(55));
    }

    /**
     * A client with a provider's TLS, proxy and compression settings, at most 512 idle connections kept
     * for 55 s.
     *
     * @param connectTimeout TCP connect (and TLS handshake, and proxy tunnel) timeout
     * @param clock          the clock request deadlines are expressed in
     * @param tls            the TLS context, or null for the JDK's default
     * @param proxies        the forward proxies, {@link UpstreamProxy#NONE} for none
     * @param acceptGzip     whether requests carry {@code Accept-Encoding: gzip}
     */
    public Http1UpstreamClient(Duration connectTimeout, Clock clock, SSLContext tls, UpstreamProxy proxies,
                               boolean acceptGzip) {
        this(connectTimeout, clock, tls, proxies, acceptGzip, 512, Duration.ofSeconds(55));
    }

    /**
     * A client.
     *
     * @param connectTimeout TCP connect (and TLS handshake) timeout
     * @param clock          the clock request deadlines are expressed in
     * @param tls            the TLS context, or null for the JDK's default
     * @param maxIdle        idle keep-alive connections kept at most (over all hosts)
     * @param idleTtl        an idle connection older than this is closed instead of reused (upstreams
     *                       close idle keep-alive connections themselves after 60–120 s)
     */
    public Http1UpstreamClient(Duration connectTimeout, Clock clock, SSLContext tls, int maxIdle, Duration idleTtl) {
        this(connectTimeout, clock, tls, UpstreamProxy.NONE, false, maxIdle, idleTtl);
    }

    /**
     * A client.
     *
     * @param connectTimeout TCP connect (and TLS handshake, and proxy tunnel) timeout
     * @param clock          the clock request deadlines are expressed in
     * @param tls            the TLS context, or null for the JDK's default
     * @param proxies        the forward proxies, {@link UpstreamProxy#NONE} for none
     * @param acceptGzip     whether requests carry {@code Accept-Encoding: gzip}
     * @param maxIdle        idle keep-alive connections kept at most (over all hosts)
     * @param idleTtl        an idle connection older than this is closed instead of reused
     */
    public Http1UpstreamClient(Duration connectTimeout, Clock clock, SSLContext tls, UpstreamProxy proxies,
                               boolean acceptGzip, int maxIdle, Duration idleTtl) {
        this.connectTimeout = connectTimeout;
        this.clock = clock;
        this.proxies = proxies;
        this.acceptGzip = acceptGzip;
        this.tlsFactory = tls == null ? null : tls.getSocketFactory();
        this.maxIdle = maxIdle;
        this.idleTtlNanos = idleTtl.toNanos();
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) {
        long left = Duration.between(clock.instant(), request.deadline()).toNanos();
        if (left <= 0) {
            throw GatewayException.of(ErrorCode.TIMEOUT, "the request deadline passed before the provider was called");
        }
        long deadline = System.nanoTime() + left;
        URI uri = request.uri();
        Route route = route(uri);
        UpstreamProxy.Server proxy = proxies.select(route.tls(), route.host(), route.port());
        byte[] head = head(request, uri, route, route.tls() ? null : proxy, acceptGzip);
        Http1Connection pooled = checkOut(route);
        if (pooled != null) {
            try {
                return exchange(pooled, request, head, deadline);
            } catch (StaleConnection stale) {
                // The upstream closed the idle connection before or while it took the request: it never
                // answered, so sending once more on a fresh connection is safe, if the body can be read again.
                if (request.content() != null && !request.content().repeatable()) {
                    throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "the provider at "
                            + origin(request.uri()) + " closed the connection while the request body streamed "
                            + "through; it cannot be sent again", null, null, stale.getCause());
                }
            }
        }
        // a fresh connection has served nothing, so its failures are never StaleConnection
        return exchange(connect(route, proxy, request, deadline), request, head, deadline);
    }

    private UpstreamResponse exchange(Http1Connection connection, UpstreamRequest request, byte[] head,
                                      long deadline) {
        connection.bound(request.stream() ? 0 : deadline, (int) Math.min(Integer.MAX_VALUE,
                Math.max(1, request.idleTimeout().toMillis())));
        boolean sent = false;
        try {
            byte[] body = request.body();
            try {
                if (request.content() != null) {
                    connection.write(head, 0, head.length, deadline);
                    writeContent(connection, request.content(), deadline);
                } else if (body == null || body.length == 0) {
                    connection.write(head, 0, head.length, deadline);
                } else if (head.length + body.length <= SINGLE_WRITE) {
                    byte[] all = new byte[head.length + body.length];
                    System.arraycopy(head, 0, all, 0, head.length);
                    System.arraycopy(body, 0, all, head.length, body.length);
                    connection.write(all, 0, all.length, deadline);
                } else {
                    connection.write(head, 0, head.length, deadline);
                    connection.write(body, 0, body.length, deadline);
                }
            } catch (SocketTimeoutException e) {
                // an upstream that stops reading a large body would otherwise hold the call forever
                throw GatewayException.of(ErrorCode.TIMEOUT, "the provider at " + origin(request.uri())
                        + " did not take the request body before the deadline");
            }
            sent = true;
            return readResponse(connection, request);
        } catch (SocketTimeoutException e) {
            connection.close();
            throw GatewayException.of(ErrorCode.TIMEOUT, "the provider did not answer in time ("
                    + request.uri().getHost() + ")");
        } catch (GatewayException e) {
            connection.close();
            throw e;
        } catch (IOException e) {
            connection.close();
            boolean noAnswer = !sent || e instanceof NoAnswer;
            if (noAnswer && connection.served > 0) {
                throw new StaleConnection(e);
            }
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, noAnswer
                    ? "the provider at " + origin(request.uri()) + " closed the connection without answering"
                    : "the connection to the provider at " + origin(request.uri()) + " broke before it answered",
                    null, null, e);
        }
    }

    /**
     * Streams a body that is not held in memory: copied as it is read, framed by its length when known,
     * else chunked. Reading the content and writing the connection fail differently: the first is the
     * gateway's (or the client's) side, the second the upstream's.
     */
    private static void writeContent(Http1Connection connection, io.gateway.spi.Content content, long deadline)
            throws IOException {
        long length = content.length();
        byte[] buffer = new byte[SINGLE_WRITE];
        long written = 0;
        try (InputStream in = openContent(content)) {
            while (true) {
                int read;
                try {
                    read = in.readNBytes(buffer, 0, buffer.length);
                } catch (IOException e) {
                    throw new GatewayException(ErrorCode.INTERNAL, "the request body could not be read to its end "
                            + "while it was sent to the provider", null, null, e);
                }
                if (read <= 0) {
                    break;
                }
                if (length < 0) {
                    byte[] size = (Integer.toHexString(read) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    connection.write(size, 0, size.length, deadline);
                    connection.write(buffer, 0, read, deadline);
                    connection.write(CRLF, 0, CRLF.length, deadline);
                } else {
                    if (written + read > length) {
                        throw GatewayException.of(ErrorCode.INTERNAL, "the request body is longer than the "
                                + length + " bytes it announced");
                    }
                    connection.write(buffer, 0, read, deadline);
                }
                written += read;
            }
        }
        if (length < 0) {
            connection.write(LAST_CHUNK, 0, LAST_CHUNK.length, deadline);
        } else if (written != length) {
            throw GatewayException.of(ErrorCode.INTERNAL, "the request body ended after " + written + " of the "
                    + length + " bytes it announced");
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static InputStream openContent(io.gateway.spi.Content content) {
        try {
            return content.open();
        } catch (java.io.UncheckedIOException | IllegalStateException e) {
            throw new GatewayException(ErrorCode.INTERNAL, "the request body cannot be read to send it to the "
                    + "provider: " + e.getMessage(), null, null, e);
        }
    }

    private UpstreamResponse readResponse(Http1Connection connection, UpstreamRequest request) throws IOException {
        String statusLine;
        int status;
        try {
            statusLine = connection.readLine(MAX_LINE);
        } catch (IOException e) {
            if (e instanceof SocketTimeoutException || e instanceof Http1Connection.LineTooLongException) {
                throw e;
            }
            throw new NoAnswer(e); // reset or closed before any byte of an answer
        }
        while (true) {
            if (statusLine == null) {
                throw new NoAnswer(null);
            }
            status = parseStatus(statusLine);
            if (status < 0) {
                throw invalid(request, "its status line is not HTTP/1.x");
            }
            if (status >= 200) {
                break;
            }
            if (status == 101) {
                throw invalid(request, "it switched protocols (101)");
            }
            // 100 Continue, 103 Early Hints: interim answers; the real one follows
            readHeaders(connection, request);
            statusLine = connection.readLine(MAX_LINE);
            if (statusLine == null) {
                throw new EOFException("the provider closed the connection after an interim answer");
            }
        }
        Headers headers = readHeaders(connection, request);
        if (status == 407 && connection.proxy != null) {
            throw proxyRefused(connection.proxy, request, "the request for " + origin(request.uri()));
        }
        boolean http10 = statusLine.startsWith("HTTP/1.0");
        boolean reusable = !http10 && !hasToken(headers, "connection", "close");
        Http1Response.Framing framing;
        long length = -1;
        if ("HEAD".equals(request.method()) || status == 204 || status == 304) {
            framing = Http1Response.Framing.NONE;
        } else if (headers.contains("transfer-encoding")) {
            if (!lastTokenIs(headers, "transfer-encoding", "chunked")) {
                throw invalid(request, "its Transfer-Encoding is not chunked");
            }
            framing = Http1Response.Framing.CHUNKED;
        } else if (headers.contains("content-length")) {
            length = contentLength(headers);
            if (length < 0) {
                throw invalid(request, "its Content-Length is not a number");
            }
            framing = length == 0 ? Http1Response.Framing.NONE : Http1Response.Framing.LENGTH;
        } else {
            framing = Http1Response.Framing.UNTIL_CLOSE;
            reusable = false;
        }
        boolean gzip = false;
        if (headers.contains("content-encoding")) {
            gzip = framing != Http1Response.Framing.NONE && gzipEncoded(headers, request);
            // the answer handed on is decoded: its encoding and length are the wire's, not the body's
            headers = headers.toBuilder().remove("content-encoding").remove("content-length").build();
        }
        return new Http1Response(this, connection, request, status, headers, framing, length, reusable, gzip);
    }

    /** Whether the body is gzip; identity is none; anything else is refused. */
    private static boolean gzipEncoded(Headers headers, UpstreamRequest request) {
        boolean gzip = false;
        for (String value : headers.all("content-encoding")) {
            for (String part : value.split(",")) {
                String coding = part.trim().toLowerCase(Locale.ROOT);
                if (coding.isEmpty() || coding.equals("identity")) {
                    continue;
                }
                if ((coding.equals("gzip") || coding.equals("x-gzip")) && !gzip) {
                    gzip = true;
                    continue;
                }
                throw invalid(request, "its Content-Encoding '" + value.trim() + "' is not supported (only gzip is)");
            }
        }
        return gzip;
    }

    /** A forward proxy refused to carry a call (407 or another answer to CONNECT). */
    private static GatewayException proxyRefused(UpstreamProxy.Server proxy, UpstreamRequest request, String what) {
        return GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED, "the proxy at " + proxy
                + " answered 407 Proxy Authentication Required to " + what + "; "
                + (proxy.authorization().isEmpty()
                ? "give the proxy's user and password in the proxy URL (http://user:password@host:port)"
                : "it refused the user and password in the proxy URL; check them"));
    }

    private static int parseStatus(String line) {
        // HTTP/1.1 200 OK
        if (line.length() < 12 || !line.startsWith("HTTP/1.") || line.charAt(8) != ' ') {
            return -1;
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            status = status * 10 + (c - '0');
        }
        if (line.length() > 12 && line.charAt(12) != ' ') {
            return -1;
        }
        return status < 100 ? -1 : status;
    }

    private Headers readHeaders(Http1Connection connection, UpstreamRequest request) throws IOException {
        Headers.Builder builder = Headers.builder();
        int count = 0;
        while (true) {
            String line;
            try {
                line = connection.readLine(MAX_LINE);
            } catch (Http1Connection.LineTooLongException e) {
                throw invalid(request, "a header line is longer than 16 KB");
            }
            if (line == null) {
                throw new EOFException("the provider closed the connection inside the response headers");
            }
            if (line.isEmpty()) {
                return builder.build();
            }
            if (++count > MAX_HEADERS) {
                throw invalid(request, "it sent more than " + MAX_HEADERS + " headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                    continue; // obsolete line folding: ignored
                }
                throw invalid(request, "a header line has no name");
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            builder.add(name, value);
        }
    }

    static long contentLength(Headers headers) {
        List<String> values = headers.all("content-length");
        long length = -1;
        for (String value : values) {
            long parsed;
            try {
                parsed = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
            if (parsed < 0 || (length >= 0 && parsed != length)) {
                return -1;
            }
            length = parsed;
        }
        return length;
    }

    private static boolean hasToken(Headers headers, String name, String token) {
        for (String value : headers.all(name)) {
            for (String part : value.split(",")) {
                if (part.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean lastTokenIs(Headers headers, String name, String token) {
        List<String> values = headers.all(name);
        String last = values.get(values.size() - 1);
        int comma = last.lastIndexOf(',');
        return last.substring(comma + 1).trim().equalsIgnoreCase(token);
    }

    private static GatewayException invalid(UpstreamRequest request, String what) {
        return GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider at " + origin(request.uri())
                + " sent an invalid HTTP answer: " + what);
    }

    static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static Route route(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls;
        if (scheme.equals("https")) {
            tls = true;
        } else if (scheme.equals("http")) {
            tls = false;
        } else {
            throw GatewayException.of(ErrorCode.INTERNAL, "the provider URL " + origin(uri)
                    + " is not http or https; fix the provider's base-url");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw GatewayException.of(ErrorCode.INTERNAL, "the provider URL " + origin(uri)
                    + " has no host; fix the provider's base-url");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
        return new Route(tls, host, port);
    }

    /** The request line and headers, encoded once. */
    private static byte[] head(UpstreamRequest request, URI uri, Route route, UpstreamProxy.Server plainProxy,
                               boolean acceptGzip) {
        StringBuilder text = new StringBuilder(256);
        String path = uri.getRawPath();
        text.append(request.method()).append(' ');
        if (plainProxy != null) {
            // a forward proxy takes the absolute form of the target
            text.append("http://").append(authority(route));
        }
        text.append(path == null || path.isEmpty() ? "/" : path);
        if (uri.getRawQuery() != null) {
            text.append('?').append(uri.getRawQuery());
        }
        text.append(" HTTP/1.1\r\nhost: ").append(authority(route)).append("\r\n");
        if (plainProxy != null && !plainProxy.authorization().isEmpty()) {
            text.append("proxy-authorization: ").append(plainProxy.authorization().reveal()).append("\r\n");
        }
        if (acceptGzip) {
            text.append("accept-encoding: gzip\r\n");
        }
        boolean[] userAgent = {false};
        request.headers().forEach((name, values) -> {
            switch (name) {
                case "host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
                     "trailer", "proxy-connection", "proxy-authorization", "accept-encoding" -> {
                    return; // framing, hop-by-hop, proxy and encoding headers are the client's own business
                }
                case "user-agent" -> userAgent[0] = true;
                default -> {
                }
            }
            for (String value : values) {
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c == '\r' || c == '\n' || c == 0) {
                        throw GatewayException.of(ErrorCode.INTERNAL, "the header '" + name + "' for the provider "
                                + "contains a line break; check the provider's configuration (a key read from a "
                                + "file often ends with one)");
                    }
                }
                text.append(name).append(": ").append(value).append("\r\n");
            }
        });
        if (!userAgent[0]) {
            text.append("user-agent: llm-gateway\r\n");
        }
        byte[] body = request.body();
        io.gateway.spi.Content content = request.content();
        if (content != null) {
            if (!request.headers().contains("content-type")) {
                text.append("content-type: ").append(content.contentType()).append("\r\n");
            }
            if (content.length() >= 0) {
                text.append("content-length: ").append(content.length()).append("\r\n");
            } else {
                text.append("transfer-encoding: chunked\r\n");
            }
        } else if (body != null) {
            text.append("content-length: ").append(body.length).append("\r\n");
        } else if (!"GET".equals(request.method()) && !"HEAD".equals(request.method())) {
            text.append("content-length: 0\r\n");
        }
        text.append("\r\n");
        // header values are ISO-8859-1 on the wire; anything beyond it cannot be sent as it is
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code host[:port]} as the Host header and CONNECT write it (the port only when not the default). */
    private static String authority(Route route) {
        String host = route.host().indexOf(':') >= 0 ? "[" + route.host() + "]" : route.host();
        return route.port() == (route.tls() ? 443 : 80) ? host : host + ":" + route.port();
    }

    private Http1Connection checkOut(Route route) {
        ConcurrentLinkedDeque<Http1Connection> deque = idle.get(route);
        if (deque == null) {
            return null;
        }
        while (true) {
            Http1Connection connection = deque.pollFirst();
            if (connection == null) {
                return null;
            }
            idleCount.decrementAndGet();
            if (System.nanoTime() - connection.idleSince > idleTtlNanos) {
                connection.close();
                continue;
            }
            if (connection.checkOut()) {
                return connection;
            }
        }
    }

    /** Returns a connection whose answer was read to its end. */
    void release(Http1Connection connection) {
        if (closed) {
            connection.close();
            return;
        }
        if (!connection.markIdle()) {
            return;
        }
        if (idleCount.incrementAndGet() > maxIdle) {
            idleCount.decrementAndGet();
            connection.close();
            return;
        }
        idle.computeIfAbsent(connection.route, r -> new ConcurrentLinkedDeque<>()).offerFirst(connection);
    }

    private Http1Connection connect(Route route, UpstreamProxy.Server proxy, UpstreamRequest request, long deadline) {
        long left = deadline - System.nanoTime();
        int timeout = (int) Math.max(1, Math.min(connectTimeout.toMillis(), request.stream()
                ? connectTimeout.toMillis() : Math.max(1, left / 1_000_000)));
        Socket socket = new Socket();
        Socket raw = socket;
        try {
            socket.setTcpNoDelay(true);
            if (proxy != null) {
                connectToProxy(socket, proxy, request, timeout);
                if (route.tls()) {
                    tunnel(socket, route, proxy, request, timeout);
                }
            } else {
                socket.connect(new InetSocketAddress(route.host(), route.port()), timeout);
            }
            if (route.tls()) {
                SSLSocketFactory factory = tlsFactory != null ? tlsFactory : (SSLSocketFactory) SSLSocketFactory.getDefault();
                SSLSocket tls = (SSLSocket) factory.createSocket(socket, route.host(), route.port(), true);
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                parameters.setApplicationProtocols(new String[] {"http/1.1"});
                if (!isIpLiteral(route.host())) {
                    parameters.setServerNames(List.of(new SNIHostName(route.host())));
                }
                tls.setSSLParameters(parameters);
                tls.setSoTimeout(timeout);
                tls.startHandshake();
                socket = tls;
            }
            return new Http1Connection(route, socket, raw, route.tls() ? null : proxy);
        } catch (GatewayException e) {
            close(socket);
            throw e;
        } catch (SocketTimeoutException e) {
            close(socket);
            throw GatewayException.of(ErrorCode.TIMEOUT, "the provider at " + origin(request.uri())
                    + " did not accept a connection within " + timeout + " ms (connect-timeout)");
        } catch (SSLException e) {
            close(socket);
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "TLS with the provider at "
                    + origin(request.uri()) + " failed (" + e.getMessage() + "); check its base-url and "
                    + "certificate", null, null, e);
        } catch (ConnectException | UnknownHostException | NoRouteToHostException e) {
            close(socket);
            throw connectionFailed(request, e);
        } catch (IOException | RuntimeException e) {
            close(socket);
            throw connectionFailed(request, e);
        }
    }

    private static void connectToProxy(Socket socket, UpstreamProxy.Server proxy, UpstreamRequest request, int timeout) {
        try {
            socket.connect(new InetSocketAddress(proxy.host(), proxy.port()), timeout);
        } catch (SocketTimeoutException e) {
            throw GatewayException.of(ErrorCode.TIMEOUT, "the proxy at " + proxy + " did not accept a connection "
                    + "within " + timeout + " ms (connect-timeout) for the provider at " + origin(request.uri()));
        } catch (IOException | RuntimeException e) {
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "cannot reach the proxy at " + proxy
                    + " for the provider at " + origin(request.uri()) + "; check the proxy setting and that the "
                    + "proxy is up", null, null, e);
        }
    }

    /** Opens a CONNECT tunnel to the target through the proxy; the socket then carries TLS to the target. */
    private static void tunnel(Socket socket, Route route, UpstreamProxy.Server proxy, UpstreamRequest request,
                               int timeout) {
        String target = (route.host().indexOf(':') >= 0 ? "[" + route.host() + "]" : route.host()) + ":" + route.port();
        try {
            socket.setSoTimeout(timeout);
            StringBuilder text = new StringBuilder(128).append("CONNECT ").append(target).append(" HTTP/1.1\r\nhost: ")
                    .append(target).append("\r\n");
            if (!proxy.authorization().isEmpty()) {
                text.append("proxy-authorization: ").append(proxy.authorization().reveal()).append("\r\n");
            }
            text.append("\r\n");
            socket.getOutputStream().write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            // the answer's head, read a byte at a time so that nothing of the tunnel is consumed
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder(128);
            while (!(endsWith(head, "\r\n\r\n") || endsWith(head, "\n\n"))) {
                int b = in.read();
                if (b < 0) {
                    throw GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED, "the proxy at " + proxy
                            + " closed the connection instead of answering CONNECT " + target);
                }
                if (head.length() > MAX_LINE) {
                    throw GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED, "the proxy at " + proxy
                            + " sent an answer to CONNECT " + target + " that is not HTTP");
                }
                head.append((char) b);
            }
            int end = head.indexOf("\n");
            String statusLine = head.substring(0, end).trim();
            int status = parseStatus(statusLine);
            if (status == 407) {
                throw proxyRefused(proxy, request, "CONNECT " + target);
            }
            if (status < 200 || status > 299) {
                throw GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED, "the proxy at " + proxy
                        + " answered " + (status < 0 ? "'" + statusLine + "'" : status) + " to CONNECT " + target
                        + "; check that it lets the gateway reach " + origin(request.uri()));
            }
            socket.setSoTimeout(0);
        } catch (SocketTimeoutException e) {
            throw GatewayException.of(ErrorCode.TIMEOUT, "the proxy at " + proxy + " did not answer CONNECT "
                    + target + " within " + timeout + " ms (connect-timeout)");
        } catch (IOException e) {
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "the connection to the proxy at "
                    + proxy + " broke during CONNECT " + target, null, null, e);
        }
    }

    private static boolean endsWith(StringBuilder text, String suffix) {
        int start = text.length() - suffix.length();
        return start >= 0 && text.indexOf(suffix, start) == start;
    }

    private static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already broken
        }
    }

    static GatewayException connectionFailed(UpstreamRequest request, Throwable cause) {
        return new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "cannot reach the provider at "
                + origin(request.uri()) + "; check its base-url and that it is up", null, null, cause);
    }

    /** Idle connections in the pool now, for tests and diagnostics. */
    int idleConnections() {
        return idleCount.get();
    }

    /**
     * Closes every idle connection and pools none from now on; calls in flight finish on their own and
     * their connections are closed when they end. New calls still work, on connections of their own.
     */
    @Override
    public void close() {
        closed = true;
        closeIdle();
    }

    /** Closes every idle connection; calls in flight finish on their own. */
    public void closeIdle() {
        for (ConcurrentLinkedDeque<Http1Connection> deque : idle.values()) {
            Http1Connection connection;
            while ((connection = deque.pollFirst()) != null) {
                idleCount.decrementAndGet();
                connection.close();
            }
        }
    }

    /**
     * When a request must be done, for callers computing deadlines.
     *
     * @param timeout the timeout
     * @return now plus the timeout
     */
    public Instant deadline(Duration timeout) {
        return clock.instant().plus(timeout);
    }

    /** The connection ended before any byte of an answer arrived. */
    private static final class NoAnswer extends IOException {
        private static final long serialVersionUID = 1L;

        NoAnswer(Throwable cause) {
            super("no answer", cause);
        }
    }

    /** A pooled connection failed before any byte of an answer: safe to send again on a fresh one. */
    private static final class StaleConnection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleConnection(Throwable cause) {
            super(cause == null ? "stale" : cause.getMessage(), cause, false, false);
        }
    }
}
