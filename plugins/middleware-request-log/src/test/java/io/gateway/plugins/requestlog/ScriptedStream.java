package io.gateway.plugins.requestlog;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.StreamEvent;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A source stream the test feeds step by step: {@link #next()} blocks until the test produces the next
 * step, so a test can prove that the consumer got an event before the source produced the following
 * one (nothing in between buffers).
 */
final class ScriptedStream implements EventStream {

    private sealed interface Step permits Event, End, Failure {
    }

    private record Event(StreamEvent event) implements Step {
    }

    private record End() implements Step {
    }

    private record Failure(GatewayException error) implements Step {
    }

    private final BlockingQueue<Step> steps = new LinkedBlockingQueue<>();
    private final AtomicInteger pulls = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    void produce(StreamEvent event) {
        steps.add(new Event(event));
    }

    void end() {
        steps.add(new End());
    }

    void fail(GatewayException error) {
        steps.add(new Failure(error));
    }

    /** How many times the consumer side asked for an event. */
    int pulls() {
        return pulls.get();
    }

    boolean closed() {
        return closed.get();
    }

    @Override
    public StreamEvent next() {
        pulls.incrementAndGet();
        Step step;
        try {
            step = steps.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return switch (step) {
            case Event event -> event.event();
            case End end -> null;
            case Failure failure -> throw failure.error();
        };
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
