package io.gateway.plugins.gemini;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.EventStream;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.testkit.EventStreams;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builds providers against a {@link FakeGemini} and calls them as the router would. */
final class Fixtures {

    static final Instant DEADLINE = Instant.parse("2030-01-01T00:00:00Z");
    /** The key the fake accepts. */
    static final String KEY = "AIza-test-key";
    /** The API version the provider uses unless configured. */
    static final String VERSION = "v1beta";
    /** The time of the provider's clock: it stands still, so answers carry it as {@code created}. */
    static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

    private Fixtures() {
    }

    static Provider provider(Gemini gemini) {
        return provider(gemini, Map.of());
    }

    static Provider provider(Gemini gemini, Map<String, ?> config) {
        return new GeminiPlugin().providerFactories().get(0).create(TestConfig.provider("gemini", config),
                gemini.context());
    }

    /** A provider whose upstream client is another one (a scripted one, for streams fed step by step). */
    static Provider provider(UpstreamClient upstream) {
        return new GeminiPlugin().providerFactories().get(0).create(TestConfig.provider("gemini", Map.of()),
                TestContext.builder().upstream(upstream).clock(TestClock.at(NOW)).build());
    }

    static ApiKey key(String value) {
        return new ApiKey("main", Secret.of(value), 1, List.of("*"));
    }

    static ProviderCall call(Operation operation, String json) {
        return call(operation, json, KEY);
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
        return EventStreams.drain(events);
    }
}
