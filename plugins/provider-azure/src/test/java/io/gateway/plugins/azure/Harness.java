package io.gateway.plugins.azure;

import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.EventStream;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamClient;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A provider created by the factory the way the server creates it, wired to a {@link FakeAzure}
 * through {@link JdkUpstreamClient}, with the keys built from the configuration as the server
 * builds them.
 */
final class Harness implements AutoCloseable {

    final FakeAzure fake;
    final TestConfig config;
    final TestContext context;
    final Provider provider;
    private final Map<String, ApiKey> keys = new LinkedHashMap<>();

    private Harness(FakeAzure fake, TestConfig config, TestContext context, Provider provider) {
        this.fake = fake;
        this.config = config;
        this.context = context;
        this.provider = provider;
        List<PluginConfig> blocks = config.children("keys");
        for (int i = 0; i < blocks.size(); i++) {
            PluginConfig block = blocks.get(i);
            String name = block.string("name", "key-" + i);
            keys.put(name, new ApiKey(name, block.secret("value"), block.number("weight", 1.0),
                    block.strings("models")));
        }
    }

    /**
     * Starts a fake and creates a provider for it.
     *
     * @param settings provider settings besides {@code base-url} and {@code keys}
     * @param keys     the {@code keys} list
     * @return the harness
     * @throws IOException if the fake cannot start
     */
    static Harness start(Map<String, ?> settings, List<Map<String, ?>> keys) throws IOException {
        FakeAzure fake = new FakeAzure();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("type", "azure");
        values.put("base-url", fake.baseUrl());
        values.putAll(settings);
        values.put("keys", new ArrayList<>(keys));
        TestConfig config = TestConfig.provider("azure", values);
        TestContext context = new TestContext(new JdkUpstreamClient());
        try {
            Provider provider = new AzureProviderFactory().create(config, context);
            return new Harness(fake, config, context, provider);
        } catch (RuntimeException e) {
            fake.close();
            throw e;
        }
    }

    /**
     * A fake with one key {@code main} holding {@link FakeAzure#KEY1} and the given deployments.
     *
     * @param apiVersion  the {@code api-version}
     * @param deployments the key's deployments
     * @return the harness
     * @throws IOException if the fake cannot start
     */
    static Harness withVersion(String apiVersion, Map<String, ?> deployments) throws IOException {
        return start(Map.of("api-version", apiVersion), List.of(key("main", FakeAzure.KEY1, deployments)));
    }

    /**
     * A key block.
     *
     * @param name        the key name
     * @param value       the secret
     * @param deployments the {@code deployments} value (a map or a list), or {@code null} for none
     * @return the block
     */
    static Map<String, Object> key(String name, String value, Object deployments) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("name", name);
        key.put("value", value);
        if (deployments != null) {
            key.put("deployments", deployments);
        }
        return key;
    }

    /**
     * A configured key by name.
     *
     * @param name the key name
     * @return the key
     */
    ApiKey key(String name) {
        ApiKey key = keys.get(name);
        if (key == null) {
            throw new AssertionError("no key " + name);
        }
        return key;
    }

    /**
     * A call as the router makes it: the bare model in {@code model} and in the body.
     *
     * @param operation the operation
     * @param model     the bare model, {@code null} for list-models
     * @param body      the JSON body
     * @param keyName   the key of the attempt
     * @return the call
     */
    ProviderCall call(Operation operation, String model, String body, String keyName) {
        return call(operation, model, body, key(keyName));
    }

    static ProviderCall call(Operation operation, String model, String body, ApiKey key) {
        JsonObject json = JsonBodies.parse(body);
        return ProviderCall.builder(operation, json).requestId("req-azure-1").model(model)
                .stream(json.get("stream") == JsonValue.TRUE).key(key).deadline(Instant.now().plusSeconds(20))
                .streamIdleTimeout(Duration.ofSeconds(20)).build();
    }

    Response.Complete complete(ProviderCall call) {
        Response response = provider.call(call);
        if (!(response instanceof Response.Complete complete)) {
            throw new AssertionError("expected a complete answer, got " + response);
        }
        return complete;
    }

    Response.Streaming streaming(ProviderCall call) {
        Response response = provider.call(call);
        if (!(response instanceof Response.Streaming streaming)) {
            throw new AssertionError("expected a stream, got " + response);
        }
        return streaming;
    }

    static List<StreamEvent> drain(EventStream events) {
        List<StreamEvent> result = new ArrayList<>();
        try (events) {
            for (StreamEvent event = events.next(); event != null; event = events.next()) {
                result.add(event);
            }
        }
        return result;
    }

    /**
     * A provider over another upstream client, for URL shapes the fake does not serve.
     *
     * @param settings the whole provider block
     * @param upstream the client
     * @return the provider
     */
    static Provider provider(Map<String, ?> settings, UpstreamClient upstream) {
        return new AzureProviderFactory().create(TestConfig.provider("azure", settings), new TestContext(upstream));
    }

    @Override
    public void close() {
        provider.close();
        fake.close();
    }
}
