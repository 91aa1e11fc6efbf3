package io.gateway.server.routing;

import io.gateway.server.core.ClientBody;
import io.gateway.server.core.OperationKinds;
import io.gateway.server.core.Pricing;
import io.gateway.server.core.ServerOutcome;
import io.gateway.server.format.Translation;
import io.gateway.spi.middleware.AttributeKey;
import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.telemetry.AttemptSpan;
import io.gateway.server.telemetry.Telemetry;
import io.opentelemetry.context.Scope;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.RoutingAttempt;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.ProviderCall;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The innermost link of the chain: decides which provider, which key and how many attempts each
 * request gets. For each target (the requested model, then each fallback) it calls the provider with
 * a key from {@link KeyRotation}, within the provider's concurrency bound and deadline, and follows
 * {@link RoutingPolicy} after each failure: rotate the key, back off and retry, or give the target up
 * and fall back. Streams are retried only until their first event. Every attempt, the serving
 * provider and model, and the answer's usage go to the request's {@link ServerOutcome}.
 */
public final class Router {

    private static final System.Logger LOG = System.getLogger("gateway.router");

    private final Map<String, ProviderRuntime> providers;
    private final Clock clock;
    private final GatewayMetrics metrics;
    private final Telemetry telemetry;
    private final Pricing pricing;
    private final ModelCatalog catalog;

    /**
     * A router.
     *
     * @param providers providers by name, in configuration order
     * @param clock     the clock deadlines are computed with
     * @param metrics   where retries, fallbacks, drops and GenAI metrics are recorded
     * @param telemetry where attempt spans go
     * @param pricing   the price list answers are priced with
     */
    public Router(Map<String, ProviderRuntime> providers, Clock clock, GatewayMetrics metrics, Telemetry telemetry,
                  Pricing pricing) {
        this.pricing = pricing;
        this.providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        this.clock = clock;
        this.metrics = metrics;
        this.telemetry = telemetry;
        this.catalog = new ModelCatalog(this.providers.values(), clock);
    }

    /**
     * The configured providers.
     *
     * @return providers by name
     */
    public Map<String, ProviderRuntime> providers() {
        return providers;
    }

    /**
     * Routes one request.
     *
     * @param exchange the request after all middleware
     * @return the provider's response
     */
    public Response route(Exchange exchange) {
        if (exchange.operation() == Operation.LIST_MODELS) {
            return catalog.list(exchange);
        }
        if (OperationKinds.byResource(exchange.operation())) {
            return routeResource(exchange);
        }
        if (exchange.operation() == Operation.PASSTHROUGH) {
            return routePassthrough(exchange);
        }
        ModelRef requested = exchange.model();
        if (requested == null) {
            throw GatewayException.invalidRequest("'model' is required: name it as provider/model, e.g. "
                    + "openai/gpt-4o-mini", "model");
        }
        ProviderRuntime primary = provider(requested.provider());
        List<ModelRef> targets = targets(exchange, requested, primary);
        ServerOutcome outcome = ServerOutcome.of(exchange);
        GatewayException primaryError = null;
        GatewayException lastError = null;
        for (int index = 0; index < targets.size(); index++) {
            ModelRef target = targets.get(index);
            ProviderRuntime provider = index == 0 ? primary : providers.get(target.provider());
            outcome.target(provider.name(), target.model(), index);
            Translation translation = Translation.between(exchange.operation(), provider.operations(),
                    provider.chatCacheControl());
            if (exchange.operation() == Operation.COUNT_TOKENS && !provider.operations().contains(Operation.COUNT_TOKENS)) {
                // a provider that cannot count: an estimate, without an upstream call
                return Translation.estimateTokens(exchange.body());
            }
            if (translation == null && !provider.operations().contains(exchange.operation())) {
                GatewayException unsupported = new GatewayException(ErrorCode.UNSUPPORTED_OPERATION, "provider '"
                        + provider.name() + "' (type " + provider.type() + ") does not support "
                        + exchange.operation().wireName() + "; use a provider that offers it", "model", null, null);
                if (index == 0) {
                    throw unsupported;
                }
                continue;
            }
            if (index > 0) {
                metrics.count("gateway.fallbacks", 1, "provider", provider.name());
            }
            try {
                Response response = attempts(exchange, provider, target.model(), index, outcome, translation,
                        translation == null ? Upstream.of(exchange, target.model())
                                : Upstream.translated(translation.request(exchange.body(), provider.name() + " (type "
                                        + provider.type() + ")"), target.model()));
                if (outcome.retries() > 0 || index > 0) {
                    LOG.log(System.Logger.Level.INFO, "request " + exchange.requestId() + " served by "
                            + target + (index > 0 ? " (fallback " + index + ")" : "") + " after attempts " + outcome);
                }
                return response;
            } catch (GatewayException e) {
                lastError = e;
                if (index == 0) {
                    primaryError = e;
                }
                if (!RoutingPolicy.fallBack(e)) {
                    if (index == 0) {
                        throw e;
                    }
                }
            }
        }
        GatewayException reported = primaryError != null ? primaryError : lastError;
        if (targets.size() > 1 || outcome.retries() > 0) {
            LOG.log(System.Logger.Level.INFO, "request " + exchange.requestId() + " failed after attempts " + outcome
                    + "; answering with " + reported.status() + " " + reported.errorCode().type());
        }
        throw reported;
    }

