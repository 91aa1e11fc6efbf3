package io.gateway.plugins.gemini;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.EventStream;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds providers against a {@link FakeGemini} and calls them as the router would. */
final class Fixtures {

    static final Instant DEADLINE = Instant.parse("2030-01-01T00:00:00Z");

    private Fixtures() {
    }

    static Provider provider(FakeGemini gemini) {
        return provider(gemini, Map.of());
    }

    static Provider provider(FakeGemini gemini, Map<String, ?> config) {
        return new GeminiPlugin().providerFactories().get(0).create(FakeConfig.of(config), new FakeContext(gemini));
    }

    static ApiKey key(String value) {
        return new ApiKey("main", Secret.of(value), 1, List.of("*"));
    }

    static ProviderCall call(Operation operation, String json) {
        return call(operation, json, FakeGemini.KEY);
    }

    static ProviderCall call(Operation operation, String json, String key) {
        JsonObject body = json == null ? JsonBodies.parse("{}") : JsonBodies.parse(json);
        String model = JsonBodies.string(body, "model");
        boolean stream = body.get("stream") == jakarta.json.JsonValue.TRUE;
        return ProviderCall.builder(operation, body).requestId("req-1").model(model).stream(stream).key(key(key))
                .deadline(DEADLINE).streamIdleTimeout(Duration.ofSeconds(10)).build();
    }

    static JsonObject complete(Provider provider, Operation operation, String json) {
        Response response = provider.call(call(operation, json));
        return assertInstanceOf(Response.Complete.class, response).body();
    }

    static List<StreamEvent> stream(Provider provider, Operation operation, String json) {
        Response response = provider.call(call(operation, json));
        return drain(assertInstanceOf(Response.Streaming.class, response).events());
    }

    static List<StreamEvent> drain(EventStream events) {
        List<StreamEvent> list = new ArrayList<>();
        try (events) {
            for (StreamEvent event = events.next(); event != null; event = events.next()) {
                list.add(event);
            }
        }
        return list;
    }
}
