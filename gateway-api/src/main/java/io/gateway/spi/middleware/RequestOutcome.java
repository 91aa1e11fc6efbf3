package io.gateway.spi.middleware;

import io.gateway.spi.TokenUsage;
import java.util.List;
import java.util.Optional;

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

    /** Async job deliveries, so that usage is charged exactly once per job. */
    enum AsyncDelivery {
        /** A synchronous request. */
        NONE,
        /** The submission of an async job, answered with the pending job: nothing ran yet. */
        SUBMITTED,
        /** A poll that receives a finished job's result for the first time: its usage is this request's. */
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
