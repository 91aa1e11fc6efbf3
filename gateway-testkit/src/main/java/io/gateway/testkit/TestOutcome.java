package io.gateway.testkit;

import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.RequestOutcome;
import io.gateway.spi.middleware.RoutingAttempt;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link RequestOutcome} a test writes, standing in for the server's: give it to
 * {@link io.gateway.spi.middleware.Exchange#create(String, io.gateway.spi.Operation, jakarta.json.JsonObject,
 * io.gateway.spi.Headers, java.time.Instant, RequestOutcome)}, or let {@link RouterStandIn} fill it as the
 * server's router would. Its {@link #costUsd()} prices the usage at the serving model with the
 * {@link TestPrices} given to {@link #prices}, as the server prices with {@code gateway.pricing}; without
 * a price list it is empty.
 *
 * <p>An async job's submission is played with {@link #startJob()} (what the server records when it
 * hands the job to a worker) and {@link #finishJob()} (the worker's end, after the test recorded the
 * job's attempt and usage): actions middleware registered with {@link #onAsyncJobFinished} run then.
 * Thread-safe.
 */
public final class TestOutcome implements RequestOutcome {

    private final List<RoutingAttempt> attempts = new ArrayList<>();
    private String provider;
    private String model;
    private int fallbackIndex;
    private TokenUsage usage;
    private AsyncDelivery asyncDelivery = AsyncDelivery.NONE;
    private TestPrices prices;
    private BigDecimal fixedCost;
    /** 0: no job; 1: a job runs; 2: the job finished. */
    private int job;
    private final List<Consumer<RequestOutcome>> jobActions = new ArrayList<>();

    /** An outcome where nothing has happened yet. */
    public TestOutcome() {
    }

    /**
     * Records an upstream attempt; its provider and model become the serving ones.
     *
     * @param attempt the attempt
     * @return this outcome
     */
    public synchronized TestOutcome attempt(RoutingAttempt attempt) {
        attempts.add(attempt);
        provider = attempt.provider();
        model = attempt.model();
        fallbackIndex = attempt.fallback();
        return this;
    }

    /**
     * Records the answer's token usage.
     *
     * @param value the usage
     * @return this outcome
     */
    public synchronized TestOutcome usage(TokenUsage value) {
        usage = value;
        return this;
    }

    /**
     * Records which async delivery the request is.
     *
     * @param value the delivery
     * @return this outcome
     */
    public synchronized TestOutcome asyncDelivery(AsyncDelivery value) {
        asyncDelivery = value;
        return this;
    }

    /**
     * Records that the request submitted an async job: the delivery becomes
     * {@link AsyncDelivery#SUBMITTED} and actions registered with {@link #onAsyncJobFinished} wait for
     * {@link #finishJob()}.
     *
     * @return this outcome
     */
    public synchronized TestOutcome startJob() {
        asyncDelivery = AsyncDelivery.SUBMITTED;
        job = 1;
        return this;
    }

    /**
     * Ends the job {@link #startJob()} began, as the server's worker does when the job completed or
     * failed: the registered actions run once, on this thread, in registration order.
     *
     * @return this outcome
     * @throws IllegalStateException when no job was started or it finished already
     */
    public TestOutcome finishJob() {
        List<Consumer<RequestOutcome>> actions;
        synchronized (this) {
            if (job != 1) {
                throw new IllegalStateException(job == 0 ? "no job was started; call startJob() first"
                        : "the job finished already");
            }
            job = 2;
            actions = List.copyOf(jobActions);
            jobActions.clear();
        }
        actions.forEach(action -> action.accept(this));
        return this;
    }

    @Override
    public boolean onAsyncJobFinished(Consumer<RequestOutcome> action) {
        Objects.requireNonNull(action, "action");
        synchronized (this) {
            if (job == 0) {
                return false;
            }
            if (job == 1) {
                jobActions.add(action);
                return true;
            }
        }
        action.accept(this);
        return true;
    }

    /**
     * Prices this outcome's usage with a price list, as the server prices with {@code gateway.pricing}.
     *
     * @param value the price list
     * @return this outcome
     */
    public synchronized TestOutcome prices(TestPrices value) {
        prices = value;
        return this;
    }

    /**
     * A cost priced by units rather than tokens (audio minutes, speech characters, images), as the
     * server records it for such answers; it wins over the usage's price.
     *
     * @param value USD, or {@code null} to price the usage again
     * @return this outcome
     */
    public synchronized TestOutcome cost(BigDecimal value) {
        fixedCost = value;
        return this;
    }

    /**
     * The cost set with {@link #cost(BigDecimal)}, else the usage priced at the serving provider and
     * model (a model without a price costs 0, as in the server); empty without usage, a serving model,
     * or a price list.
     *
     * @return USD, or empty
     */
    @Override
    public synchronized Optional<BigDecimal> costUsd() {
        if (fixedCost != null) {
            return Optional.of(fixedCost);
        }
        if (usage == null || prices == null || provider == null || model == null) {
            return Optional.empty();
        }
        return Optional.of(prices.cost(provider, model, usage));
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
}
