package io.gateway.toolkit.stream;

import io.gateway.spi.EventStream;
import io.gateway.spi.StreamEvent;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An OpenAI-shaped stream translated from an upstream's stream, one upstream event at a time.
 *
 * <p>{@link #next()} hands out what earlier upstream events produced and, only when nothing is left,
 * pulls exactly one more upstream event and passes it to {@link #translate}, which {@link #emit}s zero
 * or more events; nothing is read ahead, so the client sees each event as soon as the upstream sent it.
 * Events whose data is blank are skipped. When the upstream ends, {@link #upstreamEnded()} may emit the
 * closing events or throw for a stream cut short. A subclass that has written its last event calls
 * {@link #finish()}: the rest of the upstream body is then read (normally nothing, so the connection can
 * be reused) and the stream ends.
 *
 * <p>After {@code translate}, {@code upstreamEnded} or the upstream throws, the stream has ended: the
 * exception reaches the consumer once and later calls return {@code null}. Single consumer;
 * {@link #close()} may come from any thread, is idempotent, and closes the upstream.
 */
public abstract class TranslatedStream implements EventStream {

    private final EventStream upstream;
    private final ArrayDeque<StreamEvent> pending = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean finished;
    private boolean ended;

    /**
     * A stream over an upstream's events.
     *
     * @param upstream the upstream's events; closed with this stream
     */
    protected TranslatedStream(EventStream upstream) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
    }

    @Override
    public final StreamEvent next() {
        while (true) {
            if (closed.get()) {
                return null;
            }
            StreamEvent out = pending.poll();
            if (out != null) {
                return out;
            }
            if (ended) {
                return null;
            }
            if (finished) {
                ended = true;
                drain();
                return null;
            }
            try {
                StreamEvent in = upstream.next();
                if (in == null) {
                    ended = true;
                    upstreamEnded();
                } else if (!in.data().isBlank()) {
                    translate(in);
                }
            } catch (RuntimeException e) {
                ended = true;
                pending.clear();
                throw e;
            }
        }
    }

    /**
     * Translates one upstream event, adding zero or more events with {@link #emit}. Kinds of events an
     * upstream adds later must be ignored, not rejected.
     *
     * @param event the upstream event, its data not blank
     */
    protected abstract void translate(StreamEvent event);

    /**
     * Called once when the upstream ended before {@link #finish()} was called: emit the closing events
     * of a stream the upstream may end at any point, or throw when an end here means the stream was cut
     * short. The default does nothing.
     */
    protected void upstreamEnded() {
    }

    /**
     * Queues an event for the consumer.
     *
     * @param event the event
     */
    protected final void emit(StreamEvent event) {
        pending.add(Objects.requireNonNull(event, "event"));
    }

    /**
     * Marks the translation complete: once the queued events are handed out, what the upstream still
     * sends is read and dropped, and the stream ends.
     */
    protected final void finish() {
        finished = true;
    }

    /** Reads what the upstream still sends after the translation is complete; it is normally nothing. */
    private void drain() {
        try {
            while (!closed.get() && upstream.next() != null) {
                // nothing after the last event is for the client
            }
        } catch (RuntimeException ignored) {
            // the client has its complete answer; a broken tail changes nothing for it
        }
    }

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            upstream.close();
        }
    }
}
