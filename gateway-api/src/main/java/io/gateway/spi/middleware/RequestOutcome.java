package io.gateway.spi.middleware;

import io.gateway.spi.TokenUsage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What happened to one request beyond the middleware: the upstream attempts the router made, the
 * provider and model that answered, the tokens the answer used, and, for async jobs, which delivery
 * this is. The server fills it in as the request goes; middleware reads it through
 * {@link Exchange#outcome()} after {@link Chain#proceed} returned or threw, and for streams once the
 * stream ended ({@link io.gateway.spi.EventStream#onComplete}). A read-only view: only the server
 * writes it. Thread-safe; each method returns the state at the time of the call.
 */
public interface RequestOutcome {

    /**
     * The upstream attempts so far, in order.
     *
     * @return an immutable snapshot
     */
    List<RoutingAttempt> attempts();

    /**
     * The provider of the attempt that answered, or of the last attempt after a failure.
     *
     * @return the provider name, or empty before any attempt
     */
    Optional<String> provider();

    /**
     * The model sent upstream by that attempt (bare, e.g. {@code gpt-4o-mini}); differs from the
     * requested one after a fallback.
     *
     * @return the model, or empty before any attempt
     */
    Optional<String> model();

    /**
     * Which target answered: 0 for the requested model, 1 for the first fallback, and so on.
     *
     * @return the index
     */
    int fallbackIndex();

    /**
     * The tokens the answer used, as the answer (or the stream's usage event) reported them. Empty
     * when the answer reported none, the request failed, or the stream has not ended yet.
     *
     * @return the usage, or empty
     */
    Optional<TokenUsage> usage();

    /**
     * For async requests, which delivery this answer is.
     *
     * @return the delivery; {@link AsyncDelivery#NONE} for synchronous requests
     */
    AsyncDelivery asyncDelivery();

    /**
     * What the answer cost, priced by the gateway's price list ({@code gateway.pricing}) at the model
     * that served: from its token usage, or, for answers priced by other units (since SPI 2.1), from
     * the minutes of audio transcribed, the characters of speech input or the images made. Empty when
     * the answer was priced by nothing (no usage, no units).
     *
     * @return USD, or empty
     */
    default Optional<java.math.BigDecimal> costUsd() {
        return Optional.empty();
    }

    /**
     * The id of the trace this request belongs to, when the gateway exports traces, so that logs can
     * name it beside the request id.
     *
     * @return the 32-hex-digit W3C trace id, or empty
     */
    default Optional<String> traceId() {
        return Optional.empty();
    }

    /**
     * Runs an action once the background work this request started has finished. The only such work
     * is an async job: for its submission ({@link AsyncDelivery#SUBMITTED}) the action runs when the
     * job's worker has the answer or has failed, whichever replica later delivers the result and
     * whether or not anyone ever polls. The outcome it receives is this one, holding the job's attempts,
     * serving model, {@link #usage()} and {@link #costUsd()} (empty after a failure). This is how
     * middleware charges a job when it completes.
     *
     * <p>Register after {@link Chain#proceed} returned the submission's answer. The action runs once:
     * on the worker's thread, or at once on the caller's thread when the job had already finished. It
     * runs with the context class loader the caller had when registering. It must not block for long;
     * what it throws is logged and otherwise ignored. When the replica running the job stops before the
     * job finished, the action never runs: state the action would release must expire by itself.
     * Since SPI 2.1.
     *
     * @param action what to run, given this outcome
     * @return {@code true} when the action will run (or has run); {@code false} when this request
     *         started no background work (a synchronous request, a poll, a failed submission) or the
     *         outcome cannot report it (the default): then it never runs
     */
    default boolean onAsyncJobFinished(Consumer<RequestOutcome> action) {
        Objects.requireNonNull(action, "action");
        return false;
    }

    /** Async job deliveries, so that usage is charged exactly once per job. */
    enum AsyncDelivery {
        /** A synchronous request. */
        NONE,
        /** The submission of an async job, answered with the pending job: nothing ran yet. */
        SUBMITTED,
        /**
         * A poll that receives a finished job's result for the first time: its usage is this request's
         * outcome's. Middleware that charged the job when it finished ({@link #onAsyncJobFinished}) does
         * not charge it again here.
         */
        FIRST,
        /** A poll that receives a result delivered before, or a pending or failed job: nothing to charge. */
        REPEAT
    }

    /**
     * An outcome where nothing happened: no attempts, no usage. For exchanges built outside the
     * server.
     *
     * @return the empty outcome
     */
    static RequestOutcome empty() {
        return EmptyOutcome.INSTANCE;
    }
}
