package io.gateway.spi.provider;

import io.gateway.spi.Content;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.MultipartForm;
import io.gateway.spi.Operation;
import io.gateway.spi.upstream.UpstreamRequest;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt the router asks a {@link Provider} to make. Immutable and thread-safe; the server
 * builds it, tests build it with {@link #builder(Operation, JsonObject)}.
 *
 * <p>The body comes in two forms. {@link #body()} is always the parsed JSON with {@code model}
 * rewritten to the bare name and gateway-only fields removed. {@link #rawBody()} is, when present,
 * exactly the client's bytes with only the {@code model} value replaced: a pass-through provider
 * sends {@link #bodyBytes()}, which uses them when present, so the client's own formatting reaches
 * the upstream; a translating provider reads {@code body()} and ignores the raw form.
 *
 * <p>Since SPI 2.1 a request body may also be a {@link #form()} (multipart routes: audio
 * transcriptions, image edits, file uploads; {@code body()} then holds its text fields as JSON
 * strings) or a raw {@link #content()}; and requests that name a resource in their path or filter in
 * their query carry those values as {@link #parameters()}.
 */
public final class ProviderCall {

    private final String requestId;
    private final Operation operation;
    private final String model;
    private final JsonObject body;
    private final byte[] rawBody;
    private final MultipartForm form;
    private final Content content;
    private final Map<String, String> parameters;
    private final boolean stream;
    private final ApiKey key;
    private final Headers headers;
    private final Instant deadline;
    private final Duration streamIdleTimeout;

    private ProviderCall(Builder builder) {
        this.requestId = Objects.requireNonNull(builder.requestId, "requestId");
        this.operation = Objects.requireNonNull(builder.operation, "operation");
        this.model = builder.model;
        this.body = Objects.requireNonNull(builder.body, "body");
        this.rawBody = builder.rawBody;
        this.form = builder.form;
        this.content = builder.content;
        this.parameters = builder.parameters;
        this.stream = builder.stream;
        this.key = Objects.requireNonNull(builder.key, "key");
        this.headers = builder.headers == null ? Headers.empty() : builder.headers;
        this.deadline = Objects.requireNonNull(builder.deadline, "deadline");
        this.streamIdleTimeout = Objects.requireNonNull(builder.streamIdleTimeout, "streamIdleTimeout");
    }

    /**
     * A builder. The defaults: request id {@code test}, no model, no raw body, not streaming, a keyless
     * key, no headers, a deadline 30 s from now, a 60 s stream idle timeout.
     *
     * @param operation the operation
     * @param body      the body with the bare model
     * @return the builder
     */
    public static Builder builder(Operation operation, JsonObject body) {
        return new Builder(operation, body);
    }

    /**
     * The client request's id, for upstream correlation headers and logs.
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
     * The bare model name for the upstream ({@code gpt-4o-mini}).
     *
     * @return the model, {@code null} for {@link Operation#LIST_MODELS}
     */
    public String model() {
        return model;
    }

    /**
     * The request body with {@code model} rewritten to the bare name and gateway-only fields (such as
     * {@code fallbacks}) removed; every other field is as the client (or a middleware) sent it.
     *
     * @return the body
     */
    public JsonObject body() {
        return body;
    }

    /**
     * The client's own bytes with only the {@code model} value replaced, when nothing else about the
     * body changed (no middleware rewrote it, no gateway-only field had to go).
     *
     * @return a copy of the bytes, or empty
     */
    public Optional<byte[]> rawBody() {
        return rawBody == null ? Optional.empty() : Optional.of(rawBody.clone());
    }

    /**
     * The bytes a pass-through provider sends: {@link #rawBody()} when present, else {@link #body()}
     * serialized.
     *
     * @return UTF-8 JSON
     */
    public byte[] bodyBytes() {
        return rawBody != null ? rawBody.clone() : JsonBodies.toBytes(body);
    }

    /**
     * The multipart form of a multipart route, with {@code model} set to the bare model name (the
     * router writes it, as it does in {@link #body()}). Pass it on with {@link MultipartForm#encode()}.
     * Since SPI 2.1.
     *
     * @return the form, or empty for other routes
     */
    public java.util.Optional<MultipartForm> form() {
        return java.util.Optional.ofNullable(form);
    }

    /**
     * A raw request body that is neither JSON nor a form, streamed through. Since SPI 2.1.
     *
     * @return the content, or empty
     */
    public java.util.Optional<Content> content() {
        return java.util.Optional.ofNullable(content);
    }

    /**
     * The request's values that are not in its body: the id its path names ({@code file_id},
     * {@code batch_id}, as the provider knows it: the gateway's {@code provider/} prefix removed) and
     * its query's parameters ({@code limit}, {@code after}, {@code order}, {@code purpose}). Since SPI
     * 2.1.
     *
     * @return name to value, immutable, empty for most operations
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
    public java.util.Optional<String> parameter(String name) {
        return java.util.Optional.ofNullable(parameters.get(name));
    }

    /**
     * Whether the client asked for a stream.
     *
     * @return {@code true} for streams
     */
    public boolean stream() {
        return stream;
    }

    /**
     * The key chosen for this attempt; its value is {@link io.gateway.spi.Secret#isEmpty() empty}
     * when the provider is configured without keys (local servers).
     *
     * @return the key
     */
    public ApiKey key() {
        return key;
    }

    /**
     * The client's request headers, credentials removed by authentication middleware. For
     * provider-specific pass-through only; never forward credentials from them.
     *
     * @return the headers
     */
    public Headers headers() {
        return headers;
    }

    /**
     * When a non-streaming call must have completed.
     *
     * @return the deadline
     */
    public Instant deadline() {
        return deadline;
    }

    /**
     * The longest wait for the next event of a stream.
     *
     * @return the timeout
     */
    public Duration streamIdleTimeout() {
        return streamIdleTimeout;
    }

    /**
     * An upstream request carrying this call's stream flag, deadline and stream idle timeout.
     *
     * @param method  HTTP method
     * @param uri     absolute URI
     * @param headers request headers (credentials included)
     * @param body    request body, or {@code null}
     * @return the request
     */
    public UpstreamRequest request(String method, URI uri, Headers headers, byte[] body) {
        return UpstreamRequest.builder(method, uri).headers(headers).body(body).stream(stream)
                .deadline(deadline).idleTimeout(streamIdleTimeout).build();
    }

    /**
     * A builder of an upstream request carrying this call's stream flag, deadline and stream idle
     * timeout, for a caller that adds the body itself ({@link UpstreamRequest.Builder#content} for a
     * streamed body). Since SPI 2.1.
     *
     * @param method  HTTP method
     * @param uri     absolute URI
     * @param headers request headers (credentials included)
     * @return the builder
     */
    public UpstreamRequest.Builder requestBuilder(String method, URI uri, Headers headers) {
        return UpstreamRequest.builder(method, uri).headers(headers).stream(stream)
                .deadline(deadline).idleTimeout(streamIdleTimeout);
    }

    /**
     * A builder holding this call's values.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder builder = new Builder(operation, body);
        builder.requestId = requestId;
        builder.model = model;
        builder.rawBody = rawBody;
        builder.form = form;
        builder.content = content;
        builder.parameters = parameters;
        builder.stream = stream;
        builder.key = key;
        builder.headers = headers;
        builder.deadline = deadline;
        builder.streamIdleTimeout = streamIdleTimeout;
        return builder;
    }

    @Override
    public String toString() {
        return "ProviderCall[" + requestId + " " + operation.wireName() + " " + model + (stream ? " stream" : "")
                + " key=" + key.name() + "]";
    }

    /** Builds a {@link ProviderCall}. Not thread-safe. */
    public static final class Builder {
        private String requestId = "test";
        private Operation operation;
        private String model;
        private JsonObject body;
        private byte[] rawBody;
        private MultipartForm form;
        private Content content;
        private Map<String, String> parameters = Map.of();
        private boolean stream;
        private ApiKey key = ApiKey.of("none", io.gateway.spi.Secret.empty());
        private Headers headers = Headers.empty();
        private Instant deadline = Instant.now().plusSeconds(30);
        private Duration streamIdleTimeout = Duration.ofSeconds(60);

        private Builder(Operation operation, JsonObject body) {
            this.operation = Objects.requireNonNull(operation, "operation");
            this.body = Objects.requireNonNull(body, "body");
        }

        /**
         * The request id.
         *
         * @param value the id
         * @return this builder
         */
        public Builder requestId(String value) {
            requestId = Objects.requireNonNull(value, "requestId");
            return this;
        }

        /**
         * The bare model.
         *
         * @param value the model, {@code null} for model lists
         * @return this builder
         */
        public Builder model(String value) {
            model = value;
            return this;
        }

        /**
         * Another body; drops the raw bytes, which no longer match it.
         *
         * @param value the body
         * @return this builder
         */
        public Builder body(JsonObject value) {
            body = Objects.requireNonNull(value, "body");
            rawBody = null;
            return this;
        }

        /**
         * The client's bytes with only the model replaced; they must parse to exactly the body.
         *
         * @param value the bytes (kept, not copied: do not change them afterwards), or {@code null}
         * @return this builder
         */
        public Builder rawBody(byte[] value) {
            rawBody = value;
            return this;
        }

        /**
         * The multipart form of a multipart route. Since SPI 2.1.
         *
         * @param value the form, or {@code null}
         * @return this builder
         */
        public Builder form(MultipartForm value) {
            form = value;
            return this;
        }

        /**
         * A raw request body. Since SPI 2.1.
         *
         * @param value the content, or {@code null}
         * @return this builder
         */
        public Builder content(Content value) {
            content = value;
            return this;
        }

        /**
         * The path and query values. Since SPI 2.1.
         *
         * @param value name to value (copied), or {@code null} for none
         * @return this builder
         */
        public Builder parameters(Map<String, String> value) {
            parameters = value == null ? Map.of() : Map.copyOf(value);
            return this;
        }

        /**
         * Whether the client asked for a stream.
         *
         * @param value the flag
         * @return this builder
         */
        public Builder stream(boolean value) {
            stream = value;
            return this;
        }

        /**
         * The key for this attempt.
         *
         * @param value the key
         * @return this builder
         */
        public Builder key(ApiKey value) {
            key = Objects.requireNonNull(value, "key");
            return this;
        }

        /**
         * The client's headers.
         *
         * @param value the headers
         * @return this builder
         */
        public Builder headers(Headers value) {
            headers = value == null ? Headers.empty() : value;
            return this;
        }

        /**
         * The deadline of a non-streaming call.
         *
         * @param value the deadline
         * @return this builder
         */
        public Builder deadline(Instant value) {
            deadline = Objects.requireNonNull(value, "deadline");
            return this;
        }

        /**
         * The longest wait between stream events.
         *
         * @param value the timeout
         * @return this builder
         */
        public Builder streamIdleTimeout(Duration value) {
            streamIdleTimeout = Objects.requireNonNull(value, "streamIdleTimeout");
            return this;
        }

        /**
         * The call.
         *
         * @return a new call
         */
        public ProviderCall build() {
            return new ProviderCall(this);
        }
    }
}