    /**
     * A file or batch request: to the provider its id prefix, {@code x-bf-provider} or the default
     * names ({@link ResourceIds}), without fallbacks; ids in the answer get the provider's prefix.
     */
    private Response routeResource(Exchange exchange) {
        ResourceIds.Target target = ResourceIds.target(exchange, providers.keySet());
        ProviderRuntime provider = providers.get(target.provider());
        ServerOutcome outcome = ServerOutcome.of(exchange);
        outcome.target(provider.name(), "", 0);
        if (!provider.operations().contains(exchange.operation())) {
            throw new GatewayException(ErrorCode.UNSUPPORTED_OPERATION, "provider '" + provider.name() + "' (type "
                    + provider.type() + ") does not support " + exchange.operation().wireName()
                    + "; send the request to a provider that offers it (x-bf-provider)", null, null, null);
        }
        byte[] raw = target.body() == exchange.body() ? ClientBody.of(exchange) : null;
        Upstream upstream = new Upstream(new ForwardBody.Forwarded(target.body(), raw), target.parameters(),
                exchange.form().orElse(null), exchange.content().orElse(null));
        Response response = attempts(exchange, provider, "", 0, outcome, null, upstream);
        return ResourceIds.qualify(response, provider.name(), exchange.operation());
    }

    /**
     * A passthrough call: to the provider its path names, without fallbacks, with the client's body as it
     * came (retried on another key only when it is held in memory); the model, when the body named one,
     * only picks keys.
     */
    private Response routePassthrough(Exchange exchange) {
        String name = exchange.parameters().get("provider");
        ProviderRuntime provider = name == null ? null : providers.get(name);
        if (provider == null) {
            throw new GatewayException(ErrorCode.UNKNOWN_PROVIDER, "unknown provider '" + name + "' in the passthrough"
                    + " path; configured providers: " + String.join(", ", providers.keySet()), null, null, null);
        }
        if (!provider.operations().contains(Operation.PASSTHROUGH)) {
            throw new GatewayException(ErrorCode.UNSUPPORTED_OPERATION, "provider '" + provider.name() + "' (type "
                    + provider.type() + ") does not offer passthrough calls", null, null, null);
        }
        ModelRef model = exchange.model();
        String bare = model == null ? "" : model.model();
        ServerOutcome outcome = ServerOutcome.of(exchange);
        outcome.target(provider.name(), bare, 0);
        Upstream upstream = new Upstream(new ForwardBody.Forwarded(exchange.body(), null), exchange.parameters(),
                null, exchange.content().orElse(null));
        return attempts(exchange, provider, bare, 0, outcome, null, upstream);
    }

