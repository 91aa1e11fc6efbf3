package io.gateway.testkit;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An upstream client doing real HTTP/1.1 over the JDK's {@link HttpClient}, with the semantics of the
 * server's client: a call past its deadline is not sent (504); the status and headers must arrive by
 * the deadline (504 {@code request_timed_out}); a whole body must be read by the deadline; each stream
 * event must arrive within the request's idle timeout (504); an upstream that cannot be reached or
 * breaks the connection is 502 {@code provider_connection_failed}; events are parsed with the kit's
 * {@link SseParser} as they arrive (at most 16 MB each, else 502 {@code invalid_upstream_response});
 * redirects are not followed; {@code user-agent: llm-gateway} is sent unless the plugin sets one; and
 * hop-by-hop headers ({@code host}, {@code content-length}, {@code connection}…) are left to the
 * client. Point a provider at a fake upstream ({@link io.gateway.testkit.http.FakeUpstream} or a
 * vendor fake) through its {@code base-url}, or keep the provider's default URL and
 * {@link Builder#redirectTo redirect} every request to the fake.
 *
 * <p>Deadlines are measured in real time, as the calls wait in real time: build them from
 * {@link Instant#now()}, not from a {@link TestClock} standing in the past.
 *
 * <p>Thread-safe. Close it to release the JDK client and its timer thread.
 */
public final class HttpUpstream implements RecordingUpstream, AutoCloseable {

    /** The largest stream event accepted, as in the server. */
    public static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "transfer-encoding",
            "connection", "keep-alive", "upgrade", "te", "trailer", "proxy-connection", "expect");

    private final HttpClient client;
    private final URI redirect;
    private final ScheduledExecutorService timer;
    private final List<UpstreamRequest> requests = new CopyOnWriteArrayList<>();
    private final List<TrackedResponse> responses = new CopyOnWriteArrayList<>();

    private HttpUpstream(Builder builder) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(builder.connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.redirect = builder.redirect;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "testkit-http-upstream-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * A client with a 5 s connect timeout (the server's default {@code connect-timeout}).
     *
     * @return the client
     */
    public static HttpUpstream create() {
        return builder().build();
    }

    /**
     * A client that sends every request to another server, keeping path and query: a provider keeps
     * its default base URL (which {@link #requests()} shows) while a fake answers.
     *
     * @param base the fake's base URL, e.g. {@code http://127.0.0.1:54321}
     * @return the client
     */
    public static HttpUpstream redirectingTo(String base) {
        return builder().redirectTo(URI.create(base)).build();
    }

    /**
     * A builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<UpstreamRequest> requests() {
        return List.copyOf(requests);
    }

    @Override
    public List<TrackedResponse> responses() {
        return List.copyOf(responses);
    }

    @Override
    public TrackedResponse send(UpstreamRequest request) {
        Objects.requireNonNull(request, "request");
        requests.add(request);
        Duration left = Duration.between(Instant.now(), request.deadline());
        if (left.isNegative() || left.isZero()) {
            throw GatewayException.of(ErrorCode.TIMEOUT, "the request deadline passed before the provider was called");
        }
        URI target = target(request.uri());
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw GatewayException.of(ErrorCode.INTERNAL, "the provider URL " + origin(target)
                    + " is not http or https; fix the provider's base-url");
        }
        HttpRequest.Builder http = HttpRequest.newBuilder(target).timeout(left);
        boolean[] userAgent = {false};
        request.headers().forEach((name, values) -> {
            if (HOP_BY_HOP.contains(name)) {
                return;
            }
            for (String value : values) {
                if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                    throw GatewayException.of(ErrorCode.INTERNAL, "the header '" + name + "' for the provider "
                            + "contains a line break; check the provider's configuration (a key read from a "
                            + "file often ends with one)");
                }
                http.header(name, value);
            }
            userAgent[0] |= name.equals("user-agent");
        });
        if (!userAgent[0]) {
            http.header("user-agent", "llm-gateway");
        }
        byte[] body = request.body();
        http.method(request.method(), body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<InputStream> response;
        try {
            response = client.send(http.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "cannot reach the provider at "
                    + origin(target) + "; check its base-url and that it is up", null, null, e);
        } catch (HttpTimeoutException e) {
            throw GatewayException.of(ErrorCode.TIMEOUT, "the provider did not answer in time (" + target.getHost()
                    + ")");
        } catch (ConnectException e) {
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "cannot reach the provider at "
                    + origin(target) + "; check its base-url and that it is up", null, null, e);
        } catch (IOException e) {
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "the connection to the provider at "
                    + origin(target) + " broke before it answered", null, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "the call to the provider at "
                    + origin(target) + " was interrupted", null, null, e);
        }
        Answer answer = new Answer(request, response);
        responses.add(answer);
        return answer;
    }

    private URI target(URI uri) {
        if (redirect == null) {
            return uri;
        }
        try {
            String path = (redirect.getRawPath() == null ? "" : stripSlash(redirect.getRawPath()))
                    + (uri.getRawPath() == null ? "" : uri.getRawPath());
            return new URI(redirect.getScheme() + "://" + redirect.getRawAuthority() + path
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot redirect " + uri + " to " + redirect, e);
        }
    }

    private static String stripSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    /** Releases the JDK client and the timer. Answers still open are aborted. */
    @Override
    public void close() {
        for (TrackedResponse response : responses) {
            response.close();
        }
        timer.shutdownNow();
        client.close();
    }

    @Override
    public String toString() {
        return "HttpUpstream[" + requests.size() + " requests" + (redirect == null ? "" : ", to " + redirect) + "]";
    }

    /** Builds an {@link HttpUpstream}. Not thread-safe. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(5);
        private URI redirect;

        private Builder() {
        }

        /**
         * How long to wait for a connection (the provider's {@code connect-timeout}).
         *
         * @param value the timeout
         * @return this builder
         */
        public Builder connectTimeout(Duration value) {
            connectTimeout = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * Sends every request to this server instead, keeping each request's path (after the base's own
         * path) and query.
         *
         * @param base an absolute http URL
         * @return this builder
         */
        public Builder redirectTo(URI base) {
            if (!base.isAbsolute()) {
                throw new IllegalArgumentException("the redirect target must be absolute: " + base);
            }
            redirect = base;
            return this;
        }

        /**
         * The client.
         *
         * @return a new client
         */
        public HttpUpstream build() {
            return new HttpUpstream(this);
        }
    }

    /** One answer: the JDK response and what the plugin did with it. */
    private final class Answer implements TrackedResponse {
        private final UpstreamRequest request;
        private final HttpResponse<InputStream> response;
        private final Headers headers;
        private final Body body;
        private final AtomicBoolean taken = new AtomicBoolean();

        Answer(UpstreamRequest request, HttpResponse<InputStream> response) {
            this.request = request;
            this.response = response;
            Headers.Builder builder = Headers.builder();
            response.headers().map().forEach((name, values) -> {
                if (!name.startsWith(":")) {
                    values.forEach(value -> builder.add(name, value));
                }
            });
            this.headers = builder.build();
            this.body = new Body(response.body());
        }

        @Override
        public UpstreamRequest request() {
            return request;
        }

        @Override
        public int status() {
            return response.statusCode();
        }

        @Override
        public Headers headers() {
            return headers;
        }

        private void take(String how) {
            if (!taken.compareAndSet(false, true)) {
                throw new IllegalStateException("the body of this upstream answer was already read; read it once, "
                        + "with body(), events() or stream() (" + how + ")");
            }
        }

        @Override
        public byte[] body() {
            take("body()");
            Duration left = Duration.between(Instant.now(), request.deadline());
            ScheduledFuture<?> alarm = body.alarm(left.isNegative() ? Duration.ZERO : left);
            try {
                return body.readAllBytes();
            } catch (IOException e) {
                throw failure(e, "the provider did not finish its answer within the timeout",
                        "the provider broke the connection while sending its answer");
            } finally {
                alarm.cancel(false);
            }
        }

        private GatewayException failure(IOException e, String timedOut, String broken) {
            boolean alarmed = body.alarmed;
            boolean byCaller = body.closedByCaller;
            body.closeQuietly();
            if (alarmed) {
                return GatewayException.of(ErrorCode.TIMEOUT, timedOut);
            }
            return new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, byCaller
                    ? "the call to the provider was cancelled while its answer arrived" : broken, null, null, e);
        }

        @Override
        public EventStream events() {
            take("events()");
            SseParser parser = new SseParser(body, MAX_EVENT_BYTES);
            return new EventStream() {
                @Override
                public StreamEvent next() {
                    if (body.closedByCaller) {
                        return null;
                    }
                    ScheduledFuture<?> alarm = body.alarm(request.idleTimeout());
                    try {
                        SseFrame frame = parser.nextOrNull();
                        return frame == null ? null : new StreamEvent(frame.event(), frame.data());
                    } catch (SseParser.EventTooLargeException e) {
                        body.closeQuietly();
                        throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider sent a stream event "
                                + "larger than " + (MAX_EVENT_BYTES >> 20) + " MB; the gateway does not relay it");
                    } catch (UncheckedIOException e) {
                        if (body.closedByCaller) {
                            return null;
                        }
                        if (body.alarmed) {
                            body.closeQuietly();
                            throw GatewayException.of(ErrorCode.TIMEOUT, "the provider sent no stream event for "
                                    + request.idleTimeout().toMillis() + " ms (stream-idle-timeout)");
                        }
                        body.closeQuietly();
                        throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED,
                                "the provider broke the connection in the middle of the stream", null, null, e);
                    } finally {
                        alarm.cancel(false);
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
            take("stream()");
            return body;
        }

        @Override
        public void close() {
            body.closedByCaller = !body.ended;
            body.closeQuietly();
        }

        @Override
        public boolean closed() {
            return body.closed;
        }

        @Override
        public boolean fullyRead() {
            return body.ended;
        }

        @Override
        public String toString() {
            return "HttpAnswer[" + request + " -> " + status() + (body.closed ? ", closed" : "") + "]";
        }
    }

    /** The response body, which knows whether it was read to its end, closed, or cut by a timer. */
    private final class Body extends FilterInputStream {
        private volatile boolean ended;
        private volatile boolean closed;
        private volatile boolean closedByCaller;
        private volatile boolean alarmed;

        Body(InputStream in) {
            super(in);
        }

        ScheduledFuture<?> alarm(Duration after) {
            return timer.schedule(() -> {
                alarmed = true;
                closeQuietly();
            }, Math.max(1, after.toMillis()), TimeUnit.MILLISECONDS);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                ended = true;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n < 0) {
                ended = true;
            }
            return n;
        }

        @Override
        public void close() {
            if (!ended && !alarmed) {
                closedByCaller = true;
            }
            closeQuietly();
        }

        void closeQuietly() {
            closed = true;
            try {
                super.close();
            } catch (IOException ignored) {
                // the connection is gone either way
            }
        }
    }
}
