package io.gateway.spi;

import jakarta.json.JsonObject;
import java.util.Objects;

/**
 * What a provider or middleware answers: a complete JSON body, a stream of events, or bytes that are
 * not JSON streamed through ({@link Binary}, since SPI 2.1).
 *
 * <p>Every kind is immutable; middleware that changes a response returns a new one made with the
 * {@code with*} methods. Later minor versions may add kinds: a switch over responses should pass
 * kinds it does not know on unchanged (a {@code default} branch), since an exhaustive switch compiled
 * against an older SPI fails with a {@link MatchException} on a kind added later.
 */
public sealed interface Response permits Response.Complete, Response.Streaming, Response.Binary {

    /**
     * The HTTP status for the client (2xx for successes; failures are thrown as
     * {@link GatewayException}).
     *
     * @return the status
     */
    int status();

    /**
     * Headers for the client, such as upstream rate-limit headers. The server adds content and
     * routing headers itself.
     *
     * @return the headers
     */
    Headers headers();

    /**
     * A complete JSON answer.
     *
     * <p>It may hold the body as bytes (as a pass-through provider received it) or as a
     * {@link JsonObject}; each form is computed from the other at most once, when first asked for,
     * so a relay that nobody inspects is never parsed. Thread-safe.
     */
    final class Complete implements Response {
        private final int status;
        private final Headers headers;
        private volatile JsonObject body;
        private volatile byte[] bytes;
        private final boolean relayed;

        private Complete(int status, Headers headers, JsonObject body, byte[] bytes, boolean relayed) {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("status must be 100..599, was " + status);
            }
            this.status = status;
            this.headers = headers == null ? Headers.empty() : headers;
            this.body = body;
            this.bytes = bytes;
            this.relayed = relayed;
        }

        /**
         * A complete answer from a JSON object.
         *
         * @param status  HTTP status
         * @param headers headers, may be {@code null}
         * @param body    the JSON body
         * @return the response
         */
        public static Complete of(int status, Headers headers, JsonObject body) {
            return new Complete(status, headers, Objects.requireNonNull(body, "body"), null, false);
        }

        /**
         * A 200 answer from a JSON object.
         *
         * @param body the JSON body
         * @return the response
         */
        public static Complete ok(JsonObject body) {
            return of(200, Headers.empty(), body);
        }

        /**
         * A complete answer from UTF-8 JSON bytes, relayed as they are unless someone asks for
         * {@link #body()}. The caller must not change the array afterwards.
         *
         * @param status  HTTP status
         * @param headers headers, may be {@code null}
         * @param json    the JSON document's bytes
         * @return the response
         */
        public static Complete ofBytes(int status, Headers headers, byte[] json) {
            return new Complete(status, headers, null, Objects.requireNonNull(json, "json"), true);
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public Headers headers() {
            return headers;
        }

        /**
         * The body as JSON, parsed on first use.
         *
         * @return the body
         * @throws GatewayException 502 if the bytes are not a JSON object
         */
        public JsonObject body() {
            JsonObject result = body;
            if (result == null) {
                result = JsonBodies.parse(bytes);
                body = result;
            }
            return result;
        }

        /**
         * The body as UTF-8 bytes, serialized on first use. Do not modify the array.
         *
         * @return the bytes
         */
        public byte[] bytes() {
            byte[] result = bytes;
            if (result == null) {
                result = JsonBodies.toBytes(body);
                bytes = result;
            }
            return result;
        }

        /**
         * Whether the answer was created from bytes as an upstream sent them ({@link #ofBytes}): a
         * relayed answer, which the server checks in one streaming pass before it reaches the client.
         *
         * @return {@code true} for a relayed answer
         */
        public boolean isRelayed() {
            return relayed;
        }

        /**
         * A copy with other headers.
         *
         * @param newHeaders the headers
         * @return a new response sharing the body
         */
        public Complete withHeaders(Headers newHeaders) {
            return new Complete(status, newHeaders, body, bytes, relayed);
        }

        /**
         * A copy with another body.
         *
         * @param newBody the body
         * @return a new response
         */
        public Complete withBody(JsonObject newBody) {
            return new Complete(status, headers, Objects.requireNonNull(newBody, "newBody"), null, false);
        }

        @Override
        public String toString() {
            return "Complete[" + status + "]";
        }
    }

    /**
     * A streamed answer, written to the client as server-sent events.
     *
     * @param status  HTTP status used once the first event is ready
     * @param headers headers for the client
     * @param events  the events; the consumer must close them
     */
    record Streaming(int status, Headers headers, EventStream events) implements Response {

        /**
         * Validates the fields.
         *
         * @throws NullPointerException if {@code events} is {@code null}
         */
        public Streaming {
            Objects.requireNonNull(events, "events");
            headers = headers == null ? Headers.empty() : headers;
        }

        /**
         * A 200 stream.
         *
         * @param events the events
         * @return the response
         */
        public static Streaming ok(EventStream events) {
            return new Streaming(200, Headers.empty(), events);
        }

        /**
         * A copy with other events, e.g. {@code events().peek(...)}.
         *
         * @param newEvents the events
         * @return a new response
         */
        public Streaming withEvents(EventStream newEvents) {
            return new Streaming(status, headers, newEvents);
        }

        /**
         * A copy with other headers.
         *
         * @param newHeaders the headers
         * @return a new response
         */
        public Streaming withHeaders(Headers newHeaders) {
            return new Streaming(status, newHeaders, events);
        }
    }

    /**
     * An answer that is not JSON (audio, a file's content, text subtitles), relayed to the client as
     * its bytes arrive, with its media type: {@code Content-Length} when the length is known, else
     * chunked. Since SPI 2.1.
     *
     * @param status      HTTP status (2xx)
     * @param headers     headers for the client
     * @param contentType the media type for {@code Content-Type}, e.g. {@code audio/mpeg}
     * @param length      the number of bytes, or {@code -1} when unknown
     * @param body        the bytes; the consumer must read them to the end or close them
     */
    record Binary(int status, Headers headers, String contentType, long length, ByteStream body)
            implements Response {

        /**
         * Validates the fields.
         *
         * @throws NullPointerException     if {@code contentType} or {@code body} is {@code null}
         * @throws IllegalArgumentException for a status outside 100..599 or a length below -1
         */
        public Binary {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("status must be 100..599, was " + status);
            }
            if (length < -1) {
                throw new IllegalArgumentException("length must be -1 or more, was " + length);
            }
            headers = headers == null ? Headers.empty() : headers;
        }

        /**
         * A 200 answer of unknown length.
         *
         * @param contentType the media type
         * @param body        the bytes
         * @return the response
         */
        public static Binary ok(String contentType, ByteStream body) {
            return new Binary(200, Headers.empty(), contentType, -1, body);
        }

        /**
         * A copy with other bytes, e.g. {@code body().onComplete(...)}; the length stays.
         *
         * @param newBody the bytes
         * @return a new response
         */
        public Binary withBody(ByteStream newBody) {
            return new Binary(status, headers, contentType, length, newBody);
        }

        /**
         * A copy with other headers.
         *
         * @param newHeaders the headers
         * @return a new response
         */
        public Binary withHeaders(Headers newHeaders) {
            return new Binary(status, newHeaders, contentType, length, body);
        }
    }
}
