package io.gateway.server.routing;

import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.spi.ApiKey;
import io.gateway.spi.AttemptLog;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.RoutingAttempt;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The innermost link of the chain: decides which provider, which key and how many attempts each
 * request gets. For each target (the requested model, then each fallback) it picks a weighted key the
 * model is allowed on, calls the provider within the provider's concurrency bound and deadline, and
 * on failure rotates keys (401/402/403 at once, 429 to another key), backs off and retries retryable
 * failures, then falls back. Streams are retried only until their first event.
 */
public final class Router {

    /** Body fields that only the gateway understands; removed before a body goes upstream. */
    static final Set<String> GATEWAY_FIELDS = Set.of("fallbacks");

    private static final System.Logger LOG = System.getLogger("gateway.router");

    private final Map<String, ProviderRuntime> providers;
    private final Clock clock;
    private final GatewayMetrics metrics;

    /**
     * A router.
     *
     * @param providers providers by name, in configuration order
     * @param clock     the clock deadlines are computed with
     * @param metrics   where retries, fallbacks and drops are counted
     */
    public Router(Map<String, ProviderRuntime> providers, Clock clock, GatewayMetrics metrics) {
        this.providers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        this.clock = clock;
        this.metrics = metrics;
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
     * The model a deployment name stands for, asked of the provider that serves deployment-style
     * routes.
     *
     * @param providerName the provider (normally {@code azure})
     * @param deployment   the deployment name from the path
     * @return {@code provider/model}
     * @throws GatewayException 404 when no such provider is configured
     */
    public String modelForDeployment(String providerName, String deployment) {
        ProviderRuntime provider = providers.get(providerName);
        if (provider == null) {
            throw GatewayException.of(ErrorCode.NOT_FOUND, "deployment routes go to provider '" + providerName
                    + "', which is not configured; add a provider named " + providerName + " (type azure)");
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(provider.classLoader());
        try {
            String model = provider.provider().modelForDeployment(deployment);
            return providerName + "/" + (model == null || model.isBlank() ? deployment : model);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * Routes one request.
     *
     * @param exchange the request after all middleware
     * @return the provider's response with routing headers added
     */
    public Response route(Exchange exchange) {
        if (exchange.operation() == Operation.LIST_MODELS) {
            return listModels(exchange);
        }
        ModelRef requested = exchange.model();
        if (requested == null) {
            throw GatewayException.invalidRequest("'model' is required: name it as provider/model, e.g. "
                    + "openai/gpt-4o-mini", "model");
        }
        ProviderRuntime primary = provider(requested.provider());
        List<ModelRef> targets = targets(exchange, requested, primary);
        RequestTimings timings = exchange.attribute(RequestTimings.KEY).orElseGet(RequestTimings::new);
        AttemptLog log = exchange.attribute(AttemptLog.KEY).orElseGet(AttemptLog::new);
        GatewayException primaryError = null;
        GatewayException lastError = null;
        for (int index = 0; index < targets.size(); index++) {
            ModelRef target = targets.get(index);
            ProviderRuntime provider = index == 0 ? primary : providers.get(target.provider());
            timings.served(provider.name(), target.model());
            if (!provider.operations().contains(exchange.operation())) {
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
                Response response = attempt(exchange, provider, target.model(), index, timings, log);
                int retries = log.size() - 1;
                if (retries > 0 || index > 0) {
                    LOG.log(System.Logger.Level.INFO, "request " + exchange.requestId() + " served by "
                            + target + (index > 0 ? " (fallback " + index + ")" : "") + " after attempts " + log);
                }
                return withRoutingHeaders(response, provider.name(), target.model(), index, retries);
            } catch (GatewayException e) {
                lastError = e;
                if (index == 0) {
                    primaryError = e;
                }
                if (!worthFallingBack(e)) {
                    if (index == 0) {
                        throw e;
                    }
                    continue;
                }
            }
        }
        GatewayException reported = primaryError != null ? primaryError : lastError;
        if (targets.size() > 1 || log.size() > 1) {
            LOG.log(System.Logger.Level.INFO, "request " + exchange.requestId() + " failed after attempts " + log
                    + "; answering with " + reported.status() + " " + reported.errorCode().type());
        }
        throw reported;
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

    /** Whether a failure of one target is a reason to try the next: 5xx, 429, 401-class, timeouts. */
    private static boolean worthFallingBack(GatewayException e) {
        int status = e.status();
        return e.errorCode().retryable() || status >= 500 || status == 429 || status == 401 || status == 402
                || status == 403;
    }

    /** All attempts on one target: key rotation and retries with backoff. */
    private Response attempt(Exchange exchange, ProviderRuntime provider, String model, int fallbackIndex,
                             RequestTimings timings, AttemptLog log) {
        WeightedKeySelector keys = provider.keys();
        Set<String> dead = new HashSet<>();
        Set<String> rateLimited = new HashSet<>();
        String pinned = exchange.headers().first("x-bf-api-key").orElse(null);
        JsonObject body = forwardBody(exchange.body(), model);
        int retries = 0;
        while (true) {
            ApiKey key = chooseKey(provider, model, pinned, dead, rateLimited);
            ProviderCall call = new ProviderCall(exchange.requestId(), exchange.operation(), model, body,
                    exchange.stream(), key, exchange.headers(), deadline(provider), provider.streamIdleTimeout());
            long started = System.nanoTime();
            try {
                Response response = callOnce(provider, call);
                long elapsed = System.nanoTime() - started;
                timings.addUpstream(elapsed);
                log.add(new RoutingAttempt(provider.name(), model, key.name(), response.status(),
                        TimeUnit.NANOSECONDS.toMillis(elapsed), fallbackIndex));
                return response;
            } catch (GatewayException e) {
                long elapsed = System.nanoTime() - started;
                timings.addUpstream(elapsed);
                log.add(new RoutingAttempt(provider.name(), model, key.name(), e.status(),
                        TimeUnit.NANOSECONDS.toMillis(elapsed), fallbackIndex));
                int status = e.status();
                if (e.errorCode() == ErrorCode.REQUEST_DROPPED) {
                    metrics.count("gateway.requests.dropped", 1, "provider", provider.name());
                }
                boolean upstreamCredentials = !e.errorCode().gatewayError() && (status == 401 || status == 402
                        || status == 403) && !key.value().isEmpty() && e.errorCode() != ErrorCode.AUTHENTICATION;
                if (upstreamCredentials) {
                    metrics.count("gateway.key.errors", 1, "provider", provider.name(), "key", key.name(),
                            "status", Integer.toString(status));
                    dead.add(key.name());
                    if (pinned != null || keys.select(model, dead, ThreadLocalRandom.current()) == null) {
                        if (keys.keys().size() > 1 && pinned == null) {
                            throw new GatewayException(ErrorCode.CREDENTIALS_EXHAUSTED, "every key of provider '"
                                    + provider.name() + "' that allows model '" + model
                                    + "' was rejected by the provider (last: HTTP " + status + " " + e.getMessage()
                                    + "); check the keys", null, e.headers(), null);
                        }
                        throw e;
                    }
                    continue; // rotate at once, no backoff
                }
                if (!e.errorCode().retryable() || retries >= provider.maxRetries()) {
                    if (status >= 400 && e.errorCode() != ErrorCode.REQUEST_DROPPED) {
                        metrics.count("gateway.key.errors", 1, "provider", provider.name(), "key", key.name(),
                                "status", Integer.toString(status));
                    }
                    throw e;
                }
                if (status == 429 && pinned == null) {
                    rateLimited.add(key.name());
                    if (keys.select(model, union(dead, rateLimited), ThreadLocalRandom.current()) == null) {
                        rateLimited.clear(); // no other key: wait and use the same ones again
                    }
                }
                Duration delay = provider.backoff().delay(retries, e.retryAfter().orElse(null),
                        ThreadLocalRandom.current());
                retries++;
                metrics.count("gateway.retries", 1, "provider", provider.name());
                sleep(delay);
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        if (b.isEmpty()) {
            return a;
        }
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GatewayException.of(ErrorCode.TIMEOUT, "the request was interrupted while waiting to retry");
        }
    }

    private ApiKey chooseKey(ProviderRuntime provider, String model, String pinned, Set<String> dead,
                             Set<String> rateLimited) {
        WeightedKeySelector keys = provider.keys();
        if (keys.keys().isEmpty()) {
            return KeylessProvider.KEY;
        }
        ApiKey key;
        if (pinned != null) {
            key = keys.named(pinned);
            if (key == null) {
                throw GatewayException.invalidRequest("x-bf-api-key names key '" + pinned + "', which provider '"
                        + provider.name() + "' does not have; its keys: "
                        + String.join(", ", keys.keys().stream().map(ApiKey::name).toList()), "x-bf-api-key");
            }
            if (!key.allows(model)) {
                throw new GatewayException(ErrorCode.MODEL_NOT_ALLOWED, "key '" + key.name() + "' of provider '"
                        + provider.name() + "' does not allow model '" + model + "'", "model", null, null);
            }
        } else {
            // Keys whose value is empty (variable unset) take no traffic while another allowed key has one.
            Set<String> unusable = provider.emptyKeyHints().isEmpty() ? dead : union(dead,
                    provider.emptyKeyHints().keySet());
            key = keys.select(model, union(unusable, rateLimited), ThreadLocalRandom.current());
            if (key == null && !rateLimited.isEmpty()) {
                key = keys.select(model, unusable, ThreadLocalRandom.current());
            }
            if (key == null && unusable != dead) {
                key = keys.select(model, dead, ThreadLocalRandom.current());
            }
            if (key == null) {
                if (!dead.isEmpty()) {
                    throw GatewayException.of(ErrorCode.CREDENTIALS_EXHAUSTED, "every key of provider '"
                            + provider.name() + "' that allows model '" + model + "' was rejected by the provider");
                }
                throw new GatewayException(ErrorCode.MODEL_NOT_ALLOWED, "no key of provider '" + provider.name()
                        + "' allows model '" + model + "'; add it to a key's models list", "model", null, null);
            }
        }
        if (key.value().isEmpty()) {
            throw GatewayException.of(ErrorCode.AUTHENTICATION, "provider '" + provider.name()
                    + "' has no API key: " + provider.emptyKeyHints().getOrDefault(key.name(),
                    "key '" + key.name() + "' is empty"));
        }
        return key;
    }

    /**
     * One call within the provider's concurrency bound. A stream's first event is pulled here, so a
     * stream that fails before it can still be retried; the slot is held until the stream ends.
     */
    private Response callOnce(ProviderRuntime provider, ProviderCall call) {
        provider.limit().acquire(Duration.between(clock.instant(), call.deadline()));
        boolean handedOver = false;
        try {
            Response response = provider.call(call);
            if (response instanceof Response.Streaming streaming) {
                EventStream events = streaming.events();
                StreamEvent first;
                try {
                    first = events.next();
                } catch (RuntimeException e) {
                    events.close();
                    throw e;
                }
                handedOver = true;
                return streaming.withEvents(new SlotStream(events, first, provider.limit()));
            }
            return response;
        } finally {
            if (!handedOver) {
                provider.limit().release();
            }
        }
    }

    /** Replays the prefetched first event, then the rest; frees the call slot when the stream ends. */
    private static final class SlotStream implements EventStream {
        private final EventStream events;
        private final ConcurrencyLimit limit;
        private final AtomicBoolean released = new AtomicBoolean();
        private StreamEvent first;

        SlotStream(EventStream events, StreamEvent first, ConcurrencyLimit limit) {
            this.events = events;
            this.first = first;
            this.limit = limit;
            if (first == null) {
                release();
            }
        }

        private void release() {
            if (released.compareAndSet(false, true)) {
                limit.release();
            }
        }

        @Override
        public StreamEvent next() {
            if (first != null) {
                StreamEvent event = first;
                first = null;
                return event;
            }
            if (released.get()) {
                return null;
            }
            try {
                StreamEvent event = events.next();
                if (event == null) {
                    release();
                }
                return event;
            } catch (RuntimeException e) {
                release();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                events.close();
            } finally {
                release();
            }
        }
    }

    private Instant deadline(ProviderRuntime provider) {
        return clock.instant().plus(provider.timeout());
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

    /**
     * The body sent upstream: {@code model} rewritten to the bare name, gateway-only fields removed,
     * everything else untouched.
     *
     * @param body  the client's body
     * @param model the bare model
     * @return the body to forward
     */
    /**
     * The body a provider gets: {@code model} set to the bare model name, gateway-only fields removed,
     * everything else as the client sent it. When the client's bytes are known and nothing but
     * {@code model} changes, the result carries those bytes with only the model value replaced, so a
     * pass-through provider sends them without serializing the object again.
     *
     * @param body  the exchange's body
     * @param model the model to put in
     * @return the body to forward
     */
    public static JsonObject forwardBody(JsonObject body, String model) {
        JsonObject rebuilt = rebuild(body, model);
        byte[] raw = JsonBodies.encoding(body);
        if (raw != null && !hasGatewayField(body)) {
            byte[] spliced = ModelSplice.replaceModel(raw, model);
            if (spliced != null) {
                return JsonBodies.withEncoding(rebuilt, spliced);
            }
        }
        return rebuilt;
    }

    private static boolean hasGatewayField(JsonObject body) {
        for (String field : GATEWAY_FIELDS) {
            if (body.containsKey(field)) {
                return true;
            }
        }
        return false;
    }

    private static JsonObject rebuild(JsonObject body, String model) {
        JsonObjectBuilder builder = JsonBodies.provider().createObjectBuilder();
        for (Map.Entry<String, JsonValue> field : body.entrySet()) {
            String name = field.getKey();
            if (name.equals("model")) {
                builder.add("model", model);
            } else if (!GATEWAY_FIELDS.contains(name)) {
                builder.add(name, field.getValue());
            }
        }
        return builder.build();
    }

    private static Response withRoutingHeaders(Response response, String provider, String model, int fallbackIndex,
                                               int retries) {
        Headers.Builder builder = response.headers().toBuilder()
                .set("x-bifrost-provider", provider)
                .set("x-bifrost-resolved-model", headerSafe(model))
                .set("x-bifrost-retries", Integer.toString(retries));
        if (fallbackIndex > 0) {
            builder.set("x-bifrost-fallback-index", Integer.toString(fallbackIndex));
        }
        Headers headers = builder.build();
        return switch (response) {
            case Response.Complete complete -> complete.withHeaders(headers);
            case Response.Streaming streaming -> streaming.withHeaders(headers);
        };
    }

    /**
     * A value fit for a response header: printable ASCII as it is, anything else percent-encoded as
     * UTF-8. Model names come from clients; they are bounded by validation, and this keeps a name with
     * non-ASCII letters from turning into question marks or breaking a client's header parser.
     *
     * @param value the value
     * @return the header value
     */
    static String headerSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '%') {
                StringBuilder encoded = new StringBuilder(value.length() + 16);
                for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    int u = b & 0xff;
                    if (u >= 0x20 && u <= 0x7e && u != '%') {
                        encoded.append((char) u);
                    } else {
                        encoded.append('%').append(Character.toUpperCase(Character.forDigit(u >> 4, 16)))
                                .append(Character.toUpperCase(Character.forDigit(u & 0xf, 16)));
                    }
                }
                return encoded.toString();
            }
        }
        return value;
    }

    private Response listModels(Exchange exchange) {
        List<ProviderRuntime> listing = new ArrayList<>();
        for (ProviderRuntime provider : providers.values()) {
            if (provider.operations().contains(Operation.LIST_MODELS)) {
                listing.add(provider);
            }
        }
        List<Future<JsonObject>> answers = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ProviderRuntime provider : listing) {
                answers.add(executor.submit(() -> listOne(exchange, provider)));
            }
            JsonArrayBuilder data = JsonBodies.provider().createArrayBuilder();
            for (int i = 0; i < listing.size(); i++) {
                ProviderRuntime provider = listing.get(i);
                JsonObject answer;
                try {
                    answer = answers.get(i).get(provider.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    LOG.log(System.Logger.Level.WARNING, "models of provider " + provider.name()
                            + " are left out of the list: " + cause.getMessage());
                    continue;
                }
                for (JsonValue item : answer.getJsonArray("data")) {
                    if (item.getValueType() != JsonValue.ValueType.OBJECT) {
                        continue;
                    }
                    JsonObject model = item.asJsonObject();
                    String id = JsonBodies.string(model, "id");
                    if (id == null) {
                        continue;
                    }
                    data.add(JsonBodies.provider().createObjectBuilder(model)
                            .add("id", provider.name() + "/" + id)
                            .add("object", "model"));
                }
            }
            JsonObject body = JsonBodies.provider().createObjectBuilder()
                    .add("object", "list")
                    .add("data", data)
                    .build();
            return Response.Complete.ok(body);
        }
    }

    private JsonObject listOne(Exchange exchange, ProviderRuntime provider) {
        ApiKey key;
        if (provider.keys().keys().isEmpty()) {
            key = KeylessProvider.KEY;
        } else {
            key = provider.keys().select("*", Set.of(), ThreadLocalRandom.current());
            if (key == null) {
                key = provider.keys().keys().get(0);
            }
            if (key.value().isEmpty()) {
                throw GatewayException.of(ErrorCode.AUTHENTICATION, "no API key");
            }
        }
        ProviderCall call = new ProviderCall(exchange.requestId(), Operation.LIST_MODELS, null,
                JsonValue.EMPTY_JSON_OBJECT, false, key, exchange.headers(), deadline(provider),
                provider.streamIdleTimeout());
        Response response = callOnce(provider, call);
        if (!(response instanceof Response.Complete complete) || complete.body().getJsonArray("data") == null) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the model list has no data array");
        }
        return complete.body();
    }
}
