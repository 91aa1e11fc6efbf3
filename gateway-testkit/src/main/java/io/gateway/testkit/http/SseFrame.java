package io.gateway.testkit.http;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * One server-sent event: an optional event name, its data, and (when a {@link FakeUpstream} writes
 * it) how long to wait before writing it.
 *
 * <p>The same type serves both directions: tests script frames for {@link Reply#sse(java.util.List)}
 * and {@link SseParser} yields the frames it reads. {@link #delay()} only says <em>when</em> a frame
 * is written, not what it is, so {@link #equals(Object)} and {@link #hashCode()} compare
 * {@link #event()} and {@link #data()} only: a scripted list compares equal to the list parsed back
 * from the wire.
 *
 * <pre>{@code
 * Reply.sse(List.of(
 *         SseFrame.data("{\"n\":1}"),
 *         SseFrame.data("{\"n\":2}").after(Duration.ofMillis(500)),
 *         SseFrame.done()));
 * }</pre>
 *
 * @param event the {@code event:} field, or {@code null} for an unnamed frame
 * @param data  the data; lines are separated by {@code \n} and written as one {@code data:} line each
 * @param delay how long the writer waits before writing this frame (after the previous one), never
 *              negative; {@link Duration#ZERO} for parsed frames
 */
public record SseFrame(String event, String data, Duration delay) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException     if {@code data} is {@code null}
     * @throws IllegalArgumentException if the event name contains a line break or the delay is negative
     */
    public SseFrame {
        Objects.requireNonNull(data, "data");
        if (event != null && (event.indexOf('\n') >= 0 || event.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("an SSE event name must not contain a line break");
        }
        delay = delay == null ? Duration.ZERO : delay;
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
    }

    /**
     * A frame without delay.
     *
     * @param event the event name, or {@code null}
     * @param data  the data
     */
    public SseFrame(String event, String data) {
        this(event, data, Duration.ZERO);
    }

    /**
     * An unnamed frame, as chat and text completion streams use.
     *
     * @param data the data, usually one JSON document
     * @return the frame
     */
    public static SseFrame data(String data) {
        return new SseFrame(null, data);
    }

    /**
     * An unnamed frame carrying a JSON value.
     *
     * @param json the JSON value
     * @return the frame
     */
    public static SseFrame data(JsonValue json) {
        return new SseFrame(null, json.toString());
    }

    /**
     * A named frame.
     *
     * @param event the {@code event:} field
     * @param data  the data
     * @return the frame
     */
    public static SseFrame event(String event, String data) {
        return new SseFrame(Objects.requireNonNull(event, "event"), data);
    }

    /**
     * A frame named after the JSON's {@code type} field, as Responses and image streams use.
     *
     * @param json a JSON object with a string {@code type}
     * @return the frame
     * @throws IllegalArgumentException if the object has no string {@code type}
     */
    public static SseFrame typed(JsonObject json) {
        String type = json.getString("type", null);
        if (type == null) {
            throw new IllegalArgumentException("the JSON object has no string \"type\" field");
        }
        return new SseFrame(type, json.toString());
    }

    /**
     * The {@code data: [DONE]} sentinel that ends chat and text completion streams.
     *
     * @return the frame
     */
    public static SseFrame done() {
        return new SseFrame(null, "[DONE]");
    }

    /**
     * This frame, written after the given pause (measured from the previous frame, or from the
     * response headers for the first frame).
     *
     * @param delay the pause
     * @return a copy with the delay
     */
    public SseFrame after(Duration delay) {
        return new SseFrame(event, data, Objects.requireNonNull(delay, "delay"));
    }

    /**
     * Whether this is the {@code [DONE]} sentinel.
     *
     * @return {@code true} for {@code data: [DONE]}
     */
    public boolean isDone() {
        return "[DONE]".equals(data);
    }

    /**
     * Parses the data as a JSON object.
     *
     * @return the object
     * @throws IllegalStateException if the data is not a JSON object
     */
    public JsonObject json() {
        try (JsonReader reader = JsonBodies.provider().createReader(new StringReader(data))) {
            return reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new IllegalStateException("SSE data is not a JSON object: " + abbreviate(data), e);
        }
    }

    /**
     * The frame as it is written on the wire: an {@code event:} line when named, one {@code data:}
     * line per data line ({@code \n}, {@code \r\n} and {@code \r} all break lines), then a blank line.
     *
     * @return the encoded frame
     */
    public String encode() {
        StringBuilder out = new StringBuilder(data.length() + 32);
        if (event != null) {
            out.append("event: ").append(event).append('\n');
        }
        for (String line : data.split("\r\n|\r|\n", -1)) {
            out.append("data: ").append(line).append('\n');
        }
        return out.append('\n').toString();
    }

    /**
     * {@link #encode()} as UTF-8.
     *
     * @return the encoded frame
     */
    byte[] encodeUtf8() {
        return encode().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Equal when event and data are equal; the delay is ignored.
     *
     * @param other another object
     * @return whether both are frames with the same event and data
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof SseFrame frame
                && Objects.equals(event, frame.event)
                && data.equals(frame.data);
    }

    /**
     * Hash of event and data.
     *
     * @return the hash
     */
    @Override
    public int hashCode() {
        return Objects.hash(event, data);
    }

    /**
     * Event, data and (when not zero) delay.
     *
     * @return a readable form
     */
    @Override
    public String toString() {
        return "SseFrame[" + (event == null ? "" : "event=" + event + ", ") + "data=" + abbreviate(data)
                + (delay.isZero() ? "" : ", after " + delay.toMillis() + "ms") + "]";
    }

    static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
