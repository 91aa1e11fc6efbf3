package io.gateway.plugins.anthropic;

import io.gateway.spi.EventStream;
import io.gateway.spi.StreamEvent;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fake upstream's event stream: the test produces events one at a time (or all at once) and can see
 * how many the plugin has pulled and whether it closed the stream. A pull that finds nothing waits at
 * most a few seconds and then fails the test, so a translation that reads ahead is caught, not hung.
 */
final class UpstreamEvents implements EventStream {

    private final LinkedBlockingQueue<Optional<StreamEvent>> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger pulled = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean ended;

    static UpstreamEvents of(List<StreamEvent> events) {
        UpstreamEvents stream = new UpstreamEvents();
        events.forEach(stream::push);
        stream.end();
        return stream;
    }

    void push(StreamEvent event) {
        queue.add(Optional.of(event));
    }

    void end() {
        queue.add(Optional.empty());
    }

    int pulled() {
        return pulled.get();
    }

    boolean closed() {
        return closed.get();
    }

    @Override
    public StreamEvent next() {
        if (closed.get() || ended) {
            return null;
        }
        Optional<StreamEvent> event;
        try {
            event = queue.poll(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the next upstream event");
        }
        if (event == null) {
            throw new AssertionError("the plugin waited for an upstream event the test has not produced");
        }
        if (event.isEmpty()) {
            ended = true;
            return null;
        }
        pulled.incrementAndGet();
        return event.get();
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
