package io.gateway.plugins.vertex;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.gateway.spi.EventStream;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.testkit.EventStreams;
import io.gateway.testkit.HttpUpstream;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.fakes.FakeVertex;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake Vertex AI behind real HTTP for providers that keep their default endpoints: the kit's client sends
 * every request (the token exchange included) to the fake and records it as the plugin built it, so tests
 * see the hosts and paths a real deployment would call. The plugin's clock stands at {@link #NOW} until a
 * test moves it.
 */
final class Fixtures implements AutoCloseable {

    static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
    static final Instant DEADLINE = Instant.parse("2030-01-01T00:00:00Z");

    final FakeVertex fake = FakeVertex.start();
    final HttpUpstream upstream = HttpUpstream.redirectingTo(fake.baseUrl());
    final TestClock clock = TestClock.at(NOW);

    TestContext context() {
        return TestContext.builder().upstream(upstream).clock(clock).build();
    }

    /** A provider with the fake's project and service account (as {@code credentials-json}) and more settings. */
    Provider provider(Object... more) {
        Map<String, Object> config = new HashMap<>(Map.of("project", FakeVertex.PROJECT,
                "credentials-json", fake.apiKey()));
        Map<String, Object> extra = TestConfig.mapOf(more);
        config.putAll(extra);
        config.values().removeIf(value -> value == null);
        return new VertexPlugin().providerFactories().get(0).create(TestConfig.provider("vertex", config), context());
    }

    static ProviderCall call(Operation operation, String json) {
        return call(operation, json, ApiKey.of("none", Secret.empty()));
    }

    static ProviderCall call(Operation operation, String json, ApiKey key) {
        JsonObject body = JsonBodies.parse(json);
        return ProviderCall.builder(operation, body).requestId("req-1").model(JsonBodies.string(body, "model"))
                .stream(body.get("stream") == JsonValue.TRUE).key(key).deadline(DEADLINE)
                .streamIdleTimeout(Duration.ofSeconds(10)).build();
    }

    static JsonObject complete(Provider provider, Operation operation, String json) {
        return assertInstanceOf(Response.Complete.class, provider.call(call(operation, json))).body();
    }

    static List<StreamEvent> stream(Provider provider, Operation operation, String json) {
        Response response = provider.call(call(operation, json));
        EventStream events = assertInstanceOf(Response.Streaming.class, response).events();
        return EventStreams.drain(events);
    }

    /** The requests the plugin sent to Vertex AI (not to the token endpoint). */
    List<UpstreamRequest> calls() {
        return upstream.requests().stream().filter(r -> !r.uri().getPath().equals("/token")).toList();
    }

    UpstreamRequest lastCall() {
        List<UpstreamRequest> calls = calls();
        return calls.get(calls.size() - 1);
    }

    static JsonObject body(UpstreamRequest request) {
        return JsonBodies.parse(request.body());
    }

    @Override
    public void close() {
        upstream.close();
        fake.close();
    }
}
