package io.gateway.testkit;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.provider.ProviderFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A provider created by its factory as the server creates it, called as the server's router calls it:
 * the keys built from the block's {@code keys} as the server builds them, and calls carrying the bare
 * model, one of those keys, the client's bytes as the raw body, a deadline {@code timeout} (30 s) from
 * now and the {@code stream-idle-timeout} (60 s).
 *
 * <pre>{@code
 * try (FakeAnthropic anthropic = FakeAnthropic.start();
 *      HttpUpstream upstream = HttpUpstream.create();
 *      ProviderHarness claude = ProviderHarness.create(new AnthropicProviderFactory(),
 *              TestConfig.provider("claude", Map.of("base-url", anthropic.baseUrl(),
 *                      "keys", List.of(Map.of("name", "main", "value", FakeAnthropic.API_KEY)))),
 *              TestContext.with(upstream))) {
 *     JsonObject answer = claude.complete(Operation.CHAT_COMPLETION, """
 *             {"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}]}""");
 * }
 * }</pre>
 *
 * <p>Thread-safe when the provider is; closing it closes the provider.
 */
public final class ProviderHarness implements AutoCloseable {

    private static final AtomicLong IDS = new AtomicLong();

    private final Provider provider;
    private final List<ApiKey> keys;
    private final Duration timeout;
    private final Duration idleTimeout;

    private ProviderHarness(Provider provider, List<ApiKey> keys, Duration timeout, Duration idleTimeout) {
        this.provider = provider;
        this.keys = keys;
        this.timeout = timeout;
        this.idleTimeout = idleTimeout;
    }

    /**
     * Creates the provider through its factory.
     *
     * @param factory the factory
     * @param config  the provider's block, e.g. {@link TestConfig#provider}
     * @param context the services, e.g. {@link TestContext#with} an upstream client
     * @return the harness
     * @throws IllegalArgumentException what the factory throws for a bad configuration, or for bad
     *                                  {@code keys} as the server would
     */
    public static ProviderHarness create(ProviderFactory factory, PluginConfig config, PluginContext context) {
        List<ApiKey> keys = keys(config);
        Duration timeout = config.duration("timeout", Duration.ofSeconds(30));
        Duration idle = config.duration("stream-idle-timeout", Duration.ofSeconds(60));
        Provider provider = factory.create(config, context);
        if (provider == null) {
            throw new AssertionError("the factory " + factory.getClass().getName() + " created no provider");
        }
        return new ProviderHarness(provider, keys, timeout, idle);
    }

    /**
     * The keys of a provider block as the server builds them: {@code name} (default {@code key-N}),
     * {@code weight} (default 1), {@code models}, and the secret {@code value}.
     *
     * @param config the provider's block
     * @return the keys, empty for a keyless provider
     * @throws IllegalArgumentException for duplicate names or a weight that is not positive
     */
    public static List<ApiKey> keys(PluginConfig config) {
        List<ApiKey> keys = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<PluginConfig> blocks = config.children("keys");
        for (int i = 0; i < blocks.size(); i++) {
            PluginConfig block = blocks.get(i);
            String name = block.string("name", "key-" + i);
            if (!names.add(name)) {
                throw block.invalid("name", "another key of this provider is already named '" + name
                        + "'; key names must be unique");
            }
            double weight = block.number("weight", 1.0);
            if (!(weight > 0)) {
                throw block.invalid("weight", "must be greater than 0, e.g. 1.0");
            }
            List<String> models = block.strings("models");
            Secret value = block.secret("value");
            keys.add(new ApiKey(name, value, weight, models));
        }
        return List.copyOf(keys);
    }

    /**
     * The provider.
     *
     * @return the provider
     */
    public Provider provider() {
        return provider;
    }

    /**
     * The configured keys.
     *
     * @return the keys, empty for a keyless provider
     */
    public List<ApiKey> keys() {
        return keys;
    }

    /**
     * A configured key by name.
     *
     * @param name the name
     * @return the key
     * @throws AssertionError when there is none
     */
    public ApiKey key(String name) {
        return keys.stream().filter(key -> key.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("the provider has no key named " + name + "; it has "
                        + keys.stream().map(ApiKey::name).toList()));
    }

    /**
     * A call as the router makes it, with the first configured key (or the keyless key {@code none}).
     *
     * @param operation the operation
     * @param json      the client's body with the bare model ({@code "model":"gpt-4o"}); {@code stream}
     *                  in it makes a streamed call
     * @return the call
     */
    public ProviderCall call(Operation operation, String json) {
        return callBuilder(operation, json).build();
    }

