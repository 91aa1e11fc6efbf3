package io.gateway.plugins.azure;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link UpstreamClient} over the JDK's HTTP client, standing in for the server's: bodies are
 * streamed (never buffered before the caller asks) and events are parsed as they arrive.
 */
final class JdkUpstreamClient implements UpstreamClient {

    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "upgrade",
            "expect");

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Override
    public UpstreamResponse send(UpstreamRequest request) {
        Duration remaining = Duration.between(Instant.now(), request.deadline());
        if (remaining.isNegative() || remaining.isZero()) {
            throw GatewayException.of(ErrorCode.TIMEOUT, "the deadline passed before the request was sent");
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(remaining);
        request.headers().forEach((name, values) -> {
            if (!RESTRICTED.contains(name)) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        builder.method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        try {
            HttpResponse<InputStream> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
            return new JdkResponse(response);
        } catch (HttpTimeoutException e) {
            throw new GatewayException(ErrorCode.TIMEOUT, "the upstream did not answer in time", null, null, e);
        } catch (IOException e) {
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "the upstream could not be reached",
                    null, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "interrupted", null, null, e);
        }
    }

    private static final class JdkResponse implements UpstreamResponse {
        private final HttpResponse<InputStream> response;
        private final Headers headers;
        private final AtomicBoolean closed = new AtomicBoolean();

        JdkResponse(HttpResponse<InputStream> response) {
            this.response = response;
            this.headers = Headers.of(response.headers().map());
        }

        @Override
        public int status() {
            return response.statusCode();
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public byte[] body() {
            try (InputStream in = response.body()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "the connection broke", null, null, e);
            }
        }

        @Override
        public EventStream events() {
            SseReader reader = new SseReader(response.body());
            return new EventStream() {
                @Override
                public StreamEvent next() {
                    if (closed.get()) {
                        return null;
                    }
                    try {
                        return reader.next();
                    } catch (IOException e) {
                        if (closed.get()) {
                            return null;
                        }
                        throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "the stream broke", null,
                                null, e);
                    }
                }

                @Override
                public void close() {
                    JdkResponse.this.close();
                }
            };
        }

        @Override
        public InputStream stream() {
            return response.body();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                try {
                    response.body().close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
