package io.gateway.testkit;

import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.middleware.Exchange;
import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds the {@link Exchange} a middleware receives, as the server builds it for a request: a request
 * id, the operation, the parsed body, the client's headers, the arrival time and a fresh
 * {@link TestOutcome} that {@link RouterStandIn} fills as the router would.
 *
 * <pre>{@code
 * Exchange exchange = TestExchange.of(Operation.CHAT_COMPLETION, """
 *         {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""")
 *         .header("x-bf-vk", "sk-bf-team-a").build();
 * }</pre>
 *
 * <p>Not thread-safe; the exchanges it builds are immutable.
 */
public final class TestExchange {

    private static final AtomicLong IDS = new AtomicLong();

    private final Operation operation;
    private final JsonObject body;
    private final Headers.Builder headers = Headers.builder();
    private String requestId;
    private Instant receivedAt;
    private final java.util.List<java.util.function.UnaryOperator<Exchange>> attributes = new java.util.ArrayList<>();

    private TestExchange(Operation operation, JsonObject body) {
        this.operation = Objects.requireNonNull(operation, "operation");
        this.body = Objects.requireNonNull(body, "body");
    }

    /**
     * A builder for a request of an operation with a JSON body.
     *
     * @param operation the operation
     * @param json      the body as the client sent it, e.g. with {@code "model":"openai/gpt-4o"}
     * @return the builder
     */
    public static TestExchange of(Operation operation, String json) {
        return new TestExchange(operation, JsonBodies.parse(json));
    }

    /**
     * A builder for a request of an operation with a parsed body.
     *
     * @param operation the operation
     * @param body      the body
     * @return the builder
     */
    public static TestExchange of(Operation operation, JsonObject body) {
        return new TestExchange(operation, body);
    }

    /**
     * A chat completion request for a model with one user message.
     *
     * @param model the model as the client names it, e.g. {@code openai/gpt-4o-mini}
     * @return the builder
     */
    public static TestExchange chat(String model) {
        return of(Operation.CHAT_COMPLETION, JsonBodies.provider().createObjectBuilder()
                .add("model", model)
                .add("messages", JsonBodies.provider().createArrayBuilder().add(JsonBodies.provider()
                        .createObjectBuilder().add("role", "user").add("content", "hello")))
                .build());
    }

    /**
     * Adds a client header.
     *
     * @param name  the name
     * @param value the value
     * @return this builder
     */
    public TestExchange header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    /**
     * Adds client headers from alternating names and values.
     *
     * @param namesAndValues name, value, name, value…
     * @return this builder
     */
    public TestExchange headers(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("headers come as name, value pairs");
        }
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return this;
    }

    /**
     * The request id; a fresh {@code req-N} by default.
     *
     * @param value the id
     * @return this builder
     */
    public TestExchange requestId(String value) {
        requestId = Objects.requireNonNull(value, "value");
        return this;
    }

    /**
     * When the request arrived; now by default.
     *
     * @param value the instant
     * @return this builder
     */
    public TestExchange receivedAt(Instant value) {
        receivedAt = Objects.requireNonNull(value, "value");
        return this;
    }

    /**
     * Sets an attribute, as an earlier middleware would have.
     *
     * @param key   the key
     * @param value the value
     * @param <T>   the value type
     * @return this builder
     */
    public <T> TestExchange attribute(AttributeKey<T> key, T value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        attributes.add(exchange -> exchange.withAttribute(key, value));
        return this;
    }

    /**
     * The exchange, with a fresh {@link TestOutcome}.
     *
     * @return the exchange
     */
    public Exchange build() {
        return build(new TestOutcome());
    }

    /**
     * The exchange with a given outcome.
     *
     * @param outcome the outcome the exchange carries
     * @return the exchange
     */
    public Exchange build(TestOutcome outcome) {
        Exchange exchange = Exchange.create(requestId != null ? requestId : "req-" + IDS.incrementAndGet(), operation,
                body, headers.build(), receivedAt != null ? receivedAt : Instant.now(), outcome);
        for (java.util.function.UnaryOperator<Exchange> attribute : attributes) {
            exchange = attribute.apply(exchange);
        }
        return exchange;
    }
}