    /**
     * A call with one of the configured keys.
     *
     * @param operation the operation
     * @param json      the body
     * @param keyName   the key's name
     * @return the call
     */
    public ProviderCall call(Operation operation, String json, String keyName) {
        return callBuilder(operation, json).key(key(keyName)).build();
    }

    /**
     * A call builder prepared as {@link #call(Operation, String)}, to change a part of it.
     *
     * @param operation the operation
     * @param json      the body
     * @return the builder
     */
    public ProviderCall.Builder callBuilder(Operation operation, String json) {
        Objects.requireNonNull(operation, "operation");
        JsonObject body = JsonBodies.parse(json);
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        if (body.containsKey("fallbacks")) {
            body = JsonBodies.provider().createObjectBuilder(body).remove("fallbacks").build();
            raw = null;
        }
        String model = operation == Operation.LIST_MODELS ? null : JsonBodies.string(body, "model");
        ApiKey key = keys.isEmpty() ? ApiKey.of("none", Secret.empty()) : keys.get(0);
        return ProviderCall.builder(operation, body).requestId("req-" + IDS.incrementAndGet()).model(model)
                .rawBody(raw).stream(body.get("stream") == JsonValue.TRUE).key(key)
                .deadline(Instant.now().plus(timeout)).streamIdleTimeout(idleTimeout);
    }

    /**
     * Calls the provider.
     *
     * @param call the call
     * @return its response
     * @throws GatewayException what the provider throws
     */
    public Response send(ProviderCall call) {
        Response response = provider.call(call);
        if (response == null) {
            throw new AssertionError("the provider answered null to " + call + "; the server turns that into a 500");
        }
        return response;
    }

    /**
     * Calls and expects a complete answer.
     *
     * @param call the call
     * @return the answer
     * @throws AssertionError when the answer is a stream
     */
    public Response.Complete complete(ProviderCall call) {
        Response response = send(call);
        if (!(response instanceof Response.Complete complete)) {
            throw new AssertionError("expected a complete answer to " + call + ", got "
                    + EventStreams.describe(response));
        }
        return complete;
    }

    /**
     * Calls and returns the body of the complete answer.
     *
     * @param operation the operation
     * @param json      the body
     * @return the answer's body
     */
    public JsonObject complete(Operation operation, String json) {
        return complete(call(operation, json)).body();
    }

    /**
     * Calls and expects a streamed answer.
     *
     * @param call the call
     * @return the answer, its events unread
     * @throws AssertionError when the answer is complete
     */
    public Response.Streaming streaming(ProviderCall call) {
        Response response = send(call);
        if (!(response instanceof Response.Streaming streaming)) {
            throw new AssertionError("expected a streamed answer to " + call + ", got "
                    + EventStreams.describe(response));
        }
        return streaming;
    }

    /**
     * Calls, expects a stream and reads it to its end as the server's writer would.
     *
     * @param call the call
     * @return the events
     */
    public List<StreamEvent> stream(ProviderCall call) {
        return EventStreams.drain(streaming(call).events());
    }

    /**
     * Calls with a body and reads the streamed answer to its end.
     *
     * @param operation the operation
     * @param json      the body, with {@code "stream": true}
     * @return the events
     */
    public List<StreamEvent> stream(Operation operation, String json) {
        return stream(call(operation, json));
    }

    /**
     * Calls and expects a failure.
     *
     * @param call the call
     * @return what the provider threw
     * @throws AssertionError when it answered
     */
    public GatewayException failure(ProviderCall call) {
        try {
            Response response = provider.call(call);
            throw new AssertionError("expected " + call + " to fail, got " + EventStreams.describe(response));
        } catch (GatewayException e) {
            return e;
        }
    }

    /**
     * Calls with a body and expects a failure.
     *
     * @param operation the operation
     * @param json      the body
     * @return what the provider threw
     */
    public GatewayException failure(Operation operation, String json) {
        return failure(call(operation, json));
    }

    /** Closes the provider. */
    @Override
    public void close() {
        provider.close();
    }

    @Override
    public String toString() {
        return "ProviderHarness[" + provider.getClass().getName() + ", keys " + keys.stream().map(ApiKey::name)
                .toList() + "]";
    }
}