    /**
     * What one target is sent: the body (with the bare model), the path and query values, the form
     * (with the bare model), a raw body.
     */
    private record Upstream(ForwardBody.Forwarded body, java.util.Map<String, String> parameters,
                            io.gateway.spi.MultipartForm form, io.gateway.spi.Content content) {

        static Upstream of(Exchange exchange, String model) {
            return new Upstream(ForwardBody.forward(exchange.body(), ClientBody.of(exchange), model),
                    exchange.parameters(), exchange.form().map(form -> form.withField("model", model)).orElse(null),
                    exchange.content().orElse(null));
        }

        /** A request translated into the provider's format (Anthropic's Messages as a chat completion). */
        static Upstream translated(jakarta.json.JsonObject body, String model) {
            return new Upstream(ForwardBody.forward(body, null, model), java.util.Map.of(), null, null);
        }

        /** Whether the body can be sent again after a failed attempt. */
        boolean replayable() {
            return (form == null || form.repeatable()) && (content == null || content.repeatable());
        }
    }

    private List<ModelRef> targets(Exchange exchange, ModelRef requested, ProviderRuntime primary) {
        List<String> names;
        JsonValue fallbacks = exchange.body().get("fallbacks");
        if (fallbacks instanceof JsonArray array) {
            names = new ArrayList<>(array.size());
            for (JsonValue value : array) {
                if (!(value instanceof JsonString text)) {
                    throw GatewayException.invalidRequest("'fallbacks' must be an array of \"provider/model\" strings",
                            "fallbacks");
                }
                names.add(text.getString());
            }
        } else {
            names = primary.fallbacks();
        }
        if (names.isEmpty()) {
            return List.of(requested);
        }
        List<ModelRef> targets = new ArrayList<>(names.size() + 1);
        targets.add(requested);
        for (String name : names) {
            ModelRef ref;
            try {
                ref = ModelRef.parse(name);
            } catch (IllegalArgumentException e) {
                throw GatewayException.invalidRequest("fallback '" + name + "' is not provider/model", "fallbacks");
            }
            if (!providers.containsKey(ref.provider())) {
                throw new GatewayException(ErrorCode.UNKNOWN_PROVIDER, "fallback '" + name + "' names unknown provider '"
                        + ref.provider() + "'; configured providers: " + String.join(", ", providers.keySet()),
                        "fallbacks", null, null);
            }
            targets.add(ref);
        }
        return targets;
    }

