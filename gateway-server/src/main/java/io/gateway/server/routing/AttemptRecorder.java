package io.gateway.server.routing;

import io.gateway.server.core.Pricing;
import io.gateway.server.core.ServerOutcome;
import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.telemetry.AttemptSpan;
import io.gateway.spi.GatewayException;
import io.gateway.spi.TokenUsage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records one upstream attempt as it goes: the answer's facts into the request's outcome (usage) and
 * into the attempt's span, and, once the attempt ends (for a stream: when the stream ends), the
 * GenAI metrics and the span's end. Ending is idempotent, since a stream may end from the client's
 * thread or the relay's.
 */
final class AttemptRecorder implements ProviderRuntime.AnswerSink {

    private final ServerOutcome outcome;
    private final AttemptSpan span;
    private final GatewayMetrics metrics;
    private final String operation;
    private final String providerName;
    private final String provider;
    private final String model;
    private final Pricing pricing;
    private final String virtualKey;
    private final long started = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean unitsPriced = new AtomicBoolean();
    private volatile TokenUsage usage;
    private volatile io.gateway.spi.Operation kind;
    private volatile Pricing.Units units = Pricing.Units.NONE;
    private volatile double answeredSeconds = -1;
    private volatile int answeredImages;
    private volatile java.math.BigDecimal unitCost;

    AttemptRecorder(ServerOutcome outcome, AttemptSpan span, GatewayMetrics metrics, String operation,
                    String providerName, String provider, String model, Pricing pricing, String virtualKey) {
        this.pricing = pricing;
        this.virtualKey = virtualKey;
        this.outcome = outcome;
        this.span = span;
        this.metrics = metrics;
        this.operation = operation;
        this.providerName = providerName;
        this.provider = provider;
        this.model = model;
    }

    @Override
    public boolean wantsAllFacts() {
        return span.recording();
    }

    @Override
    public boolean wantsContent() {
        return span.capturing();
    }

    /**
     * What the request brings for pricing by units (speech characters, the upload's audio seconds, the
     * image size), for operations billed by them.
     *
     * @param operation the operation
     * @param request   the request's units
     * @return this recorder
     */
    AttemptRecorder units(io.gateway.spi.Operation operation, Pricing.Units request) {
        this.kind = operation;
        this.units = request;
        return this;
    }

    @Override
    public void facts(AnswerScanner.Facts facts) {
        if (facts.seconds() >= 0) {
            answeredSeconds = facts.seconds();
        }
        if (facts.images() > 0) {
            answeredImages = facts.images();
        }
        JsonObjectView usageObject = JsonObjectView.of(facts.usage());
        if (usageObject.durationOnly()) {
            // {"type":"duration","seconds":N}: audio billed by time, no tokens
            answeredSeconds = usageObject.seconds();
            span.answered(facts.id(), facts.model(), facts.finishReasons(), null);
            return;
        }
        TokenUsage tokens = facts.usage() == null ? null : merged(usage, TokenUsage.parse(facts.usage()));
        if (tokens != null) {
            usage = tokens;
            outcome.usage(tokens);
            outcome.cost(pricing.cost(provider, model, tokens));
        }
        span.answered(facts.id(), facts.model(), facts.finishReasons(), tokens);
    }

    /**
     * A stream may report its usage in pieces, each count as it stood then: Anthropic's
     * {@code message_start} has the input, its {@code message_delta} the output so far. Each count is
     * kept at its largest; a stream that reports once (OpenAI's last chunk) is unchanged by this.
     */
    static TokenUsage merged(TokenUsage before, TokenUsage now) {
        if (before == null) {
            return now;
        }
        return TokenUsage.builder()
                .inputTokens(Math.max(before.inputTokens(), now.inputTokens()))
                .outputTokens(Math.max(before.outputTokens(), now.outputTokens()))
                .cachedInputTokens(Math.max(before.cachedInputTokens(), now.cachedInputTokens()))
                .cacheWriteTokens(Math.max(before.cacheWriteTokens(), now.cacheWriteTokens()))
                .reasoningTokens(Math.max(before.reasoningTokens(), now.reasoningTokens()))
                .build();
    }

    @Override
    public void content(String json) {
        span.completionText(json);
    }

    /**
     * Makes the attempt's span current while the provider is called.
     *
     * @return the scope to close
     */
    io.opentelemetry.context.Scope activate() {
        return span.activate();
    }

    /** The stream's first event arrived. */
    void firstChunk() {
        long nanos = System.nanoTime() - started;
        span.firstChunk(nanos / 1e9);
        metrics.models().answered(provider, model);
        metrics.genAiTimeToFirstChunk(operation, providerName, metrics.models().label(provider, model), nanos);
    }

    /**
     * Prices the answer by units when tokens did not price it: speech characters, audio minutes or
     * images at the model's unit price. Once; the cost goes to the outcome.
     */
    void priceUnits() {
        io.gateway.spi.Operation operation = kind;
        if (operation == null || usage != null || !unitsPriced.compareAndSet(false, true)) {
            return;
        }
        Pricing.Units request = units;
        double seconds = answeredSeconds >= 0 ? answeredSeconds : request.seconds();
        Pricing.Units used = new Pricing.Units(request.characters(), seconds, answeredImages, request.imageSize());
        pricing.unitCost(provider, model, operation, used).ifPresent(cost -> {
            unitCost = cost;
            outcome.cost(cost);
        });
    }

    /**
     * The attempt ended.
     *
     * @param status the HTTP status it ended with
     * @param error  its failure, or {@code null}
     */
    void end(int status, GatewayException error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        long nanos = System.nanoTime() - started;
        if (error == null) {
            metrics.models().answered(provider, model);
        }
        if (error == null) {
            priceUnits();
        }
        String label = metrics.models().label(provider, model);
        metrics.genAiDuration(operation, providerName, label, error == null ? null : error.errorCode().type(), nanos);
        TokenUsage tokens = usage;
        if (tokens != null) {
            metrics.genAiTokens(operation, providerName, label, tokens.inputTokens(), tokens.outputTokens());
            java.math.BigDecimal cost = pricing.cost(provider, model, tokens);
            if (cost.signum() > 0) {
                metrics.cost(provider, label, virtualKey, cost.doubleValue());
            }
        } else if (unitCost != null && unitCost.signum() > 0) {
            metrics.cost(provider, label, virtualKey, unitCost.doubleValue());
        }
        span.end(status, error);
    }

    /** A usage object read for what decides its kind: tokens, or audio seconds only. */
    private record JsonObjectView(boolean durationOnly, double seconds) {
        static JsonObjectView of(jakarta.json.JsonObject usage) {
            if (usage == null || !(usage.get("seconds") instanceof jakarta.json.JsonNumber seconds)
                    || usage.containsKey("input_tokens") || usage.containsKey("prompt_tokens")
                    || usage.containsKey("total_tokens")) {
                return new JsonObjectView(false, -1);
            }
            return new JsonObjectView(true, seconds.doubleValue());
        }
    }
}
