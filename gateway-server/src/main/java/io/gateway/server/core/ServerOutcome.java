package io.gateway.server.core;

import io.gateway.spi.ModelRef;
import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.RequestOutcome;
import io.gateway.spi.middleware.RoutingAttempt;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The server's record of one request's outcome: what middleware reads as {@link RequestOutcome}, plus
 * the time spent waiting for providers (for the overhead metric). The router, the async layer and
 * the provider call write it; the HTTP layer reads it to set the routing headers. Thread-safe: an
 * async job's worker writes it while the request's thread may read it, and runs the actions
 * middleware registered for the job's end ({@link #onAsyncJobFinished}) once it finished.
 */
public final class ServerOutcome implements RequestOutcome {

    private static final System.Logger LOG = System.getLogger("gateway.async");

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
    /** 0: no job; 1: a job runs; 2: the job finished. */
    private int job;
    private List<Runnable> jobActions;
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
     * Records that this request started an async job, whose end {@link #jobFinished()} reports.
     */
    public synchronized void jobStarted() {
        job = 1;
    }

    /**
     * Records that the async job this request started has finished (completed or failed: the outcome
     * holds its usage and cost, or none), and runs the actions registered for it, on this thread.
     * Each runs with the context class loader its registrant had; what one throws is logged.
     */
    public void jobFinished() {
        List<Runnable> actions;
        synchronized (this) {
            if (job != 1) {
                return;
            }
            job = 2;
            actions = jobActions;
            jobActions = null;
        }
        if (actions != null) {
            actions.forEach(Runnable::run);
        }
    }

    @Override
    public boolean onAsyncJobFinished(Consumer<RequestOutcome> action) {
        Objects.requireNonNull(action, "action");
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Runnable run = () -> {
            try {
                PluginCalls.run(loader, () -> action.accept(this));
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "an action waiting for an async job failed", e);
            }
        };
        synchronized (this) {
            if (job == 0) {
                return false;
            }
            if (job == 1) {
                if (jobActions == null) {
                    jobActions = new ArrayList<>(1);
                }
                jobActions.add(run);
                return true;
            }
        }
        run.run();
        return true;
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
        // file and batch requests name no model: their attempts carry an empty one
        return model == null || model.isEmpty() ? Optional.empty() : Optional.of(model);
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
