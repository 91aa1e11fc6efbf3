package io.gateway.plugins.bedrock;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.PluginConfig;
import io.gateway.testkit.HttpUpstream;
import io.gateway.testkit.ProviderHarness;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.fakes.FakeBedrock;
import io.gateway.testkit.http.RecordedRequest;
import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test kit's fake Bedrock behind real HTTP, and a provider configured against it: a clock standing
 * at {@link #NOW} for the provider's signatures and the fake's checks, and a key with the fake's
 * long-term credentials unless a test gives others.
 */
final class Bedrock implements AutoCloseable {

    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    final FakeBedrock fake = FakeBedrock.start().withClock(TestClock.at(NOW));
    final HttpUpstream upstream = HttpUpstream.create();
    final TestClock clock = TestClock.at(NOW);

    /** The default key: the fake's long-term credentials. */
    static Map<String, Object> staticKey() {
        return Map.of("name", "main", "access-key-id", FakeBedrock.ACCESS_KEY_ID,
                "value", FakeBedrock.SECRET_ACCESS_KEY);
    }

    /** The provider's block: the fake's base URL and region, and the keys. */
    PluginConfig config(List<Map<String, Object>> keys) {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("base-url", fake.baseUrl());
        block.put("region", FakeBedrock.REGION);
        block.put("keys", keys);
        return TestConfig.provider("bedrock", block);
    }

    /** A provider with the default key. */
    ProviderHarness provider() {
        return provider(List.of(staticKey()));
    }

    /** A provider with the given keys. */
    ProviderHarness provider(List<Map<String, Object>> keys) {
        return ProviderHarness.create(new BedrockProviderFactory(), config(keys), context());
    }

    TestContext context() {
        return TestContext.builder().upstream(upstream).clock(clock).build();
    }

    /** The body of the last request the fake received. */
    JsonObject lastBody() {
        return JsonBodies.parse(fake.lastRequest().body());
    }

    RecordedRequest lastRequest() {
        return fake.lastRequest();
    }

    @Override
    public void close() {
        upstream.close();
        fake.close();
    }
}
