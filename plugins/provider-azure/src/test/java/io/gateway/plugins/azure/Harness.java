package io.gateway.plugins.azure;

import io.gateway.spi.EventStream;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.testkit.EventStreams;
import io.gateway.testkit.HttpUpstream;
import io.gateway.testkit.ProviderHarness;
import io.gateway.testkit.ScriptedUpstream;
import io.gateway.testkit.ScriptedUpstream.Canned;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.fakes.FakeAzure;
import io.gateway.testkit.http.Gate;
import io.gateway.testkit.http.RecordedRequest;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A provider created by the factory the way the server creates it, wired to the test kit's fake Azure
 * OpenAI resource over real HTTP ({@link HttpUpstream}), with the keys built from the configuration as
 * the server builds them. The resource has the deployments the tests name, each serving only its
 * model's operations: {@code chat-prod}, {@code chat-eu} and {@code gpt-4o} (gpt-4o), {@code gpt41-prod}
 * (gpt-4.1), {@code instruct-prod} (gpt-35-turbo-instruct), {@code embed-prod} (text-embedding-3-small)
 * and {@code image-prod} (gpt-image-1).
 */
final class Harness implements AutoCloseable {

    /** One request as the fake received it. */
    record Recorded(String method, String path, String rawPath, Map<String, String> query, Headers headers,
                    byte[] body) {
        JsonObject json() {
            return JsonBodies.parse(body);
        }
    }

    final FakeAzure fake;
    final TestConfig config;
    final TestContext context;
    final Provider provider;
    private final HttpUpstream upstream;
    private final Map<String, ApiKey> keys = new LinkedHashMap<>();
    private final Gate gate = new Gate();

    private Harness(FakeAzure fake, HttpUpstream upstream, TestConfig config, TestContext context, Provider provider) {
        this.fake = fake;
        this.upstream = upstream;
        this.config = config;
        this.context = context;
        this.provider = provider;
        ProviderHarness.keys(config).forEach(key -> keys.put(key.name(), key));
    }

    /** The kit's fake resource with the deployments the tests use and both of its keys. */
    static FakeAzure resource() {
        return FakeAzure.start().clearDeployments()
                .addDeployment("chat-prod", "gpt-4o-2024-08-06", FakeAzure.Capability.CHAT)
                .addDeployment("chat-eu", "gpt-4o-2024-08-06", FakeAzure.Capability.CHAT)
                .addDeployment("gpt-4o", "gpt-4o-2024-08-06", FakeAzure.Capability.CHAT)
                .addDeployment("gpt41-prod", "gpt-4.1-2025-04-14", FakeAzure.Capability.CHAT)
                .addDeployment("instruct-prod", "gpt-35-turbo-instruct", FakeAzure.Capability.COMPLETION)
                .addDeployment("embed-prod", "text-embedding-3-small", FakeAzure.Capability.EMBEDDING)
                .addDeployment("image-prod", "gpt-image-1", FakeAzure.Capability.IMAGE);
    }

    /**
     * Starts a fake and creates a provider for it.
     *
     * @param settings provider settings besides {@code base-url} and {@code keys}
     * @param keys     the {@code keys} list
     * @return the harness
     */
    static Harness start(Map<String, ?> settings, List<Map<String, ?>> keys) {
        FakeAzure fake = resource();
        HttpUpstream upstream = HttpUpstream.create();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("type", "azure");
        values.put("base-url", fake.baseUrl());
        values.putAll(settings);
        values.put("keys", new ArrayList<>(keys));
        TestConfig config = TestConfig.provider("azure", values);
        TestContext context = TestContext.with(upstream);
        try {
            Provider provider = new AzureProviderFactory().create(config, context);
            return new Harness(fake, upstream, config, context, provider);
        } catch (RuntimeException e) {
            upstream.close();
            fake.close();
            throw e;
        }
    }

    /**
     * A fake with one key {@code main} holding the resource's first key and the given deployments.
     *
     * @param apiVersion  the {@code api-version}
     * @param deployments the key's deployments
     * @return the harness
     */
    static Harness withVersion(String apiVersion, Map<String, ?> deployments) {
        return start(Map.of("api-version", apiVersion), List.of(key("main", FakeAzure.API_KEY, deployments)));
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
                .rawBody(body.getBytes(StandardCharsets.UTF_8))
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
        return EventStreams.drain(events);
    }

    /** The requests the fake received, in order. */
    List<Recorded> requests() {
        return fake.requests().stream().map(Harness::recorded).toList();
    }

    /** The latest request the fake received. */
    Recorded last() {
        return recorded(fake.lastRequest());
    }

    private static Recorded recorded(RecordedRequest request) {
        Map<String, String> query = new LinkedHashMap<>();
        if (request.query() != null && !request.query().isEmpty()) {
            for (String pair : request.query().split("&")) {
                int eq = pair.indexOf('=');
                query.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return new Recorded(request.method(), decode(request.path()), request.path(), query, request.headers(),
                request.body());
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The body of the latest complete answer, exactly as the fake sent it. */
    byte[] lastAnswer() {
        return fake.lastRequest().replyBody();
    }

    /** Holds the next stream after its first event until {@link #releaseGate()}. */
    void holdNextStream() {
        fake.holdNextStream(1, gate);
    }

    /** Lets a held stream send the rest of its events. */
    void releaseGate() {
        gate.open();
    }

    /** Whether a held stream gave up waiting for {@link #releaseGate()}. */
    boolean gateTimedOut() {
        return gate.timedOut();
    }

    /**
     * A provider over another upstream client, for URL shapes the fake does not serve.
     *
     * @param settings the whole provider block
     * @param upstream the client
     * @return the provider
     */
    static Provider provider(Map<String, ?> settings, UpstreamClient upstream) {
        return new AzureProviderFactory().create(TestConfig.provider("azure", settings), TestContext.with(upstream));
    }

    /** An upstream client that records requests and answers each with {@code {}}. */
    static ScriptedUpstream capturing() {
        return capturing(200, "application/json", "{}");
    }

    /** An upstream client that records requests and answers each with the same answer. */
    static ScriptedUpstream capturing(int status, String contentType, String body) {
        return new ScriptedUpstream().respondWith(request -> Canned.text(status, contentType, body));
    }

    @Override
    public void close() {
        provider.close();
        upstream.close();
        fake.close();
    }
}
