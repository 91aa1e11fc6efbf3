package io.gateway.plugins.governance;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.StreamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A source stream over fixed events that may end in a failure instead of its end, counting pulls so a
 * test can prove events are handed on one at a time.
 */
final class ListStream implements EventStream {

    private final List<StreamEvent> events;
    private final GatewayException failure;
    private final AtomicInteger position = new AtomicInteger();
    private volatile boolean closed;

    private ListStream(List<StreamEvent> events, GatewayException failure) {
        this.events = List.copyOf(events);
        this.failure = failure;
    }

    static ListStream of(List<StreamEvent> events) {
        return new ListStream(events, null);
    }

    static ListStream failingAfter(List<StreamEvent> events, GatewayException failure) {
        return new ListStream(events, failure);
    }

    int pulled() {
        return position.get();
    }

    boolean closed() {
        return closed;
    }

    @Override
    public StreamEvent next() {
        int at = position.getAndIncrement();
        if (at < events.size()) {
            return events.get(at);
        }
        if (failure != null) {
            throw failure;
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Drains a stream the way the server's writer does, closing it at the end. */
    static List<StreamEvent> drain(EventStream stream) {
        List<StreamEvent> result = new ArrayList<>();
        try (stream) {
            StreamEvent event;
            while ((event = stream.next()) != null) {
                result.add(event);
            }
        }
        return result;
    }
}
