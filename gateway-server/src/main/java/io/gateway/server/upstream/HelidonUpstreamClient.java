package io.gateway.server.upstream;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.UpstreamClient;
import io.gateway.spi.UpstreamRequest;
import io.gateway.spi.UpstreamResponse;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link UpstreamClient} on Helidon's WebClient: pooled keep-alive connections with TCP_NODELAY (the
 * default Nagle delay costs ~40 ms per response on loopback), one client per provider so each has its
 * own connect timeout and pool.
 */
public final class HelidonUpstreamClient implements UpstreamClient {

    private static final int MAX_BODY = 512 * 1024 * 1024;
    private static final ClassLoader SERVER_LOADER = HelidonUpstreamClient.class.getClassLoader();
    /** Closes connections whose non-streaming answer is still arriving at the request's deadline. */
    private static final java.util.concurrent.ScheduledExecutorService DEADLINES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "upstream-deadlines");
                thread.setDaemon(true);
                return thread;
            });

    private final WebClient client;
    private final Clock clock;

    /**
     * A client.
     *
     * @param connectTimeout TCP connect timeout
     * @param clock          the clock deadlines are measured with
     */
    public HelidonUpstreamClient(Duration connectTimeout, Clock clock) {
        this.clock = clock;
        this.client = WebClient.builder()
                .socketOptions(options -> options.tcpNoDelay(true)
                        .connectTimeout(connectTimeout)
                        .readTimeout(Duration.ofMinutes(10)))
                // Helidon 4.2 keys its keep-alive pool by the client-level read timeout when one is set, and
                // by the request's own otherwise; every request sets its own (the time left to its deadline),
                // so without this each request would open a new connection.
                .readTimeout(Duration.ofMinutes(10))
                .connectionCacheSize(512)
                .shareConnectionCache(false)
                .followRedirects(false)
                .sendExpectContinue(false)
                .build();
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) {
        // Plugins call in with their own class loader as context loader; Helidon's service registry
        // looks services up through it, so Helidon code must run with the server's loader.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(SERVER_LOADER);
        try {
            return sendWithRetry(request);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private UpstreamResponse sendWithRetry(UpstreamRequest request) {
        try {
            return sendOnce(request);
        } catch (StaleConnection stale) {
            // A pooled connection the upstream had already closed fails before anything was read; the
            // request never reached a live server, so one immediate retry on a fresh connection is safe.
            try {
                return sendOnce(request);
            } catch (StaleConnection again) {
                throw connectionFailed(request, again.getCause());
            }
        }
    }

    private UpstreamResponse sendOnce(UpstreamRequest request) {
        Duration remaining = Duration.between(clock.instant(), request.deadline());
        if (remaining.isNegative() || remaining.isZero()) {
            throw GatewayException.of(ErrorCode.TIMEOUT, "the request deadline passed before the provider was called");
        }
        // Non-streaming: no read may outlast the deadline. Streaming: the idle timeout bounds each wait.
        Duration readTimeout = request.stream() ? request.idleTimeout() : remaining;
        HttpClientRequest http = client.method(Method.create(request.method()))
                .uri(request.uri())
                .readTimeout(readTimeout);
        request.headers().forEach((name, values) ->
                http.header(HeaderNames.create(name), values.toArray(new String[0])));
        HttpClientResponse response;
        try {
            response = request.body() == null ? http.request() : http.submit(request.body());
        } catch (RuntimeException e) {
            throw classify(request, e);
        }
        return new HelidonUpstreamResponse(response, request, clock);
    }

    private static RuntimeException classify(UpstreamRequest request, RuntimeException e) {
        if (e instanceof GatewayException gateway) {
            return gateway;
        }
        Throwable cause = e;
        boolean connectFailure = false;
        while (cause != null) {
            if (cause instanceof SocketTimeoutException) {
                return GatewayException.of(ErrorCode.TIMEOUT, "the provider did not answer in time ("
                        + request.uri().getHost() + ")");
            }
            if (cause instanceof ConnectException || cause instanceof UnknownHostException
                    || cause instanceof NoRouteToHostException) {
                connectFailure = true;
            }
            cause = cause.getCause() == cause ? null : cause.getCause();
        }
        if (connectFailure) {
            return connectionFailed(request, e);
        }
        return new StaleConnection(e);
    }

    static GatewayException connectionFailed(UpstreamRequest request, Throwable cause) {
        return new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "cannot reach the provider at "
                + request.uri().getScheme() + "://" + request.uri().getAuthority()
                + "; check its base-url and that it is up", null, null, cause);
    }

    /** A failure on a connection before any response byte arrived. */
    private static final class StaleConnection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleConnection(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** The declared length as text; {@code contentLength()} converts through Helidon's mapper registry. */
    private static long contentLength(io.helidon.http.Headers headers) {
        String value = headers.first(HeaderNames.CONTENT_LENGTH).orElse(null);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static final class HelidonUpstreamResponse implements UpstreamResponse {
        private final HttpClientResponse response;
        private final UpstreamRequest request;
        private final Clock clock;
        private final Headers headers;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile boolean timedOut;

        HelidonUpstreamResponse(HttpClientResponse response, UpstreamRequest request, Clock clock) {
            this.response = response;
            this.request = request;
            this.clock = clock;
            Headers.Builder builder = Headers.builder();
            for (Header header : response.headers()) {
                for (String value : header.allValues()) {
                    builder.add(header.name(), value);
                }
            }
            this.headers = builder.build();
        }

        @Override
        public int status() {
            return response.status().code();
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public byte[] body() {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(SERVER_LOADER);
            try {
                return readBody();
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        private byte[] readBody() {
            // Each read is bounded by the time left when the call started; a body that trickles in would
            // still outlast the deadline, so a watchdog closes the connection when the deadline passes.
            long remaining = Duration.between(clock.instant(), request.deadline()).toNanos();
            java.util.concurrent.ScheduledFuture<?> watchdog = DEADLINES.schedule(() -> {
                timedOut = true;
                close();
            }, Math.max(0, remaining), java.util.concurrent.TimeUnit.NANOSECONDS);
            try {
                byte[] body = readAll();
                if (timedOut) {
                    throw GatewayException.of(ErrorCode.TIMEOUT, "the provider did not finish its answer within "
                            + "the timeout");
                }
                return body;
            } catch (GatewayException e) {
                if (timedOut) {
                    throw GatewayException.of(ErrorCode.TIMEOUT, "the provider did not finish its answer within "
                            + "the timeout");
                }
                throw e;
            } finally {
                watchdog.cancel(false);
            }
        }

        private byte[] readAll() {
            InputStream in = response.inputStream();
            long length = contentLength(response.headers());
            ByteArrayOutputStream out = new ByteArrayOutputStream(length > 0 && length < MAX_BODY
                    ? (int) length : 8192);
            byte[] chunk = new byte[16384];
            try {
                while (true) {
                    int read;
                    try {
                        read = in.read(chunk);
                    } catch (RuntimeException e) {
                        // Helidon 4.2 throws instead of returning -1 at the end of a body delimited by
                        // connection close; what was read so far is the whole body.
                        if (length < 0 && isEndOfData(e)) {
                            break;
                        }
                        throw e;
                    }
                    if (read < 0) {
                        break;
                    }
                    out.write(chunk, 0, read);
                    if (out.size() > MAX_BODY) {
                        throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE,
                                "the provider's answer is larger than 512 MB");
                    }
                    if (clock.instant().isAfter(request.deadline())) {
                        throw GatewayException.of(ErrorCode.TIMEOUT, "the provider did not finish its answer in time");
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                close();
                throw bodyFailure(e);
            } catch (RuntimeException e) {
                close();
                if (e instanceof GatewayException g) {
                    throw g;
                }
                throw bodyFailure(e);
            }
            close();
            return out.toByteArray();
        }

        /** Whether the body has its own end marker (chunked or a length), so losing the connection is an error. */
        private boolean delimited() {
            return contentLength(response.headers()) >= 0
                    || response.headers().first(io.helidon.http.HeaderNames.TRANSFER_ENCODING)
                    .map(v -> v.toLowerCase(java.util.Locale.ROOT).contains("chunked")).orElse(false);
        }

        private static boolean isEndOfData(RuntimeException e) {
            return e.getClass().getSimpleName().contains("InsufficientData");
        }

        private GatewayException bodyFailure(Exception e) {
            Throwable cause = e;
            while (cause != null) {
                if (cause instanceof SocketTimeoutException) {
                    return GatewayException.of(ErrorCode.TIMEOUT, "the provider did not finish its answer in time");
                }
                cause = cause.getCause() == cause ? null : cause.getCause();
            }
            return new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED,
                    "the provider broke the connection while sending its answer", null, null, e);
        }

        @Override
        public EventStream events() {
            SseEventReader reader = new SseEventReader(response.inputStream());
            HelidonUpstreamResponse self = this;
            return new EventStream() {
                @Override
                public StreamEvent next() {
                    if (closed.get()) {
                        return null;
                    }
                    Thread thread = Thread.currentThread();
                    ClassLoader previous = thread.getContextClassLoader();
                    thread.setContextClassLoader(SERVER_LOADER);
                    try {
                        return reader.next();
                    } catch (IOException | UncheckedIOException e) {
                        if (closed.get()) {
                            return null;
                        }
                        self.close();
                        throw streamFailure(e);
                    } catch (RuntimeException e) {
                        if (closed.get()) {
                            return null;
                        }
                        if (isEndOfData(e) && !delimited()) {
                            return null; // a body delimited by connection close ends this way in Helidon 4.2
                        }
                        self.close();
                        throw streamFailure(e);
                    } finally {
                        thread.setContextClassLoader(previous);
                    }
                }

                @Override
                public void close() {
                    self.close();
                }
            };
        }

        private GatewayException streamFailure(Exception e) {
            Throwable cause = e;
            while (cause != null) {
                if (cause instanceof SocketTimeoutException) {
                    return GatewayException.of(ErrorCode.TIMEOUT, "the provider sent no stream event for "
                            + request.idleTimeout().toMillis() + " ms (stream-idle-timeout)");
                }
                cause = cause.getCause() == cause ? null : cause.getCause();
            }
            return new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED,
                    "the provider broke the connection in the middle of the stream", null, null, e);
        }

        @Override
        public InputStream stream() {
            return response.inputStream();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                Thread thread = Thread.currentThread();
                ClassLoader previous = thread.getContextClassLoader();
                thread.setContextClassLoader(SERVER_LOADER);
                try {
                    response.close();
                } catch (RuntimeException ignored) {
                    // closing a broken connection may fail again; it is released either way
                } finally {
                    thread.setContextClassLoader(previous);
                }
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
}
