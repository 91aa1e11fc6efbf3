package io.gateway.spi.upstream;

import io.gateway.spi.Content;
import io.gateway.spi.Headers;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An HTTP request to a provider, performed by {@link UpstreamClient#send}. Immutable; build one with
 * {@link #builder(String, URI)} or, inside a provider, with
 * {@link io.gateway.spi.provider.ProviderCall#request}, which carries the call's deadline.
 */
public final class UpstreamRequest {

    private final String method;
    private final URI uri;
    private final Headers headers;
    private final byte[] body;
    private final Content content;
    private final boolean stream;
    private final Instant deadline;
    private final Duration idleTimeout;

    private UpstreamRequest(Builder builder) {
        this.method = builder.method;
        this.uri = builder.uri;
        this.headers = builder.headers;
        this.body = builder.body;
        this.content = builder.content;
        this.stream = builder.stream;
        this.deadline = Objects.requireNonNull(builder.deadline, "deadline");
        this.idleTimeout = Objects.requireNonNull(builder.idleTimeout, "idleTimeout");
    }

    /**
     * A builder. Defaults: no headers, no body, not a stream, a deadline 30 s from now, a 60 s idle
     * timeout.
     *
     * @param method HTTP method, e.g. {@code POST}
     * @param uri    absolute {@code http} or {@code https} URI
     * @return the builder
     * @throws IllegalArgumentException for a relative URI
     */
    public static Builder builder(String method, URI uri) {
        return new Builder(method, uri);
    }

    /**
     * The HTTP method.
     *
     * @return e.g. {@code POST}
     */
    public String method() {
        return method;
    }

    /**
     * The absolute URI.
     *
     * @return the URI
     */
    public URI uri() {
        return uri;
    }

    /**
     * Request headers, credentials included (the client never logs values).
     *
     * @return the headers
     */
    public Headers headers() {
        return headers;
    }

    /**
     * The body bytes; not copied, do not modify.
     *
     * @return the body, or {@code null} for none or when the body is a streamed {@link #content()}
     */
    public byte[] body() {
        return body;
    }

    /**
     * The body as a stream, for bodies that are not held in memory (a multipart upload, a client's
     * raw body): the client sends it with its {@code Content-Type} and its {@code Content-Length} when
     * known, else chunked, copying it as it is read. Since SPI 2.1.
     *
     * @return the content, or {@code null} when the body is {@link #body()} bytes or there is none
     */
    public Content content() {
        return content;
    }

    /**
     * Whether the answer is read as it arrives: server-sent events, or bytes streamed through
     * ({@link io.gateway.spi.Response.Binary}). Its reads are then bounded by the
     * {@link #idleTimeout()} rather than by the deadline, which bounds only the wait for the headers.
     *
     * @return {@code true} for streams
     */
    public boolean stream() {
        return stream;
    }

    /**
     * When the whole exchange must be complete (for streams: until the headers arrived).
     *
     * @return the deadline
     */
    public Instant deadline() {
        return deadline;
    }

    /**
     * For streams, the longest wait between two reads.
     *
     * @return the timeout
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * Never shows headers or body.
     *
     * @return method and URI
     */
    @Override
    public String toString() {
        return "UpstreamRequest[" + method + " " + uri + "]";
    }

    /** Builds an {@link UpstreamRequest}. Not thread-safe. */
    public static final class Builder {
        private final String method;
        private final URI uri;
        private Headers headers = Headers.empty();
        private byte[] body;
        private Content content;
        private boolean stream;
        private Instant deadline = Instant.now().plusSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(60);

        private Builder(String method, URI uri) {
            this.method = Objects.requireNonNull(method, "method");
            this.uri = Objects.requireNonNull(uri, "uri");
            if (!uri.isAbsolute()) {
                throw new IllegalArgumentException("upstream URI must be absolute: " + uri);
            }
        }

        /**
         * The headers.
         *
         * @param value the headers
         * @return this builder
         */
        public Builder headers(Headers value) {
            headers = value == null ? Headers.empty() : value;
            return this;
        }

        /**
         * The body.
         *
         * @param value the bytes (kept, not copied), or {@code null} for none
         * @return this builder
         */
        public Builder body(byte[] value) {
            body = value;
            content = null;
            return this;
        }

        /**
         * A body sent as a stream (it replaces bytes given with {@link #body(byte[])}). A
         * {@code content-type} header, when the request has none, is the content's. Since SPI 2.1.
         *
         * @param value the content, or {@code null} for none
         * @return this builder
         */
        public Builder content(Content value) {
            content = value;
            if (value != null) {
                body = null;
            }
            return this;
        }

        /**
         * Whether the answer is read as it arrives (server-sent events, or bytes streamed through).
         *
         * @param value the flag
         * @return this builder
         */
        public Builder stream(boolean value) {
            stream = value;
            return this;
        }

        /**
         * The deadline.
         *
         * @param value the deadline
         * @return this builder
         */
        public Builder deadline(Instant value) {
            deadline = Objects.requireNonNull(value, "deadline");
            return this;
        }

        /**
         * The stream idle timeout.
         *
         * @param value the timeout
         * @return this builder
         */
        public Builder idleTimeout(Duration value) {
            idleTimeout = Objects.requireNonNull(value, "idleTimeout");
            return this;
        }

        /**
         * The request.
         *
         * @return a new request
         */
        public UpstreamRequest build() {
            return new UpstreamRequest(this);
        }
    }
}
