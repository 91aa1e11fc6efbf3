package io.gateway.plugins.anthropic;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An OpenAI stream translated from Anthropic's, one upstream event at a time.
 *
 * <p>{@link #next()} hands out what earlier upstream events produced and, only when nothing is left,
 * pulls exactly one more upstream event and translates it; nothing is read ahead. {@code ping} events
 * are dropped; an {@code error} event ends the stream with a {@link GatewayException} carrying the
 * status of the error type, which the server writes as the final error frame. When the translation has
 * written its last event, the rest of the upstream body is read (so the connection can be reused) and
 * the stream ends.
 */
abstract class TranslatedStream implements EventStream {

    private final EventStream upstream;
    private final Headers relayed;
    private final ArrayDeque<StreamEvent> pending = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean ended;

    /**
     * @param upstream Anthropic's events
     * @param relayed  headers to attach to errors (rate limits, retry hints)
     */
    TranslatedStream(EventStream upstream, Headers relayed) {
        this.upstream = upstream;
        this.relayed = relayed;
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
            if (finished()) {
                drain();
                ended = true;
                return null;
            }
            StreamEvent in = upstream.next();
            if (in == null) {
                ended = true;
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE,
                        "the provider's stream ended before message_stop");
            }
            if (in.data().isBlank()) {
                continue;
            }
            JsonObject data = in.json();
            String type = Json.text(data, "type");
            if (type == null) {
                type = in.event() == null ? "" : in.event();
            }
            switch (type) {
                case "ping" -> {
                    // keep-alive only
                }
                case "error" -> {
                    ended = true;
                    throw AnthropicErrors.fromEvent(data, relayed);
                }
                default -> translate(type, data);
            }
        }
    }

    /**
     * Translates one upstream event, adding zero or more events with {@link #emit}. Types Anthropic adds
     * later must be ignored, as its versioning policy asks.
     *
     * @param type the event type, e.g. {@code content_block_delta}
     * @param data the event's JSON
     */
    protected abstract void translate(String type, JsonObject data);

    /**
     * Whether the translation has written its last event (after {@code message_stop}).
     *
     * @return {@code true} when complete
     */
    protected abstract boolean finished();

    /**
     * Queues an event for the client.
     *
     * @param event the event
     */
    protected final void emit(StreamEvent event) {
        pending.add(event);
    }

    /** Reads what the upstream still sends after {@code message_stop}; it is normally nothing. */
    private void drain() {
        try {
            while (!closed.get() && upstream.next() != null) {
                // nothing follows message_stop that the client needs
            }
        } catch (GatewayException ignored) {
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
