package io.gateway.testkit.http;

import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request received by a {@link FakeUpstream}, recorded before the reply is written, together with
 * what became of its reply: whether the client went away before the reply was complete.
 *
 * <p>The request fields are immutable; the reply state changes while the reply is written and is
 * safe to read from any thread.
 */
public final class RecordedRequest {

    private final int sequence;
    private final String method;
    private final String path;
    private final String query;
    private final Headers headers;
    private final byte[] body;
    private final long connectionId;
    private final Instant receivedAt;
    private final Runnable onClientGone;

    private final AtomicBoolean clientGone = new AtomicBoolean();
    private final CountDownLatch goneLatch = new CountDownLatch(1);
    private final CountDownLatch stopLatch = new CountDownLatch(1);
    private final CountDownLatch endLatch = new CountDownLatch(1);
    private volatile boolean lastWriteStarted;
    private volatile boolean replyCompleted;
    private volatile byte[] replyBody = new byte[0];

    RecordedRequest(int sequence, String method, String path, String query, Headers headers, byte[] body,
                    long connectionId, Instant receivedAt, Runnable onClientGone) {
        this.sequence = sequence;
        this.method = Objects.requireNonNull(method, "method");
        this.path = Objects.requireNonNull(path, "path");
        this.query = query;
        this.headers = Objects.requireNonNull(headers, "headers");
        this.body = Objects.requireNonNull(body, "body");
        this.connectionId = connectionId;
        this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
        this.onClientGone = Objects.requireNonNull(onClientGone, "onClientGone");
    }

    /**
     * The position of this request among all requests the upstream received, from 0 (not reset by
     * {@link FakeUpstream#reset()}).
     *
     * @return the sequence number
     */
    public int sequence() {
        return sequence;
    }

    /**
     * The HTTP method, e.g. {@code POST}.
     *
     * @return the method
     */
    public String method() {
        return method;
    }

    /**
     * The path as sent on the wire (not percent-decoded), without the query.
     *
     * @return the path, e.g. {@code /v1/chat/completions}
     */
    public String path() {
        return path;
    }

    /**
     * The raw query string, without {@code ?}.
     *
     * @return the query, or {@code null} when the request had none
     */
    public String query() {
        return query;
    }

