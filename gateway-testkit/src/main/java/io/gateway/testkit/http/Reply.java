package io.gateway.testkit.http;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a {@link FakeUpstream} stub answers: an immutable value built with the static factories and
 * refined with {@link #header}, {@link #delay} and {@link #thenDropConnection()}.
 *
 * <ul>
 *   <li>{@link #json(int, String)}, {@link #text(int, String)}, {@link #of(int, String, byte[])},
 *       {@link #error(int, String)}: a complete body with {@code Content-Length};</li>
 *   <li>{@link #sse(List)}: server-sent events, chunked, each frame flushed to the socket on its own
 *       after its {@link SseFrame#delay()};</li>
 *   <li>{@link #chunked(int, String, List)}: arbitrary chunks (raw SSE with comments or CRLF, NDJSON…);</li>
 *   <li>{@link #dropConnection()}: close the connection without answering;</li>
 *   <li>{@link #truncated(int, long, String)}: declare a longer {@code Content-Length} than is sent,
 *       then close the connection mid-body;</li>
 *   <li>{@link #from(Function)}: compute the reply from the recorded request.</li>
 * </ul>
 *
 * <p>{@link #delay(Duration)} holds back any reply before its status line ("slow first byte").
 */
public final class Reply {

    enum Kind { FIXED, STREAM, DROP, TRUNCATED, DYNAMIC, GENERATED }

    /**
     * One piece of a {@link #chunked} body, written and flushed on its own after {@code delay}.
     *
     * @param bytes the bytes to write
     * @param delay the pause before writing them (after the previous chunk or the headers)
     */
    public record Chunk(byte[] bytes, Duration delay) {

        /**
         * Validates and copies.
         *
         * @throws IllegalArgumentException if the delay is negative
         */
        public Chunk {
            bytes = Objects.requireNonNull(bytes, "bytes").clone();
            delay = delay == null ? Duration.ZERO : delay;
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, was " + delay);
            }
        }

        /**
         * A chunk of UTF-8 text written at once.
         *
         * @param text the text
         * @return the chunk
         */
        public static Chunk of(String text) {
            return new Chunk(text.getBytes(StandardCharsets.UTF_8), Duration.ZERO);
        }

        /**
         * A chunk of bytes written at once.
         *
         * @param bytes the bytes
         * @return the chunk
         */
        public static Chunk of(byte[] bytes) {
            return new Chunk(bytes, Duration.ZERO);
        }

        /**
         * This chunk, written after a pause.
         *
         * @param delay the pause
         * @return a copy with the delay
         */
        public Chunk after(Duration delay) {
            return new Chunk(bytes, Objects.requireNonNull(delay, "delay"));
        }

        /**
         * A copy of the bytes.
         *
         * @return the bytes
         */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        byte[] raw() {
            return bytes;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Chunk chunk && java.util.Arrays.equals(bytes, chunk.bytes)
                    && delay.equals(chunk.delay);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Arrays.hashCode(bytes) + delay.hashCode();
        }

        @Override
        public String toString() {
            return "Chunk[" + bytes.length + " bytes" + (delay.isZero() ? "" : ", after " + delay.toMillis() + "ms")
                    + "]";
        }
    }

    record Header(String name, String value) {
    }

    private final Kind kind;
    private final int status;
    private final List<Header> defaultHeaders;
    private final List<Header> headers;
    private final byte[] body;
    private final List<Chunk> chunks;
    private final long declaredLength;
    private final Duration delay;
    private final boolean dropAfterBody;
    private final Function<RecordedRequest, Reply> handler;
    private final int holdAfter;
    private final Gate gate;
    private java.util.function.Supplier<java.io.InputStream> generator;

    private Reply(Kind kind, int status, List<Header> defaultHeaders, List<Header> headers, byte[] body,
                  List<Chunk> chunks, long declaredLength, Duration delay, boolean dropAfterBody,
                  Function<RecordedRequest, Reply> handler) {
        this(kind, status, defaultHeaders, headers, body, chunks, declaredLength, delay, dropAfterBody, handler, -1,
                null);
    }

    private Reply(Kind kind, int status, List<Header> defaultHeaders, List<Header> headers, byte[] body,
                  List<Chunk> chunks, long declaredLength, Duration delay, boolean dropAfterBody,
                  Function<RecordedRequest, Reply> handler, int holdAfter, Gate gate) {
        this.holdAfter = holdAfter;
        this.gate = gate;
        this.kind = kind;
        this.status = status;
        this.defaultHeaders = List.copyOf(defaultHeaders);
        this.headers = List.copyOf(headers);
        this.body = body;
        this.chunks = List.copyOf(chunks);
        this.declaredLength = declaredLength;
        this.delay = delay;
        this.dropAfterBody = dropAfterBody;
        this.handler = handler;
    }

    private static Reply simple(Kind kind, int status, List<Header> defaultHeaders, byte[] body, List<Chunk> chunks,
                                long declaredLength, Function<RecordedRequest, Reply> handler) {
        return new Reply(kind, status, defaultHeaders, List.of(), body, chunks, declaredLength, Duration.ZERO, false,
                handler);
    }

    /**
     * A JSON body ({@code Content-Type: application/json}).
     *
     * @param status the HTTP status, 100..599
     * @param body   the JSON text, sent as UTF-8 exactly as given (it is not validated, so tests can
     *               send malformed JSON)
     * @return the reply
     */
    public static Reply json(int status, String body) {
        return of(status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A JSON body from a JSON-P value.
     *
     * @param status the HTTP status
     * @param body   the value
     * @return the reply
     */
    public static Reply json(int status, JsonValue body) {
        return of(status, "application/json", JsonBodies.toBytes(body));
    }

    /**
     * A plain-text body ({@code text/plain; charset=utf-8}).
     *
     * @param status the HTTP status
     * @param body   the text
     * @return the reply
     */
    public static Reply text(int status, String body) {
        return of(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Any body with a content type.
     *
     * @param status      the HTTP status
     * @param contentType the {@code Content-Type}, or {@code null} for none
     * @param body        the body (copied); empty for none
     * @return the reply
     */
    public static Reply of(int status, String contentType, byte[] body) {
        checkStatus(status);
        List<Header> headers = new ArrayList<>(1);
        if (contentType != null) {
            headers.add(new Header("Content-Type", contentType));
        }
        return simple(Kind.FIXED, status, headers, body.clone(), List.of(), -1, null);
    }

    /**
     * A status without a body ({@code Content-Length: 0}, or no length for 204 and 304).
     *
     * @param status the HTTP status
     * @return the reply
     */
    public static Reply status(int status) {
        return of(status, null, new byte[0]);
    }

    /**
     * An OpenAI-style error: {@code {"error":{"message","type","param":null,"code"}}}.
     *
     * @param status  the HTTP status, 400..599
     * @param type    {@code error.type}
     * @param code    {@code error.code}, or {@code null}
     * @param message {@code error.message}
     * @return the reply
     */
    public static Reply error(int status, String type, String code, String message) {
        return json(status, errorBody(type, code, message));
    }

    /**
     * An OpenAI-style error whose type follows the status ({@link ErrorCode#typeForStatus(int)}:
     * {@code rate_limit_error} for 429, {@code api_error} for 5xx…) and whose code is {@code null}.
     *
     * @param status  the HTTP status, 400..599
     * @param message {@code error.message}
     * @return the reply
     */
    public static Reply error(int status, String message) {
        return error(status, ErrorCode.typeForStatus(status), null, message);
    }

    static JsonValue errorBody(String type, String code, String message) {
        JsonObjectBuilder error = JsonBodies.provider().createObjectBuilder()
                .add("message", Objects.requireNonNull(message, "message"))
                .add("type", Objects.requireNonNull(type, "type"))
                .addNull("param");
        if (code == null) {
            error.addNull("code");
        } else {
            error.add("code", code);
        }
        return JsonBodies.provider().createObjectBuilder().add("error", error).build();
    }

    /**
     * Server-sent events: status 200, {@code Content-Type: text/event-stream},
     * {@code Cache-Control: no-cache}, chunked. The headers are flushed at once; each frame is then
     * written after its {@link SseFrame#delay()} and flushed on its own, so a client sees frames as
     * they are written. Include {@link SseFrame#done()} yourself where the protocol wants it.
     *
     * @param frames the frames in order
     * @return the reply
     */
    public static Reply sse(List<SseFrame> frames) {
        List<Chunk> chunks = new ArrayList<>(frames.size());
        for (SseFrame frame : frames) {
            chunks.add(new Chunk(frame.encodeUtf8(), frame.delay()));
        }
        List<Header> headers = List.of(new Header("Content-Type", "text/event-stream"),
                new Header("Cache-Control", "no-cache"));
        return simple(Kind.STREAM, 200, headers, null, chunks, -1, null);
    }

    /**
     * Server-sent events, see {@link #sse(List)}.
     *
     * @param frames the frames in order
     * @return the reply
     */
    public static Reply sse(SseFrame... frames) {
        return sse(List.of(frames));
    }

    /**
     * A chunked body written piece by piece, each chunk flushed on its own after its delay. Use it
     * for raw SSE (comments, CRLF line ends, blank events) or any other streamed format.
     *
     * @param status      the HTTP status
     * @param contentType the {@code Content-Type}, or {@code null} for none
     * @param chunks      the pieces in order
     * @return the reply
     */
    public static Reply chunked(int status, String contentType, List<Chunk> chunks) {
        checkStatus(status);
        List<Header> headers = new ArrayList<>(1);
        if (contentType != null) {
            headers.add(new Header("Content-Type", contentType));
        }
        return simple(Kind.STREAM, status, headers, null, chunks, -1, null);
    }

    /**
     * A body made as it is written, never held whole: for large downloads (a file's content of
     * hundreds of megabytes). Sent with its {@code Content-Length}; the stream is opened once per
     * reply written and closed after it.
     *
     * @param status      the HTTP status
     * @param contentType the {@code Content-Type}
     * @param length      the exact number of bytes the stream gives
     * @param body        makes the stream
     * @return the reply
     */
    public static Reply generated(int status, String contentType, long length,
                                  java.util.function.Supplier<java.io.InputStream> body) {
        checkStatus(status);
        Objects.requireNonNull(body, "body");
        if (length < 0) {
            throw new IllegalArgumentException("length must be 0 or more");
        }
        Reply reply = simple(Kind.GENERATED, status, List.of(new Header("Content-Type",
                Objects.requireNonNull(contentType, "contentType"))), null, List.of(), length, null);
        reply.generator = body;
        return reply;
    }

    /** A copy keeps the generator of a generated body. */
    private Reply keep(Reply next) {
        next.generator = generator;
        return next;
    }

    java.util.function.Supplier<java.io.InputStream> generator() {
        return generator;
    }

    /**
     * Closes the connection without sending anything (after {@link #delay}, if set). The client sees
     * the connection end before a status line.
     *
     * @return the reply
     */
    public static Reply dropConnection() {
        return simple(Kind.DROP, 0, List.of(), null, List.of(), -1, null);
    }

    /**
     * Sends the status and headers with {@code Content-Length: declaredLength}, writes
     * {@code partialBody} (shorter than declared), then closes the connection: the client sees the
     * body end early.
     *
     * @param status         the HTTP status
     * @param declaredLength the {@code Content-Length} to declare
     * @param partialBody    the part of the body actually sent (UTF-8)
     * @return the reply ({@code Content-Type: application/json}; change it with {@link #header})
     * @throws IllegalArgumentException unless the partial body is shorter than declared
     */
    public static Reply truncated(int status, long declaredLength, String partialBody) {
        checkStatus(status);
        byte[] partial = partialBody.getBytes(StandardCharsets.UTF_8);
        if (partial.length >= declaredLength) {
            throw new IllegalArgumentException("the partial body (" + partial.length
                    + " bytes) must be shorter than the declared length " + declaredLength);
        }
        return simple(Kind.TRUNCATED, status, List.of(new Header("Content-Type", "application/json")), partial,
                List.of(), declaredLength, null);
    }

    /**
     * {@link #truncated(int, long, String)} with the declared length taken from the headers'
     * {@code Content-Length}; the other headers are sent as given.
     *
     * @param status      the HTTP status
     * @param headers     response headers, including a {@code Content-Length} longer than the partial body
     * @param partialBody the part of the body actually sent (UTF-8)
     * @return the reply
     * @throws IllegalArgumentException if there is no valid {@code Content-Length}, or it is not longer
     *                                  than the partial body
     */
    public static Reply truncated(int status, Map<String, String> headers, String partialBody) {
        long declared = -1;
        List<Header> others = new ArrayList<>();
        for (Map.Entry<String, String> entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase("Content-Length")) {
                try {
                    declared = Long.parseLong(entry.getValue().trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Content-Length is not a number: " + entry.getValue(), e);
                }
            } else {
                others.add(new Header(entry.getKey(), entry.getValue()));
            }
        }
        if (declared < 0) {
            throw new IllegalArgumentException("the headers must declare a Content-Length");
        }
        Reply reply = truncated(status, declared, partialBody);
        return new Reply(reply.kind, reply.status, reply.defaultHeaders, others, reply.body, reply.chunks,
                reply.declaredLength, reply.delay, false, null);
    }

    /**
     * A reply computed per request, for example to echo the request body. The function runs on the
     * server's handler thread after the request was recorded; if it throws, the client gets a 500
     * OpenAI-style error naming the exception.
     *
     * @param handler computes the reply; must not return {@code null}
     * @return the reply
     */
    public static Reply from(Function<RecordedRequest, Reply> handler) {
        return simple(Kind.DYNAMIC, 0, List.of(), null, List.of(), -1, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * This reply with one more response header. A name also set by the factory (such as
     * {@code Content-Type}) replaces the factory's value; calling it twice with the same name sends
     * both values.
     *
     * @param name  the header name
     * @param value the value
     * @return a copy with the header
     */
    public Reply header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (kind == Kind.DROP || kind == Kind.DYNAMIC) {
            throw new IllegalStateException("headers do not apply to a " + kind.name().toLowerCase(Locale.ROOT)
                    + " reply");
        }
        List<Header> next = new ArrayList<>(headers);
        next.add(new Header(name, value));
        return keep(new Reply(kind, status, defaultHeaders, next, body, chunks, declaredLength, delay, dropAfterBody,
                handler, holdAfter, gate));
    }

    /**
     * This reply, held back before the status line (for {@link #from}, before the function runs;
     * for {@link #dropConnection()}, before the connection is closed). If the client goes away
     * during the delay, the fake upstream notices and records it.
     *
     * @param delay the pause
     * @return a copy with the delay
     */
    public Reply delay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        return keep(new Reply(kind, status, defaultHeaders, headers, body, chunks, declaredLength, delay, dropAfterBody,
                handler, holdAfter, gate));
    }

    /**
     * This streamed reply ({@link #sse} or {@link #chunked}), ended by closing the connection after
     * the last chunk instead of the terminating zero-length chunk: the client sees the stream break
     * off, as when an upstream dies mid-stream.
     *
     * @return a copy that drops the connection at the end
     * @throws IllegalStateException for replies that are not streamed
     */
    public Reply thenDropConnection() {
        if (kind != Kind.STREAM) {
            throw new IllegalStateException("thenDropConnection() applies to sse() and chunked() replies only");
        }
        return keep(new Reply(kind, status, defaultHeaders, headers, body, chunks, declaredLength, delay, true, handler,
                holdAfter, gate));
    }

    /**
     * This streamed reply ({@link #sse} or {@link #chunked}), holding back its chunks from the
     * {@code before}-th on (0 holds them all, 1 sends the first) until the test opens {@code gate}: a
     * test proves with it that a consumer handles an event before the upstream sent the next. If the
     * client goes away while held, the fake records it as for a {@link #delay}.
     *
     * @param before how many chunks are written before the gate
     * @param gate   what the rest waits for
     * @return a copy that waits at the gate
     * @throws IllegalStateException for replies that are not streamed
     */
    public Reply holdAfter(int before, Gate gate) {
        if (kind != Kind.STREAM) {
            throw new IllegalStateException("holdAfter() applies to sse() and chunked() replies only");
        }
        if (before < 0) {
            throw new IllegalArgumentException("before must not be negative, was " + before);
        }
        return keep(new Reply(kind, status, defaultHeaders, headers, body, chunks, declaredLength, delay, dropAfterBody,
                handler, before, Objects.requireNonNull(gate, "gate")));
    }

    /**
     * Whether this reply is streamed ({@link #sse} or {@link #chunked}).
     *
     * @return {@code true} for streamed replies
     */
    public boolean streamed() {
        return kind == Kind.STREAM;
    }

    int holdAfter() {
        return holdAfter;
    }

    Gate gate() {
        return gate;
    }

    /**
     * The HTTP status, or {@code 0} for {@link #dropConnection()} and {@link #from}.
     *
     * @return the status
     */
    public int status() {
        return status;
    }

    Kind kind() {
        return kind;
    }

    /**
     * The headers to send: the factory's defaults whose names were not set with {@link #header},
     * then the headers set with {@link #header}.
     */
    List<Header> effectiveHeaders() {
        List<Header> result = new ArrayList<>(defaultHeaders.size() + headers.size());
        for (Header header : defaultHeaders) {
            boolean overridden = headers.stream().anyMatch(h -> h.name().equalsIgnoreCase(header.name()));
            if (!overridden) {
                result.add(header);
            }
        }
        result.addAll(headers);
        return result;
    }

    byte[] body() {
        return body;
    }

    List<Chunk> chunks() {
        return chunks;
    }

    long declaredLength() {
        return declaredLength;
    }

    Duration delayBefore() {
        return delay;
    }

    boolean dropAfterBody() {
        return dropAfterBody;
    }

    Function<RecordedRequest, Reply> handler() {
        return handler;
    }

    private static void checkStatus(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status must be 100..599, was " + status);
        }
    }

    @Override
    public String toString() {
        String base = switch (kind) {
            case FIXED -> "Reply[" + status + ", " + body.length + " bytes";
            case STREAM -> "Reply[" + status + ", " + chunks.size() + " chunks"
                    + (dropAfterBody ? ", then drop" : "");
            case DROP -> "Reply[drop connection";
            case TRUNCATED -> "Reply[" + status + ", " + body.length + " of " + declaredLength + " bytes, then drop";
            case DYNAMIC -> "Reply[dynamic";
            case GENERATED -> "Reply[" + status + ", " + declaredLength + " bytes generated";
        };
        return base + (delay.isZero() ? "" : ", delay " + delay.toMillis() + "ms") + "]";
    }
}
