package io.gateway.server.routing;

import io.gateway.spi.AttributeKey;

/**
 * Per-request time accounting, carried on the exchange under a server-private key: how long the
 * request waited for providers, so the gateway's own overhead can be exported as total minus that.
 * Touched by the request's own thread only.
 */
public final class RequestTimings {

    /** The server-private attribute key. */
    public static final AttributeKey<RequestTimings> KEY = AttributeKey.of("gateway-timings", RequestTimings.class);

    private long upstreamNanos;
    private String provider;
    private String resolvedModel;

    /**
     * Adds time spent waiting for a provider.
     *
     * @param nanos the time
     */
    public void addUpstream(long nanos) {
        upstreamNanos += nanos;
    }

    /**
     * Time spent waiting for providers.
     *
     * @return nanoseconds
     */
    public long upstreamNanos() {
        return upstreamNanos;
    }

    /**
     * Records which provider served (or failed last).
     *
     * @param name  provider name
     * @param model the model sent upstream
     */
    public void served(String name, String model) {
        this.provider = name;
        this.resolvedModel = model;
    }

    /**
     * The provider that served or failed last.
     *
     * @return the name, or {@code null} before routing
     */
    public String provider() {
        return provider;
    }

    /**
     * The model sent upstream.
     *
     * @return the model, or {@code null} before routing
     */
    public String resolvedModel() {
        return resolvedModel;
    }
}