    /**
     * All attempts on one target: key rotation and retries with backoff, as the policy says. With a
     * translation the provider is called in its own format and its answer translated back.
     */
    private Response attempts(Exchange exchange, ProviderRuntime provider, String model, int fallbackIndex,
                              ServerOutcome outcome, Translation translation, Upstream upstream) {
        Operation operation = translation == null ? exchange.operation() : translation.target();
        KeyRotation keys = new KeyRotation(provider, model.isEmpty() ? null : model,
                exchange.headers().first("x-bf-api-key").orElse(null));
        ForwardBody.Forwarded body = upstream.body();
        Pricing.Units units = MediaUnits.of(exchange);
        int retries = 0;
        while (true) {
            ApiKey key = keys.next();
            ProviderCall call = ProviderCall.builder(operation, body.body())
                    .requestId(exchange.requestId())
                    .model(model.isEmpty() ? null : model)
                    .rawBody(body.raw())
                    .form(upstream.form())
                    .content(upstream.content())
                    .parameters(upstream.parameters())
                    .stream(exchange.stream())
                    .key(key)
                    .headers(exchange.headers())
                    .deadline(clock.instant().plus(provider.timeout()))
                    .streamIdleTimeout(provider.streamIdleTimeout())
                    .build();
            long started = System.nanoTime();
            AttemptRecorder attempt = new AttemptRecorder(outcome, AttemptSpan.start(telemetry, operation,
                    provider.name(), provider.type(), model, key.name(), outcome.attempts().size() + 1, fallbackIndex,
                    exchange.stream(), body.body()), metrics, AttemptSpan.operationName(operation),
                    AttemptSpan.providerName(provider.type()), provider.name(), model, pricing,
                    exchange.attribute(AttributeKey.CLIENT_IDENTITY).orElse("")).units(operation, units);
            Response answered = null;
            try {
                Response response = callOnce(provider, call, attempt);
                long elapsed = System.nanoTime() - started;
                outcome.addUpstreamNanos(elapsed);
                outcome.attempt(new RoutingAttempt(provider.name(), model, key.name(), response.status(),
                        TimeUnit.NANOSECONDS.toMillis(elapsed), fallbackIndex));
                if (response instanceof Response.Complete) {
                    attempt.end(response.status(), null);
                } else if (response instanceof Response.Binary) {
                    attempt.priceUnits(); // known from the request (speech characters) before the bytes pass
                }
                answered = response;
            } catch (GatewayException e) {
                attempt.end(e.status(), e);
                long elapsed = System.nanoTime() - started;
                outcome.addUpstreamNanos(elapsed);
                outcome.attempt(new RoutingAttempt(provider.name(), model, key.name(), e.status(),
                        TimeUnit.NANOSECONDS.toMillis(elapsed), fallbackIndex));
                if (e.errorCode() == ErrorCode.REQUEST_DROPPED) {
                    metrics.count("gateway.requests.dropped", 1, "provider", provider.name());
                }
                if (!upstream.replayable()) {
                    throw e; // the body was streamed through and cannot be sent again
                }
                RoutingPolicy.Failure failure = RoutingPolicy.Failure.of(e, !key.value().isEmpty());
                switch (RoutingPolicy.afterFailure(failure, retries, provider.maxRetries())) {
                    case ROTATE_KEY -> {
                        countKeyError(provider, key, e.status());
                        keys.refused(key, e); // throws when no other key is left
                    }
                    case GIVE_UP -> {
                        if (e.status() >= 400 && e.errorCode() != ErrorCode.REQUEST_DROPPED) {
                            countKeyError(provider, key, e.status());
                        }
                        throw e;
                    }
                    case RETRY -> {
                        if (RoutingPolicy.avoidKeyOnRetry(failure, keys.pinned())) {
                            keys.avoid(key);
                        }
                        Duration delay = provider.backoff().delay(retries, e.retryAfter().orElse(null),
                                ThreadLocalRandom.current());
                        retries++;
                        metrics.count("gateway.retries", 1, "provider", provider.name());
                        sleep(delay);
                    }
                }
            }
            if (answered != null) {
                // translated after the attempt: an answer that cannot be translated is the client's error to
                // see, not a reason to call the provider again
                return translation == null ? answered : translation.answer(answered, model);
            }
        }
    }

    private void countKeyError(ProviderRuntime provider, ApiKey key, int status) {
        metrics.count("gateway.key.errors", 1, "provider", provider.name(), "key", key.name(),
                "status", Integer.toString(status));
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GatewayException.of(ErrorCode.TIMEOUT, "the request was interrupted while waiting to retry");
        }
    }

    /**
     * One call within the provider's concurrency bound. A stream's first event is pulled here, so a
     * stream that fails before it can still be retried; the slot is held until the stream ends.
     */
    private Response callOnce(ProviderRuntime provider, ProviderCall call, AttemptRecorder attempt) {
        provider.limit().acquire(Duration.between(clock.instant(), call.deadline()));
        boolean handedOver = false;
        try (Scope ignored = attempt.activate()) {
            Response response = provider.call(call, attempt);
            if (response instanceof Response.Streaming streaming) {
                EventStream events = streaming.events();
                StreamEvent first;
                try {
                    first = events.next();
                } catch (RuntimeException e) {
                    events.close();
                    throw e;
                }
                if (first != null) {
                    attempt.firstChunk();
                }
                handedOver = true;
                return streaming.withEvents(new SlotStream(events, first, provider.limit(), attempt,
                        streaming.status()));
            }
            if (response instanceof Response.Binary binary) {
                handedOver = true;
                return binary.withBody(new SlotBytes(binary.body(), provider.limit(), attempt, binary.status()));
            }
            return response;
        } finally {
            if (!handedOver) {
                provider.limit().release();
            }
        }
    }

    private ProviderRuntime provider(String name) {
        ProviderRuntime provider = providers.get(name);
        if (provider == null) {
            throw new GatewayException(ErrorCode.UNKNOWN_PROVIDER, "unknown provider '" + name
                    + "'; name the model as provider/model with one of the configured providers: "
                    + String.join(", ", providers.keySet()), "model", null, null);
        }
        return provider;
    }
}
