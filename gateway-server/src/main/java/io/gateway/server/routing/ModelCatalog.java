package io.gateway.server.routing;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.ProviderCall;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET models}: asks every provider that lists models, in parallel, and merges the lists with
 * ids qualified by the provider's name ({@code openai/gpt-4o}). A provider that fails or takes longer
 * than its timeout is left out of the list and logged.
 */
final class ModelCatalog {

    private static final System.Logger LOG = System.getLogger("gateway.router");

    private final Collection<ProviderRuntime> providers;
    private final Clock clock;

    ModelCatalog(Collection<ProviderRuntime> providers, Clock clock) {
        this.providers = List.copyOf(providers);
        this.clock = clock;
    }

    Response list(Exchange exchange) {
        List<ProviderRuntime> listing = new ArrayList<>();
        for (ProviderRuntime provider : providers) {
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
            return Response.Complete.ok(JsonBodies.provider().createObjectBuilder()
                    .add("object", "list")
                    .add("data", data)
                    .build());
        }
    }

    private JsonObject listOne(Exchange exchange, ProviderRuntime provider) {
        ApiKey key;
        if (provider.keys().keys().isEmpty()) {
            key = KeyRotation.KEYLESS;
        } else {
            key = provider.keys().select("*", Set.of(), ThreadLocalRandom.current());
            if (key == null) {
                key = provider.keys().keys().get(0);
            }
            if (key.value().isEmpty()) {
                throw GatewayException.of(ErrorCode.AUTHENTICATION, "no API key");
            }
        }
        ProviderCall call = ProviderCall.builder(Operation.LIST_MODELS, JsonValue.EMPTY_JSON_OBJECT)
                .requestId(exchange.requestId()).key(key).headers(exchange.headers())
                .deadline(clock.instant().plus(provider.timeout())).streamIdleTimeout(provider.streamIdleTimeout())
                .build();
        provider.limit().acquire(provider.timeout());
        Response response;
        try {
            response = provider.call(call, ProviderRuntime.AnswerSink.NONE);
        } finally {
            provider.limit().release();
        }
        if (!(response instanceof Response.Complete complete) || complete.body().getJsonArray("data") == null) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the model list has no data array");
        }
        return complete.body();
    }
}
