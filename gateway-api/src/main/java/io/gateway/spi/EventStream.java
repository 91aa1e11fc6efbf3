package io.gateway.spi;

import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A stream of server-sent events, pulled one at a time by a single consumer.
 *
 * <p>The server's writer calls {@link #next()} on a virtual thread and writes each event to the
 * client as soon as it returns, so an implementation must return events as they arrive and never
 * read the whole stream first. {@link #close()} releases the stream early and cancels the upstream
 * call; it may be called from another thread and more than once.
 *
 * <p>Middleware observes or rewrites a stream with {@link #map}, {@link #peek} and
 * {@link #onComplete} without buffering it.
 */
public interface EventStream extends AutoCloseable {

    /**
     * Blocks for the next event.
     *
     * @return the next event, or {@code null} when the stream has ended
     * @throws GatewayException if the stream failed (timeout, upstream error, broken connection)
     */
    StreamEvent next();

    /** Ends the stream and cancels the upstream call; idempotent and thread-safe. */
    @Override
    void close();

    /**
     * A stream of the given events, for translated or synthetic streams.
     *
     * @param events the events in order
     * @return a stream over them
     */
    static EventStream of(List<StreamEvent> events) {
        Iterator<StreamEvent> iterator = List.copyOf(events).iterator();
        return fromIterator(iterator, () -> { });
    }

    /**
     * A stream over an iterator; {@code onClose} runs once when the stream is closed.
     *
     * @param iterator the events; {@code next()} may block
     * @param onClose  what releases the source (cancel the upstream call)
     * @return the stream
     */
    static EventStream fromIterator(Iterator<StreamEvent> iterator, Runnable onClose) {
        Objects.requireNonNull(iterator, "iterator");
        Objects.requireNonNull(onClose, "onClose");
        return new EventStream() {
            private boolean closed;

            @Override
            public StreamEvent next() {
                synchronized (this) {
                    if (closed) {
                        return null;
                    }
                }
                return iterator.hasNext() ? iterator.next() : null;
            }

            @Override
            public void close() {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                }
                onClose.run();
            }
        };
    }

    /**
     * A stream whose events pass through {@code mapper}; a {@code null} result drops the event.
     *
     * @param mapper applied to each event on the consumer's thread
     * @return the mapped stream; closing it closes this one
     */
    default EventStream map(UnaryOperator<StreamEvent> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        EventStream source = this;
        return new EventStream() {
            @Override
            public StreamEvent next() {
                while (true) {
                    StreamEvent event = source.next();
                    if (event == null) {
                        return null;
                    }
                    StreamEvent mapped = mapper.apply(event);
                    if (mapped != null) {
                        return mapped;
                    }
                }
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    /**
     * A stream that shows each event to {@code observer} before handing it on.
     *
     * @param observer called on the consumer's thread; must not block
     * @return the observed stream; closing it closes this one
     */
    default EventStream peek(Consumer<StreamEvent> observer) {
        Objects.requireNonNull(observer, "observer");
        return map(event -> {
            observer.accept(event);
            return event;
        });
    }

    /**
     * A stream that reports how it ended to {@code observer}, exactly once: completed when
     * {@link #next()} returns {@code null}, failed when it throws, cancelled when closed earlier.
     *
     * @param observer receives the outcome; must not block or throw
     * @return the observed stream; closing it closes this one
     */
    default EventStream onComplete(Consumer<StreamOutcome> observer) {
        Objects.requireNonNull(observer, "observer");
        EventStream source = this;
        return new EventStream() {
            private final java.util.concurrent.atomic.AtomicBoolean reported =
                    new java.util.concurrent.atomic.AtomicBoolean();
            private long count;

            private void report(StreamOutcome.Status status, GatewayException error) {
                if (reported.compareAndSet(false, true)) {
                    observer.accept(new StreamOutcome(status, count, error));
                }
            }

            @Override
            public StreamEvent next() {
                StreamEvent event;
                try {
                    event = source.next();
                } catch (GatewayException e) {
                    report(StreamOutcome.Status.FAILED, e);
                    throw e;
                } catch (RuntimeException e) {
                    report(StreamOutcome.Status.FAILED, new GatewayException(ErrorCode.INTERNAL,
                            "the stream failed unexpectedly", null, null, e));
                    throw e;
                }
                if (event == null) {
                    report(StreamOutcome.Status.COMPLETED, null);
                } else {
                    count++;
                }
                return event;
            }

            @Override
            public void close() {
                report(StreamOutcome.Status.CANCELLED, null);
                source.close();
            }
        };
    }
}
