package io.gateway.server.routing;

import io.gateway.spi.EventStream;
import io.gateway.spi.StreamEvent;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stream whose first event the router already pulled (inside the attempt, so a stream failing
 * before it could still be retried): replays that event, then the rest, and when the stream ends,
 * fails or is closed, frees the provider's concurrency slot and ends the attempt's record.
 */
final class SlotStream implements EventStream {

    private final EventStream events;
    private final ConcurrencyLimit limit;
    private final AttemptRecorder attempt;
    private final int status;
    private final AtomicBoolean released = new AtomicBoolean();
    private StreamEvent first;

    SlotStream(EventStream events, StreamEvent first, ConcurrencyLimit limit, AttemptRecorder attempt, int status) {
        this.events = events;
        this.first = first;
        this.limit = limit;
        this.attempt = attempt;
        this.status = status;
        if (first == null) {
            release(null);
        }
    }

    private void release(io.gateway.spi.GatewayException error) {
        if (released.compareAndSet(false, true)) {
            limit.release();
            attempt.end(status, error);
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
                release(null);
            }
            return event;
        } catch (io.gateway.spi.GatewayException e) {
            release(e);
            throw e;
        } catch (RuntimeException e) {
            release(null);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            events.close();
        } finally {
            release(null);
        }
    }
}
