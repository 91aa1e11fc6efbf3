package io.gateway.plugins.mock;

import io.gateway.spi.EventStream;
import io.gateway.spi.StreamEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Hands out prepared events at the configured pace.
 *
 * <p>The events are synthetic and small, so preparing them up front costs nothing, and request
 * validation errors then surface before the stream starts (as a real upstream's 400 would). What
 * matters to the gateway is the timing: the first event comes after {@code latency}, later ones after
 * {@code stream-interval} each, and {@link #close()} from any thread ends a pending wait at once.
 * {@link #next()} is called by one consumer thread only, so the position needs no synchronisation.
 */
final class PacedEventStream implements EventStream {

    private final List<StreamEvent> events;
    private final Clock clock;
    private final Instant deadline;
    private final Duration latency;
    private final Duration interval;
    private final Duration idleTimeout;
    private final CountDownLatch closed = new CountDownLatch(1);
    private int position;

    PacedEventStream(List<StreamEvent> events, Clock clock, Instant deadline, Duration latency, Duration interval,
                     Duration idleTimeout) {
        this.events = List.copyOf(events);
        this.clock = clock;
        this.deadline = deadline;
        this.latency = latency;
        this.interval = interval;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public StreamEvent next() {
        if (closed.getCount() == 0 || position >= events.size()) {
            return null;
        }
        boolean cancelled;
        if (position == 0) {
            // The deadline bounds the wait for the first event, as it bounds an upstream's headers.
            cancelled = Pause.await(closed, latency, Pause.until(clock, deadline),
                    "the mock provider's latency of " + latency.toMillis() + " ms passes the request deadline");
        } else {
            cancelled = Pause.await(closed, interval, idleTimeout,
                    "the mock provider's stream-interval of " + interval.toMillis()
                            + " ms exceeds the stream idle timeout of " + idleTimeout.toMillis() + " ms");
        }
        if (cancelled) {
            return null;
        }
        return events.get(position++);
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
