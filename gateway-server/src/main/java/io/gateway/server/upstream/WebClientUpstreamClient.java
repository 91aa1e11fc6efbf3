package io.gateway.server.upstream;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.SocketOptions;
import io.helidon.common.tls.Tls;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.ConnectionListener;
import io.helidon.webclient.api.RuntimeUnknownHostException;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientProtocolConfig;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.http1.Http1ClientResponse;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * The candidate upstream client on Helidon 4.5's HTTP/1.1 WebClient ({@link Http1Client}), measured
 * against {@link Http1UpstreamClient} behind the same {@link UpstreamClient} contract.
 *
 * <p>One Helidon client per instance with a connection cache of its own (512 idle connections),
 * TCP_NODELAY, no redirects, no {@code Expect: 100-continue}. Reads are bounded by the socket read
 * timeout Helidon sets per request: the time left to the deadline for a non-streaming call's head, the
 * idle timeout for a stream. A non-streaming body is bounded by its deadline through a shared watchdog
 * thread that closes the response when the deadline passes. A failure before any byte of an answer on
 * a pooled connection is retried once. Thread-safe.
 */
public final class WebClientUpstreamClient implements UpstreamClient, AutoCloseable {

    /** Set on the calling thread when Helidon connects a new socket for the call in progress. */
    private static final ThreadLocal<boolean[]> CONNECTED = new ThreadLocal<>();

    private final Http1Client client;
    private final Clock clock;
    private final Duration connectTimeout;

