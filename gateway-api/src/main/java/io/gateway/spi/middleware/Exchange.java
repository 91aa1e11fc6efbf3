package io.gateway.spi.middleware;

import io.gateway.spi.Content;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import io.gateway.spi.MultipartForm;
import io.gateway.spi.Operation;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One client request as it travels through the middleware chain: the operation, the parsed JSON
 * body, the requested model, the client's headers and per-request attributes.
 *
 * <p>The server parses the body once and builds the exchange; nothing parses it again. Exchanges are
 * immutable and thread-safe: middleware that rewrites a request passes a changed copy (made with
 * the {@code with*} methods) to {@link Chain#proceed(Exchange)}.
 *
 * <p>Since SPI 2.1 the body may also be a multipart {@link #form()} (audio transcriptions, image
 * edits, file uploads), whose text fields {@link #body()} then shows as JSON strings, so that the
 * model, the operation and the headers read the same for every route; or a raw {@link #content()}.
 * Requests that name a resource in their path or filter in their query carry those values as
 * {@link #parameters()}.
 */
public final class Exchange {

    private final String requestId;
    private final Operation operation;
    private final JsonObject body;
    private final ModelRef model;
    private final Headers headers;
    private final Map<AttributeKey<?>, Object> attributes;
    private final Instant receivedAt;
    private final RequestOutcome outcome;
    private final MultipartForm form;
    private final Content content;
    private final Map<String, String> parameters;

    private Exchange(String requestId, Operation operation, JsonObject body, ModelRef model, Headers headers,
                     Map<AttributeKey<?>, Object> attributes, Instant receivedAt, RequestOutcome outcome) {
        this(requestId, operation, body, model, headers, attributes, receivedAt, outcome, null, null, Map.of());
    }

    private Exchange(String requestId, Operation operation, JsonObject body, ModelRef model, Headers headers,
                     Map<AttributeKey<?>, Object> attributes, Instant receivedAt, RequestOutcome outcome,
                     MultipartForm form, Content content, Map<String, String> parameters) {
        this.form = form;
        this.content = content;
        this.parameters = parameters;
        this.requestId = Objects.requireNonNull(requestId, "requestId");
        this.operation = Objects.requireNonNull(operation, "operation");
        this.body = body == null ? JsonValue.EMPTY_JSON_OBJECT : body;
        this.model = model;
        this.headers = headers == null ? Headers.empty() : headers;
        this.attributes = attributes;
        this.receivedAt = receivedAt == null ? Instant.now() : receivedAt;
        this.outcome = outcome == null ? RequestOutcome.empty() : outcome;
    }

    /**
     * A new exchange. The model is read from the body's {@code model} field.
     *
     * @param requestId  the request id ({@code x-request-id})
     * @param operation  the operation
     * @param body       the parsed body ({@code {}} for bodiless requests)
     * @param headers    the client's headers
     * @param receivedAt when the request arrived
     * @return the exchange
     * @throws IllegalArgumentException if {@code model} is present but not {@code provider/model}
     */
    public static Exchange create(String requestId, Operation operation, JsonObject body, Headers headers,
                                  Instant receivedAt) {
        return create(requestId, operation, body, headers, receivedAt, RequestOutcome.empty());
    }

    /**
     * A new exchange whose outcome someone records: the server, or a test harness standing in for it.
     *
     * @param requestId  the request id ({@code x-request-id})
     * @param operation  the operation
     * @param body       the parsed body ({@code {}} for bodiless requests)
     * @param headers    the client's headers
     * @param receivedAt when the request arrived
     * @param outcome    the request's outcome as it is recorded
     * @return the exchange
     * @throws IllegalArgumentException if {@code model} is present but not {@code provider/model}
     */
    public static Exchange create(String requestId, Operation operation, JsonObject body, Headers headers,
                                  Instant receivedAt, RequestOutcome outcome) {
        return new Exchange(requestId, operation, body, modelOf(body), headers, Map.of(), receivedAt, outcome);
    }

    private static ModelRef modelOf(JsonObject body) {
        if (body == null) {
            return null;
        }
        String model = JsonBodies.string(body, "model");
        return model == null || model.isBlank() ? null : ModelRef.parse(model);
    }

    /**
     * The request id, also sent back as {@code x-request-id}.
     *
     * @return the id
     */
    public String requestId() {
        return requestId;
    }

    /**
     * The operation.
     *
     * @return the operation
     */
    public Operation operation() {
        return operation;
    }

    /**
     * The request body as the client sent it (or as middleware rewrote it), gateway-only fields
     * included.
     *
     * @return the body, {@code {}} for bodiless requests
     */
    public JsonObject body() {
        return body;
    }

    /**
     * The requested model, from the body's {@code model} field.
     *
     * @return the model, or {@code null} for operations without one ({@code models})
     */
    public ModelRef model() {
        return model;
    }

    /**
     * Whether the client asked for a stream: {@code "stream": true}, a form field {@code stream} of
     * {@code true}, or for {@link Operation#SPEECH} {@code "stream_format": "sse"}.
     *
     * @return {@code true} for streams
     */
    public boolean stream() {
        JsonValue value = body.get("stream");
        if (value == JsonValue.TRUE) {
            return true;
        }
        if (form != null) {
            return form.field("stream").map(text -> text.trim().equalsIgnoreCase("true")).orElse(false);
        }
        return operation == Operation.SPEECH && "sse".equals(JsonBodies.string(body, "stream_format"));
    }

    /**
     * The multipart form of a multipart route, as the client sent it or a middleware replaced it. It
     * is what goes upstream, with {@code model} set to the routed model. Since SPI 2.1.
     *
     * @return the form, or empty for other routes
     */
    public Optional<MultipartForm> form() {
        return Optional.ofNullable(form);
    }

    /**
     * A raw request body that is neither JSON nor a form, streamed through. Since SPI 2.1.
     *
     * @return the content, or empty
     */
    public Optional<Content> content() {
        return Optional.ofNullable(content);
    }

    /**
     * The request's values that are not in its body: the id its path names ({@code file_id},
     * {@code batch_id}, as the client sent it) and its query's parameters. Since SPI 2.1.
     *
     * @return name to value, immutable
     */
    public Map<String, String> parameters() {
        return parameters;
    }

    /**
     * One of {@link #parameters()}.
     *
     * @param name the name, e.g. {@code file_id}
     * @return the value, or empty
     */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    /**
     * A copy with a multipart form; {@link #body()} becomes its text fields
     * ({@link MultipartForm#fieldsAsJson()}) and the model is read again from them. Since SPI 2.1.
     *
     * @param newForm the form
     * @return a new exchange
     */
    public Exchange withForm(MultipartForm newForm) {
        Objects.requireNonNull(newForm, "newForm");
        JsonObject fields = newForm.fieldsAsJson();
        return new Exchange(requestId, operation, fields, modelOf(fields), headers, attributes, receivedAt, outcome,
                newForm, content, parameters);
    }

    /**
     * A copy with a raw body. Since SPI 2.1.
     *
     * @param newContent the content, or {@code null} for none
     * @return a new exchange
     */
    public Exchange withContent(Content newContent) {
        return new Exchange(requestId, operation, body, model, headers, attributes, receivedAt, outcome, form,
                newContent, parameters);
    }

    /**
     * A copy with other path and query values. Since SPI 2.1.
     *
     * @param newParameters name to value (copied), or {@code null} for none
     * @return a new exchange
     */
    public Exchange withParameters(Map<String, String> newParameters) {
        return new Exchange(requestId, operation, body, model, headers, attributes, receivedAt, outcome, form,
                content, newParameters == null ? Map.of() : Map.copyOf(newParameters));
    }

    /**
     * The client's request headers. They include credentials the client sent; never log values.
     *
     * @return the headers
     */
    public Headers headers() {
        return headers;
    }

    /**
     * When the gateway received the request.
     *
     * @return the instant
     */
    public Instant receivedAt() {
        return receivedAt;
    }

    /**
     * An attribute set by earlier middleware.
     *
     * @param key the key
     * @param <T> the value type
     * @return the value, or empty
     */
    public <T> Optional<T> attribute(AttributeKey<T> key) {
        Object value = attributes.get(key);
        return value == null ? Optional.empty() : Optional.of(key.cast(value));
    }

    /**
     * A copy with another body; the model is read again from it.
     *
     * @param newBody the body
     * @return a new exchange
     */
    public Exchange withBody(JsonObject newBody) {
        return new Exchange(requestId, operation, newBody, modelOf(newBody), headers, attributes, receivedAt,
                outcome, form, content, parameters);
    }

    /**
     * A copy with other headers (for example without a credential header).
     *
     * @param newHeaders the headers
     * @return a new exchange
     */
    public Exchange withHeaders(Headers newHeaders) {
        return new Exchange(requestId, operation, body, model, newHeaders, attributes, receivedAt, outcome, form,
                content, parameters);
    }

    /**
     * A copy with an attribute set.
     *
     * @param key   the key
     * @param value the value, not {@code null}
     * @param <T>   the value type
     * @return a new exchange
     */
    public <T> Exchange withAttribute(AttributeKey<T> key, T value) {
        Objects.requireNonNull(value, "value");
        Map<AttributeKey<?>, Object> copy = new HashMap<>(attributes);
        copy.put(key, value);
        return new Exchange(requestId, operation, body, model, headers, Map.copyOf(copy), receivedAt, outcome, form,
                content, parameters);
    }

    /**
     * What happened to this request beyond the middleware (attempts, serving provider and model, token
     * usage, async delivery), shared by every copy of the exchange. Read it after
     * {@link Chain#proceed} returned, or for streams once the stream ended.
     *
     * @return the outcome
     */
    public RequestOutcome outcome() {
        return outcome;
    }

    @Override
    public String toString() {
        return "Exchange[" + requestId + " " + operation.wireName() + " " + model + "]";
    }
}
