package io.gateway.testkit;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.StreamEvent;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link EventStream} the test feeds step by step: events, then an end or a failure. It counts
 * what the consumer asked for ({@link #pulls()}) and received ({@link #delivered()}), and whether it
 * closed the stream, so a test can prove that a provider or middleware hands each event on before the
 * next one exists (nothing read ahead, nothing buffered) and releases the stream at its end.
 *
 * <pre>{@code
 * ScriptedEvents upstream = new ScriptedEvents();
 * // give it to the code under test, e.g. ScriptedUpstream.Canned.stream(upstream) or Response.Streaming.ok(upstream)
 * upstream.push(firstEvent);
 * assertNotNull(translated.next());
 * assertEquals(1, upstream.delivered(), "the first chunk did not wait for a second event");
 * upstream.end();
 * }</pre>
 *
 * <p>{@link #next()} waits for the test's next step at most {@link #wait} (10 s by default) and then
 * throws an {@link AssertionError}, so a consumer that reads ahead fails instead of hanging. After
 * {@link #close()}, {@code next()} returns {@code null}. Thread-safe: the test feeds from one thread
 * while the consumer pulls from another.
 */
public final class ScriptedEvents implements EventStream {

    private sealed interface Step permits Event, End, Failure {
    }

    private record Event(StreamEvent event) implements Step {
    }

    private record End() implements Step {
    }

    private record Failure(RuntimeException error) implements Step {
    }

    private final LinkedBlockingQueue<Step> steps = new LinkedBlockingQueue<>();
    private final AtomicInteger pulls = new AtomicInteger();
    private final AtomicInteger delivered = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger closes = new AtomicInteger();
    private volatile boolean ended;
    private volatile Duration wait = Duration.ofSeconds(10);

    /** An empty stream waiting for the test's steps. */
    public ScriptedEvents() {
    }

    /**
     * A stream of fixed events that then ends.
     *
     * @param events the events
     * @return the stream
     */
    public static ScriptedEvents of(List<StreamEvent> events) {
        ScriptedEvents stream = new ScriptedEvents();
        events.forEach(stream::push);
        return stream.end();
    }

    /**
     * A stream of fixed events, then a failure thrown from {@link #next()}.
     *
     * @param events  the events
     * @param failure what the stream fails with, e.g. a {@link GatewayException}
     * @return the stream
     */
    public static ScriptedEvents failingAfter(List<StreamEvent> events, RuntimeException failure) {
        ScriptedEvents stream = new ScriptedEvents();
        events.forEach(stream::push);
        return stream.fail(failure);
    }

    /**
     * How long {@link #next()} waits for a step the test has not produced yet.
     *
     * @param timeout the longest wait
     * @return this stream
     */
    public ScriptedEvents waitAtMost(Duration timeout) {
        this.wait = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /**
     * Makes an event available to the consumer.
     *
     * @param event the event
     * @return this stream
     */
    public ScriptedEvents push(StreamEvent event) {
        steps.add(new Event(Objects.requireNonNull(event, "event")));
        return this;
    }

    /**
     * Ends the stream after the events pushed so far.
     *
     * @return this stream
     */
    public ScriptedEvents end() {
        steps.add(new End());
        return this;
    }

    /**
     * Fails the stream after the events pushed so far.
     *
     * @param failure thrown from {@link #next()}
     * @return this stream
     */
    public ScriptedEvents fail(RuntimeException failure) {
        steps.add(new Failure(Objects.requireNonNull(failure, "failure")));
        return this;
    }

    /**
     * How many times the consumer called {@link #next()}.
     *
     * @return the count
     */
    public int pulls() {
        return pulls.get();
    }

    /**
     * How many events the consumer received.
     *
     * @return the count
     */
    public int delivered() {
        return delivered.get();
    }

    /**
     * Whether the consumer closed the stream.
     *
     * @return {@code true} once {@link #close()} was called
     */
    public boolean closed() {
        return closed.get();
    }

    @Override
    public StreamEvent next() {
        pulls.incrementAndGet();
        if (closed.get() || ended) {
            return null;
        }
        Step step;
        try {
            step = steps.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the test's next event", e);
        }
        if (step == null) {
            if (closed.get()) {
                return null;
            }
            throw new AssertionError("the consumer waited " + wait.toMillis() + " ms for an event the test has not"
                    + " produced (it reads ahead, or the test forgot end())");
        }
        return switch (step) {
            case Event event -> {
                delivered.incrementAndGet();
                yield event.event();
            }
            case End end -> {
                ended = true;
                yield null;
            }
            case Failure failure -> {
                ended = true;
                throw failure.error();
            }
        };
    }

    /**
     * How many times the consumer called {@link #close()}: a wrapper that closes twice shows as 2.
     *
     * @return the count
     */
    public int closes() {
        return closes.get();
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        closed.set(true);
    }

    @Override
    public String toString() {
        return "ScriptedEvents[" + delivered.get() + " delivered" + (closed.get() ? ", closed" : "") + "]";
    }
}