    /**
     * A client.
     *
     * @param connectTimeout TCP connect (and TLS handshake) timeout
     * @param clock          the clock request deadlines are expressed in
     * @param tls            the TLS context, or null for the JDK's default
     */
    public WebClientUpstreamClient(Duration connectTimeout, Clock clock, SSLContext tls) {
        this.clock = clock;
        this.connectTimeout = connectTimeout;
        var builder = Http1Client.builder()
                .connectTimeout(connectTimeout)
                .socketOptions(SocketOptions.builder().tcpNoDelay(true).connectTimeout(connectTimeout).build())
                .followRedirects(false)
                .shareConnectionCache(false)
                .sendExpectContinue(false)
                .connectionCacheSize(512)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void socketConnected(io.helidon.webclient.api.ConnectedSocketInfo socketInfo) {
                        boolean[] flag = CONNECTED.get();
                        if (flag != null) {
                            flag[0] = true;
                        }
                    }

                    @Override
                    public void socketChannelConnected(io.helidon.webclient.api.ConnectedSocketChannelInfo info) {
                        socketConnected(null);
                    }
                })
                .protocolConfig(Http1ClientProtocolConfig.builder()
                        .maxHeaderSize(16 * 1024)
                        .maxStatusLineLength(16 * 1024)
                        .validateResponseHeaders(false)
                        .validateRequestHeaders(false)
                        .build());
        if (tls != null) {
            builder.tls(Tls.builder().sslContext(tls).build());
        }
        this.client = builder.build();
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) {
        long left = Duration.between(clock.instant(), request.deadline()).toNanos();
        if (left <= 0) {
            throw GatewayException.of(ErrorCode.TIMEOUT, "the request deadline passed before the provider was called");
        }
        long deadline = System.nanoTime() + left;
        URI uri = request.uri();
        checkUri(uri);
        // validate the headers before anything is sent: a value with a line break is refused, never echoed
        request.headers().forEach((name, values) -> {
            for (String value : values) {
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c == '\r' || c == '\n' || c == 0) {
                        throw GatewayException.of(ErrorCode.INTERNAL, "the header '" + name + "' for the provider "
                                + "contains a line break; check the provider's configuration (a key read from a "
                                + "file often ends with one)");
                    }
                }
            }
        });
        try {
            return attempt(request, uri, deadline);
        } catch (StaleConnection stale) {
            return attempt(request, uri, deadline);
        }
    }

    private UpstreamResponse attempt(UpstreamRequest request, URI uri, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw GatewayException.of(ErrorCode.TIMEOUT, "the provider did not answer in time (" + uri.getHost() + ")");
        }
        Duration readTimeout = request.stream() ? request.idleTimeout() : Duration.ofNanos(left);
        Http1ClientRequest call = client.method(Method.create(request.method()))
                .uri(uri)
                .skipUriEncoding(true)
                .readTimeout(Duration.ofMillis(Math.max(1, readTimeout.toMillis())));
        boolean[] userAgent = {false};
        call.headers(headers -> request.headers().forEach((name, values) -> {
            switch (name) {
                case "host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
                     "trailer", "proxy-connection" -> {
                    return;
                }
                case "user-agent" -> userAgent[0] = true;
                default -> {
                }
            }
            headers.set(HeaderNames.create(name), values);
        }));
        if (!userAgent[0]) {
            call.header(HeaderNames.USER_AGENT, "llm-gateway");
        }
        boolean[] connected = {false};
        CONNECTED.set(connected);
        Http1ClientResponse response;
        try {
            byte[] body = request.body();
            response = body == null ? call.request() : call.submit(body);
        } catch (DataReader.InsufficientDataAvailableException e) {
            if (!connected[0]) {
                throw new StaleConnection(e);
            }
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "the provider at " + origin(uri)
                    + " closed the connection without answering", null, null, e);
        } catch (UncheckedIOException e) {
            IOException cause = e.getCause();
            if (cause instanceof SocketTimeoutException) {
                if (!connected[0] && cause.getMessage() != null && cause.getMessage().contains("connect")) {
                    throw GatewayException.of(ErrorCode.TIMEOUT, "the provider at " + origin(uri)
                            + " did not accept a connection within " + connectTimeout.toMillis() + " ms (connect-timeout)");
                }
                throw GatewayException.of(ErrorCode.TIMEOUT, "the provider did not answer in time (" + uri.getHost() + ")");
            }
            if (cause instanceof SSLException) {
                throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "TLS with the provider at "
                        + origin(uri) + " failed (" + cause.getMessage() + "); check its base-url and certificate",
                        null, null, e);
            }
            if (e.getMessage() != null && e.getMessage().contains("SSL handshake")) {
                throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "TLS with the provider at "
                        + origin(uri) + " failed (" + cause.getMessage() + "); check its base-url and certificate",
                        null, null, e);
            }
            if (!connected[0] && isReuseFailure(cause)) {
                throw new StaleConnection(e);
            }
            throw Http1UpstreamClient.connectionFailed(request, e);
        } catch (RuntimeUnknownHostException e) {
            throw Http1UpstreamClient.connectionFailed(request, e);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider at " + origin(uri)
                    + " sent an invalid HTTP answer: " + e.getMessage());
        } finally {
            CONNECTED.remove();
        }
        Headers headers = convert(response);
        int status = response.status().code();
        long length = -1;
        boolean untilClose = false;
        if (status < 200) {
            response.close();
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider at " + origin(uri)
                    + " sent an invalid HTTP answer: an interim " + status + " answer");
        }
        if (headers.contains("transfer-encoding")) {
            var values = headers.all("transfer-encoding");
            String last = values.get(values.size() - 1);
            if (!last.substring(last.lastIndexOf(',') + 1).trim().equalsIgnoreCase("chunked")) {
                response.close();
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider at " + origin(uri)
                        + " sent an invalid HTTP answer: its Transfer-Encoding is not chunked");
            }
        } else if (headers.contains("content-length")) {
            length = Http1UpstreamClient.contentLength(headers);
            if (length < 0) {
                response.close();
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider at " + origin(uri)
                        + " sent an invalid HTTP answer: its Content-Length is not a number");
            }
        } else {
            untilClose = true;
        }
        return new Answer(response, request, status, headers, request.stream() ? 0 : deadline, length, untilClose);
    }

    private static boolean isReuseFailure(IOException cause) {
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("reset") || message.contains("broken pipe") || message.contains("closed");
    }

    private static Headers convert(Http1ClientResponse response) {
        Headers.Builder builder = Headers.builder();
        for (Header header : response.headers()) {
            String name = header.name().toLowerCase(Locale.ROOT);
            for (String value : header.allValues()) {
                builder.add(name, value);
            }
        }
        return builder.build();
    }

    private static void checkUri(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw GatewayException.of(ErrorCode.INTERNAL, "the provider URL " + origin(uri)
                    + " is not http or https; fix the provider's base-url");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw GatewayException.of(ErrorCode.INTERNAL, "the provider URL " + origin(uri)
                    + " has no host; fix the provider's base-url");
        }
    }

    private static String origin(URI uri) {
        return Http1UpstreamClient.origin(uri);
    }

    /** Closes every idle connection; calls in flight finish on their own. */
    @Override
    public void close() {
        client.closeResource();
    }

    /** A pooled connection failed before any byte of an answer: safe to send again. */
    private static final class StaleConnection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleConnection(Throwable cause) {
            super("stale", cause, false, false);
        }
    }

    /** Closes a response whose non-streaming body read passed its deadline. */
    private static final class Watchdog {
        private static final Set<Answer> WATCHED = ConcurrentHashMap.newKeySet();
        private static final AtomicBoolean STARTED = new AtomicBoolean();

        static void watch(Answer answer) {
            WATCHED.add(answer);
            if (!STARTED.get() && STARTED.compareAndSet(false, true)) {
                Thread thread = new Thread(Watchdog::run, "upstream-webclient-deadlines");
                thread.setDaemon(true);
                thread.start();
            }
        }

        static void unwatch(Answer answer) {
            WATCHED.remove(answer);
        }

        private static void run() {
            while (true) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                for (Answer answer : WATCHED) {
                    if (now - answer.deadline >= 0) {
                        answer.expired = true;
                        WATCHED.remove(answer);
                        answer.close();
                    }
                }
            }
        }
    }

    /** One answer: Helidon's response behind the SPI's contract. */
    private static final class Answer implements UpstreamResponse {
        private static final int OPEN = 0;
        private static final int DONE = 1;
        private static final int CLOSED = 2;

        private final Http1ClientResponse response;
        private final UpstreamRequest request;
        private final int status;
        private final Headers headers;
        /** {@link System#nanoTime()} deadline of a non-streaming body, 0 for streams. */
        private final long deadline;
        private final long length;
        private final boolean untilClose;
        private final AtomicInteger state = new AtomicInteger(OPEN);
        private volatile boolean expired;
        private InputStream body;

        Answer(Http1ClientResponse response, UpstreamRequest request, int status, Headers headers, long deadline,
               long length, boolean untilClose) {
            this.response = response;
            this.request = request;
            this.status = status;
            this.headers = headers;
            this.deadline = deadline;
            this.length = length;
            this.untilClose = untilClose;
            if (length == 0 || status == 204 || status == 304 || "HEAD".equals(request.method())) {
                finish();
            }
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public byte[] body() {
            if (state.get() == DONE) {
                return new byte[0];
            }
            if (deadline != 0) {
                Watchdog.watch(this);
            }
            try {
                InputStream in = stream();
                if (length >= 0) {
                    if (length > Http1UpstreamClient.MAX_BODY) {
                        close();
                        throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE,
                                "the provider's answer is larger than 512 MB");
                    }
                    byte[] bytes = in.readNBytes((int) length);
                    if (bytes.length < length) {
                        throw new EOFException("the body ended before its Content-Length");
                    }
                    // Helidon releases the connection only when a read finds the entity's end
                    if (in.read() >= 0) {
                        throw new IOException("more bytes than the Content-Length");
                    }
                    finish();
                    return bytes;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
                byte[] chunk = new byte[16384];
                int read;
                while ((read = in.read(chunk, 0, chunk.length)) >= 0) {
                    out.write(chunk, 0, read);
                    if (out.size() > Http1UpstreamClient.MAX_BODY) {
                        close();
                        throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE,
                                "the provider's answer is larger than 512 MB");
                    }
                }
                finish();
                return out.toByteArray();
            } catch (IOException e) {
                boolean closedByCaller = state.get() == CLOSED;
                close();
                if (expired || e instanceof SocketTimeoutException) {
                    throw GatewayException.of(ErrorCode.TIMEOUT,
                            "the provider did not finish its answer within the timeout");
                }
                throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, closedByCaller
                        ? "the call to the provider was cancelled while its answer arrived"
                        : "the provider broke the connection while sending its answer", null, null, e);
            } finally {
                Watchdog.unwatch(this);
            }
        }

        @Override
        public EventStream events() {
            SseEventReader reader = new SseEventReader(stream());
            return new EventStream() {
                @Override
                public StreamEvent next() {
                    if (state.get() == CLOSED) {
                        return null;
                    }
                    try {
                        StreamEvent event = reader.next();
                        if (event == null) {
                            finish();
                        }
                        return event;
                    } catch (IOException e) {
                        if (state.get() == CLOSED) {
                            return null;
                        }
                        Answer.this.close();
                        if (e instanceof SseEventReader.EventTooLargeException) {
                            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider sent "
                                    + e.getMessage() + "; the gateway does not relay it");
                        }
                        if (e instanceof SocketTimeoutException) {
                            throw GatewayException.of(ErrorCode.TIMEOUT, "the provider sent no stream event for "
                                    + request.idleTimeout().toMillis() + " ms (stream-idle-timeout)");
                        }
                        throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED,
                                "the provider broke the connection in the middle of the stream", null, null, e);
                    }
                }

                @Override
                public void close() {
                    Answer.this.close();
                }
            };
        }

        @Override
        public InputStream stream() {
            if (body == null) {
                body = new Guarded(response.inputStream());
            }
            return body;
        }

        private void finish() {
            if (state.compareAndSet(OPEN, DONE)) {
                response.close();
            }
        }

        @Override
        public void close() {
            if (state.compareAndSet(OPEN, CLOSED)) {
                response.close();
            }
        }

        /** Helidon's entity stream with its unchecked failures turned into the IOExceptions readers expect. */
        private final class Guarded extends InputStream {
            private final InputStream in;

            Guarded(InputStream in) {
                this.in = in;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int read = read(one, 0, 1);
                return read < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] target, int offset, int count) throws IOException {
                if (state.get() == CLOSED) {
                    throw new IOException("the upstream response was closed");
                }
                try {
                    int read = in.read(target, offset, count);
                    if (read < 0) {
                        finish();
                    }
                    return read;
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                } catch (DataReader.InsufficientDataAvailableException e) {
                    if (untilClose) {
                        // Helidon reports the end of a close-delimited body as a failure
                        finish();
                        return -1;
                    }
                    throw new EOFException("the body ended before its end");
                } catch (RuntimeException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                Answer.this.close();
            }
        }
    }
}
