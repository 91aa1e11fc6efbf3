package io.gateway.server.telemetry;

import io.gateway.spi.Headers;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.net.URI;

/**
 * The upstream client providers get when tracing is on: every request carries a {@code traceparent}
 * naming the current attempt span, and that span learns the upstream's address and port. Without
 * tracing the server hands providers the plain client.
 */
public final class TracingUpstreamClient implements UpstreamClient {

    private static final TextMapSetter<Headers.Builder> SETTER = (carrier, key, value) -> {
        if (carrier != null) {
            carrier.set(key, value);
        }
    };

    private final UpstreamClient delegate;
    private final Telemetry telemetry;

    /**
     * Wraps a client.
     *
     * @param delegate  the client
     * @param telemetry the telemetry (tracing on)
     */
    public TracingUpstreamClient(UpstreamClient delegate, Telemetry telemetry) {
        this.delegate = delegate;
        this.telemetry = telemetry;
    }

    /**
     * The client for providers: traced when tracing is on, else the client itself.
     *
     * @param client    the client
     * @param telemetry the telemetry
     * @return the client to lend providers
     */
    public static UpstreamClient wrap(UpstreamClient client, Telemetry telemetry) {
        return telemetry.tracing() ? new TracingUpstreamClient(client, telemetry) : client;
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) {
        URI uri = request.uri();
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        AttemptSpan.server(uri.getHost(), port);
        Headers.Builder headers = request.headers().toBuilder();
        telemetry.propagator().inject(Context.current(), headers, SETTER);
        return delegate.send(UpstreamRequest.builder(request.method(), uri)
                .headers(headers.build())
                .body(request.body())
                .content(request.content())
                .stream(request.stream())
                .deadline(request.deadline())
                .idleTimeout(request.idleTimeout())
                .build());
    }
}
