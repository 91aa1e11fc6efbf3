package io.gateway.server.routing;

import io.gateway.spi.EventStream;
import io.gateway.spi.StreamEvent;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stream whose first event the router already pulled (inside the attempt, so a stream failing
 * before it could still be retried): replays that event, then the rest, and frees the provider's
 * concurrency slot when the stream ends, fails or is closed.
 */
final class SlotStream implements EventStream {

    private final EventStream events;
    private final ConcurrencyLimit limit;
    private final AtomicBoolean released = new AtomicBoolean();
    private StreamEvent first;

    SlotStream(EventStream events, StreamEvent first, ConcurrencyLimit limit) {
        this.events = events;
        this.first = first;
        this.limit = limit;
        if (first == null) {
            release();
        }
    }

    private void release() {
        if (released.compareAndSet(false, true)) {
            limit.release();
        }
    }

    @Override
    public StreamEvent next() {
        if (first != null) {
            StreamEvent event = first;
            first = null;
            return event;
        }
        if (released.get()) {
            return null;
        }
        try {
            StreamEvent event = events.next();
            if (event == null) {
                release();
            }
            return event;
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            events.close();
        } finally {
            release();
        }
    }
}