    /**
     * The first value of a query parameter, percent-decoded.
     *
     * @param name the parameter name
     * @return the value ({@code ""} for a parameter without {@code =}), or {@code null} when absent
     */
    public String queryParameter(String name) {
        List<String> values = queryParameters(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /**
     * All values of a query parameter, percent-decoded, in order.
     *
     * @param name the parameter name
     * @return the values, empty when absent
     */
    public List<String> queryParameters(String name) {
        Objects.requireNonNull(name, "name");
        if (query == null || query.isEmpty()) {
            return List.of();
        }
        List<String> values = new ArrayList<>(1);
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(name)) {
                values.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return List.copyOf(values);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /**
     * The request headers; names are case-insensitive.
     *
     * @return the headers
     */
    public Headers headers() {
        return headers;
    }

    /**
     * The first value of a header, looked up case-insensitively.
     *
     * @param name the header name
     * @return the value, or {@code null} when absent
     */
    public String header(String name) {
        return headers.first(name).orElse(null);
    }

    /**
     * The body bytes.
     *
     * @return a copy of the body; empty when the request had none
     */
    public byte[] body() {
        return body.clone();
    }

    /**
     * The body decoded as UTF-8.
     *
     * @return the body text
     */
    public String bodyString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The body parsed as a JSON object.
     *
     * @return the object
     * @throws IllegalStateException if the body is not a JSON object
     */
    public JsonObject bodyJson() {
        try (JsonReader reader = JsonBodies.provider().createReader(new ByteArrayInputStream(body))) {
            return reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new IllegalStateException("the request body is not a JSON object: "
                    + SseFrame.abbreviate(bodyString()), e);
        }
    }

    /**
     * Which client connection carried this request. Requests sent over one kept-alive connection
     * share the id, so tests can check connection reuse.
     *
     * @return the connection id, from 1
     */
    public long connectionId() {
        return connectionId;
    }

    /**
     * When the request was recorded (after its body was read).
     *
     * @return the instant
     */
    public Instant receivedAt() {
        return receivedAt;
    }

    /**
     * Whether the client went away before the reply to this request was complete: it closed or reset
     * the connection while the reply was delayed or being streamed, or a write of the reply failed.
     * A client that closes the connection after receiving the last chunk of data does not count.
     *
     * @return {@code true} if the client went away
     */
    public boolean clientDisconnected() {
        return clientGone.get();
    }

    /**
     * Waits until the client went away before the reply was complete (see {@link #clientDisconnected()}).
     *
     * @param timeout how long to wait at most
     * @return {@code true} if it did, {@code false} on timeout
     */
    public boolean awaitClientDisconnect(Duration timeout) {
        if (clientGone.get()) {
            return true; // set before the upstream's count, which may have woken the caller before the latch
        }
        try {
            return goneLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a client disconnect", e);
        }
    }

    /**
     * Whether the whole reply was written (for a stream, including its end). {@code false} while the
     * reply is being written, when the client went away, and for replies that drop the connection.
     *
     * @return {@code true} when the reply was completed
     */
    public boolean replyCompleted() {
        return replyCompleted;
    }

    /**
     * Waits until the upstream has finished with this request's reply, and tells whether the whole
     * reply was written. The client may see the end of a reply a moment before the upstream records
     * it, so use this rather than {@link #replyCompleted()} right after a client call returns.
     *
     * @param timeout how long to wait at most
     * @return {@code true} if the reply was completed; {@code false} if it ended otherwise (client
     *         went away, connection dropped on purpose) or is still being written after the timeout
     */
    public boolean awaitReplyCompleted(Duration timeout) {
        try {
            return endLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS) && replyCompleted;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the reply", e);
        }
    }

    /**
     * The body of the complete (not streamed) reply the fake upstream wrote for this request, exactly as
     * sent: what a relay must pass on byte for byte.
     *
     * @return a copy of the bytes; empty for streamed replies, dropped connections, or before the reply
     */
    public byte[] replyBody() {
        return replyBody.clone();
    }

    // ---- reply state, driven by FakeUpstream ----

    /** The complete reply's body is about to be written. */
    void replied(byte[] body) {
        replyBody = body.clone();
    }

    /**
     * Waits at a gate of a held reply.
     *
     * @return {@code true} to go on, {@code false} if the client went away or the upstream is closing
     */
    boolean hold(Gate gate) {
        return gate.pass(stopLatch);
    }

    /** The handler is done with this request, however the reply ended. */
    void ended() {
        endLatch.countDown();
    }

    /** The writer is about to write the final bytes; a client close after this is not "went away". */
    void lastWriteStarting() {
        lastWriteStarted = true;
    }

    void completed() {
        replyCompleted = true;
        stopLatch.countDown();
    }

    /**
     * Records that the client went away.
     *
     * @param certain {@code true} when a write failed (the client did not get the reply), {@code false}
     *                when the connection was seen closing, which only counts before the final write
     */
    void clientWentAway(boolean certain) {
        if (replyCompleted || (!certain && lastWriteStarted)) {
            return;
        }
        if (clientGone.compareAndSet(false, true)) {
            // count first, so whoever is woken by the latch sees the upstream's count include this request
            onClientGone.run();
            goneLatch.countDown();
            stopLatch.countDown();
        }
    }

    /** Ends any pause of the writer, because the upstream is closing. */
    void stop() {
        stopLatch.countDown();
    }

    /**
     * Pauses the writer.
     *
     * @param delay the pause
     * @return {@code true} if the whole pause passed, {@code false} if the client went away or the
     *         upstream is closing
     */
    boolean pause(Duration delay) {
        if (delay.isZero()) {
            return stopLatch.getCount() > 0;
        }
        try {
            return !stopLatch.await(delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return "RecordedRequest[#" + sequence + " " + method + " " + path + (query == null ? "" : "?" + query)
                + ", " + body.length + " bytes, connection " + connectionId
                + (clientGone.get() ? ", client went away" : "") + "]";
    }
}
