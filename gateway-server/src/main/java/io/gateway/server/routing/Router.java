package io.gateway.server.routing;

import io.gateway.spi.ApiKey;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.ProviderCall;
import io.gateway.spi.Response;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The innermost link of the chain: picks the provider named by the model, a key, and performs the
 * call. Routing belongs here, never to middleware or providers.
 */
public final class Router {

    /** Body fields that only the gateway understands; removed before a body goes upstream. */
    static final Set<String> GATEWAY_FIELDS = Set.of("fallbacks");

    private static final System.Logger LOG = System.getLogger("gateway.router");

    private final Map<String, ProviderRuntime> providers;
    private final Clock clock;

    /**
     * A router.
     *
     * @param providers providers by name, in configuration order
     * @param clock     the clock deadlines are computed with
     */
    public Router(Map<String, ProviderRuntime> providers, Clock clock) {
        this.providers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        this.clock = clock;
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
     * @return the provider's response with routing headers added
     */
    public Response route(Exchange exchange) {
        if (exchange.operation() == Operation.LIST_MODELS) {
            return listModels(exchange);
        }
        ModelRef model = exchange.model();
        if (model == null) {
            throw GatewayException.invalidRequest("'model' is required: name it as provider/model, e.g. openai/gpt-4o-mini",
                    "model");
        }
        RequestTimings timings = exchange.attribute(RequestTimings.KEY).orElse(null);
        ProviderRuntime provider = provider(model.provider());
        if (timings != null) {
            timings.served(provider.name(), model.model());
        }
        if (!provider.operations().contains(exchange.operation())) {
            throw new GatewayException(ErrorCode.UNSUPPORTED_OPERATION, "provider '" + provider.name() + "' (type "
                    + provider.type() + ") does not support " + exchange.operation().wireName()
                    + "; use a provider that offers it", "model", null, null);
        }
        ApiKey key = selectKey(provider, model.model(), exchange.headers());
        JsonObject body = forwardBody(exchange.body(), model.model());
        ProviderCall call = new ProviderCall(exchange.requestId(), exchange.operation(), model.model(), body,
                exchange.stream(), key, exchange.headers(), deadline(provider), provider.streamIdleTimeout());
        long started = System.nanoTime();
        Response response;
        try {
            response = provider.call(call);
        } finally {
            if (timings != null) {
                timings.addUpstream(System.nanoTime() - started);
            }
        }
        return withRoutingHeaders(response, provider.name(), model.model());
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

    private static ApiKey selectKey(ProviderRuntime provider, String model, Headers headers) {
        WeightedKeySelector keys = provider.keys();
        if (keys.keys().isEmpty()) {
            return KeylessProvider.KEY;
        }
        String pinned = headers.first("x-bf-api-key").orElse(null);
        ApiKey key;
        if (pinned != null) {
            key = keys.named(pinned);
            if (key == null) {
                throw GatewayException.invalidRequest("x-bf-api-key names key '" + pinned + "', which provider '"
                        + provider.name() + "' does not have", "x-bf-api-key");
            }
            if (!key.allows(model)) {
                throw new GatewayException(ErrorCode.MODEL_NOT_ALLOWED, "key '" + key.name() + "' of provider '"
                        + provider.name() + "' does not allow model '" + model + "'", "model", null, null);
            }
        } else {
            key = keys.select(model, Set.of(), ThreadLocalRandom.current());
            if (key == null) {
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
     * The body sent upstream: {@code model} rewritten to the bare name, gateway-only fields removed,
     * everything else untouched.
     *
     * @param body  the client's body
     * @param model the bare model
     * @return the body to forward
     */
    static JsonObject forwardBody(JsonObject body, String model) {
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

    private static Response withRoutingHeaders(Response response, String provider, String model) {
        Headers headers = response.headers().toBuilder()
                .set("x-bifrost-provider", provider)
                .set("x-bifrost-resolved-model", model)
                .build();
        return switch (response) {
            case Response.Complete complete -> complete.withHeaders(headers);
            case Response.Streaming streaming -> streaming.withHeaders(headers);
        };
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
        Response response = provider.call(call);
        if (!(response instanceof Response.Complete complete) || complete.body().getJsonArray("data") == null) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the model list has no data array");
        }
        return complete.body();
    }
}
