package io.gateway.testkit;

import io.gateway.spi.EventStream;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reading event streams the way the server's writer reads them: one event at a time until
 * {@code null}, then {@code close()}. Stateless.
 */
public final class EventStreams {

    private EventStreams() {
    }

    /**
     * Reads a stream to its end and closes it, also when it fails.
     *
     * @param events the stream
     * @return the events in order
     * @throws io.gateway.spi.GatewayException when the stream fails
     */
    public static List<StreamEvent> drain(EventStream events) {
        Objects.requireNonNull(events, "events");
        List<StreamEvent> result = new ArrayList<>();
        try (events) {
            for (StreamEvent event = events.next(); event != null; event = events.next()) {
                result.add(event);
            }
        }
        return result;
    }

    /**
     * Reads a streamed response to its end.
     *
     * @param response the response
     * @return the events in order
     * @throws AssertionError when the response is not a stream
     */
    public static List<StreamEvent> drain(Response response) {
        if (!(response instanceof Response.Streaming streaming)) {
            throw new AssertionError("expected a streamed response, got " + describe(response));
        }
        return drain(streaming.events());
    }

    /**
     * The JSON of every event except {@code [DONE]}.
     *
     * @param events the events
     * @return the objects in order
     * @throws io.gateway.spi.GatewayException when an event's data is not a JSON object
     */
    public static List<JsonObject> jsons(List<StreamEvent> events) {
        return events.stream().filter(event -> !event.isDone()).map(StreamEvent::json).toList();
    }

    /**
     * The event names in order, {@code null} for unnamed events.
     *
     * @param events the events
     * @return the names
     */
    public static List<String> names(List<StreamEvent> events) {
        return events.stream().map(StreamEvent::event).toList();
    }

    static String describe(Response response) {
        return response == null ? "null" : response.getClass().getSimpleName() + " with status " + response.status();
    }
}
