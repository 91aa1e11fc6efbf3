package io.gateway.spi;

import jakarta.json.JsonObject;
import java.util.Objects;

/**
 * One server-sent event: an optional event name and its data.
 *
 * <p>{@code data} is kept as the exact text that arrived (usually one JSON document), so a relay
 * writes back what the provider sent without re-encoding it. Parse it with {@link #json()} only when
 * you need to look inside.
 *
 * @param event the {@code event:} field, or {@code null} when the frame has none
 * @param data  the {@code data:} field (lines joined with {@code \n}), never {@code null}
 */
public record StreamEvent(String event, String data) {

    /** The {@code data: [DONE]} sentinel that ends chat and text-completion streams. */
    public static final StreamEvent DONE = new StreamEvent(null, "[DONE]");

    /**
     * Validates the data.
     *
     * @throws NullPointerException if {@code data} is {@code null}
     */
    public StreamEvent {
        Objects.requireNonNull(data, "data");
    }

    /**
     * An unnamed event with JSON data.
     *
     * @param json the JSON document
     * @return the event
     */
    public static StreamEvent data(JsonObject json) {
        return new StreamEvent(null, json.toString());
    }

    /**
     * A named event whose name is the JSON's {@code type} field, as Responses and image streams use.
     *
     * @param json a JSON document with a string {@code type}
     * @return the event
     */
    public static StreamEvent typed(JsonObject json) {
        return new StreamEvent(json.getString("type", null), json.toString());
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
     * @throws GatewayException 502 if the data is not a JSON object
     */
    public JsonObject json() {
        return JsonBodies.parse(data);
    }
}
