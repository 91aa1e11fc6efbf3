package io.gateway.plugins.mock;

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
import io.gateway.testkit.EventStreams;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builds providers and calls the way the router would, and reads their answers. */
final class Fixtures {

    /** The time of the provider's clock: it stands still, so answers carry it as {@code created}. */
    static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final Duration IDLE = Duration.ofSeconds(30);

    private Fixtures() {
    }

    static Provider provider() {
        return provider(Map.of());
    }

    static Provider provider(Map<String, ?> config) {
        return new MockProviderFactory().create(TestConfig.provider("mock", config),
                TestContext.builder().clock(TestClock.at(NOW)).build());
    }

    static JsonObject json(String text) {
        return JsonBodies.parse(text);
    }

    static ProviderCall call(Operation operation, String body) {
        JsonObject json = json(body);
        return call(operation, json, Fixtures.NOW.plus(DEADLINE), IDLE);
    }

    static ProviderCall call(Operation operation, JsonObject body, Instant deadline, Duration idle) {
        return call(operation, body, body.get("stream") == JsonValue.TRUE, deadline, idle);
    }

    static ProviderCall call(Operation operation, JsonObject body, boolean stream, Instant deadline, Duration idle) {
        String model = JsonBodies.string(body, "model");
        ApiKey key = new ApiKey("default", Secret.empty(), 1, List.of());
        return ProviderCall.builder(operation, body).requestId("req-1").model(model).stream(stream).key(key)
                .deadline(deadline).streamIdleTimeout(idle).build();
    }

    /** The body of a complete answer, even if the body says {@code "stream": true}. */
    static JsonObject complete(Provider provider, Operation operation, String body) {
        Response response = provider.call(call(operation, json(body), false, Fixtures.NOW.plus(DEADLINE),
                IDLE));
        Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
        return complete.body();
    }

    /** All events of a streamed answer, read to the end as the server's writer would. */
    static List<StreamEvent> stream(Provider provider, Operation operation, String body) {
        Response response = provider.call(call(operation, json(body), true, Fixtures.NOW.plus(DEADLINE),
                IDLE));
        Response.Streaming streaming = assertInstanceOf(Response.Streaming.class, response);
        return drain(streaming.events());
    }

    static List<StreamEvent> drain(EventStream events) {
        return EventStreams.drain(events);
    }

    /** The JSON of every event but {@code [DONE]}. */
    static List<JsonObject> jsons(List<StreamEvent> events) {
        return EventStreams.jsons(events);
    }
}
