package io.gateway.server.core;

import io.gateway.spi.ModelRef;
import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.RequestOutcome;
import io.gateway.spi.middleware.RoutingAttempt;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's record of one request's outcome: what middleware reads as {@link RequestOutcome}, plus
 * the time spent waiting for providers (for the overhead metric). The router, the async layer and
 * the provider call write it; the HTTP layer reads it to set the routing headers. Thread-safe: an
 * async job's worker writes it while the request's thread may read it.
 */
public final class ServerOutcome implements RequestOutcome {

    private final List<RoutingAttempt> attempts = new ArrayList<>(2);
    private String provider;
    private String model;
    private int fallbackIndex;
    private TokenUsage usage;
    private AsyncDelivery asyncDelivery = AsyncDelivery.NONE;
    private long upstreamNanos;
    private ModelRef requested;
    private String traceId;
    private java.math.BigDecimal cost;
    private String clientIdentity;

    /**
     * The server's outcome of an exchange. An exchange a middleware built from scratch (not with its
     * {@code with*} copies) has lost the server's; the router then records into a new, unshared one.
     *
     * @param exchange the exchange
     * @return its outcome
     */
    public static ServerOutcome of(Exchange exchange) {
        return exchange.outcome() instanceof ServerOutcome outcome ? outcome : new ServerOutcome();
    }

    /**
     * Records an attempt, and that its provider and model are the latest.
     *
     * @param attempt the attempt
     */
    public synchronized void attempt(RoutingAttempt attempt) {
        attempts.add(attempt);
        provider = attempt.provider();
        model = attempt.model();
        fallbackIndex = attempt.fallback();
    }

    /**
     * Records which target is being tried, before any attempt exists (so a failure without one can
     * still name the provider).
     *
     * @param providerName  the provider
     * @param modelName     the bare model
     * @param fallback      its index in the fallback list
     */
    public synchronized void target(String providerName, String modelName, int fallback) {
        provider = providerName;
        model = modelName;
        fallbackIndex = fallback;
    }

    /**
     * Records the answer's token usage.
     *
     * @param value the usage
     */
    public synchronized void usage(TokenUsage value) {
        usage = value;
    }

    /**
     * Records which async delivery this request is.
     *
     * @param value the delivery
     */
    public synchronized void asyncDelivery(AsyncDelivery value) {
        asyncDelivery = value;
    }

    /**
     * Adds time spent waiting for a provider.
     *
     * @param nanos the time
     */
    public synchronized void addUpstreamNanos(long nanos) {
        upstreamNanos += nanos;
    }

    /**
     * Time spent waiting for providers.
     *
     * @return nanoseconds
     */
    public synchronized long upstreamNanos() {
        return upstreamNanos;
    }

    /**
     * Records the model the client asked for, as soon as it is known (before validation, so that an
     * error can name it).
     *
     * @param model the model
     */
    public synchronized void requested(ModelRef model) {
        requested = model;
    }

    /**
     * The model the client asked for.
     *
     * @return the model, or empty when unknown
     */
    public synchronized Optional<ModelRef> requested() {
        return Optional.ofNullable(requested);
    }

    /**
     * Records what the answer cost.
     *
     * @param usd the cost in USD
     */
    public synchronized void cost(java.math.BigDecimal usd) {
        cost = usd;
    }

    @Override
    public synchronized Optional<java.math.BigDecimal> costUsd() {
        return Optional.ofNullable(cost);
    }

    /**
     * Records the trace the request belongs to.
     *
     * @param id the W3C trace id, or {@code null} without tracing
     */
    public synchronized void traceId(String id) {
        traceId = id;
    }

    @Override
    public synchronized Optional<String> traceId() {
        return Optional.ofNullable(traceId);
    }

    /**
     * Records who the client is, as authentication middleware established it
     * ({@link io.gateway.spi.middleware.AttributeKey#CLIENT_IDENTITY} on the exchange that reached the end
     * of the chain), for the request log.
     *
     * @param identity e.g. a virtual key's name, or {@code null} when no middleware set one
     */
    public synchronized void clientIdentity(String identity) {
        clientIdentity = identity;
    }

    /**
     * Who the client is, when authentication middleware said so and the request reached the end of the
     * chain.
     *
     * @return e.g. a virtual key's name (never a key's value), or empty
     */
    public synchronized Optional<String> clientIdentity() {
        return Optional.ofNullable(clientIdentity);
    }

    /**
     * Upstream attempts after the first.
     *
     * @return the count
     */
    public synchronized int retries() {
        return Math.max(0, attempts.size() - 1);
    }

    @Override
    public synchronized List<RoutingAttempt> attempts() {
        return List.copyOf(attempts);
    }

    @Override
    public synchronized Optional<String> provider() {
        return Optional.ofNullable(provider);
    }

    @Override
    public synchronized Optional<String> model() {
        return Optional.ofNullable(model);
    }

    @Override
    public synchronized int fallbackIndex() {
        return fallbackIndex;
    }

    @Override
    public synchronized Optional<TokenUsage> usage() {
        return Optional.ofNullable(usage);
    }

    @Override
    public synchronized AsyncDelivery asyncDelivery() {
        return asyncDelivery;
    }

    @Override
    public synchronized String toString() {
        return attempts.toString();
    }
}
