package io.gateway.translation.anthropic;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.stream.TranslatedStream;
import jakarta.json.JsonObject;

/**
 * An OpenAI stream translated from Anthropic's message stream, one upstream event at a time (see
 * {@link TranslatedStream}). {@code ping} events are dropped; an {@code error} event ends the stream with
 * a {@link GatewayException} carrying the status of the error type, which the server writes as the final
 * error frame; a stream that ends before {@code message_stop} fails with 502. Once the translation has
 * written its last event, the rest of the upstream body is read and the stream ends.
 */
abstract class MessageStream extends TranslatedStream {

    private final Headers relayed;

    /**
     * @param upstream Anthropic's events
     * @param relayed  headers to attach to errors (rate limits, retry hints)
     */
    MessageStream(EventStream upstream, Headers relayed) {
        super(upstream);
        this.relayed = relayed;
    }

    @Override
    protected final void translate(StreamEvent event) {
        JsonObject data = event.json();
        String type = Json.text(data, "type");
        if (type == null) {
            type = event.event() == null ? "" : event.event();
        }
        switch (type) {
            case "ping" -> {
                // keep-alive only
            }
            case "error" -> throw AnthropicErrors.fromEvent(data, relayed);
            default -> {
                translate(type, data);
                if (finished()) {
                    finish();
                }
            }
        }
    }

    @Override
    protected final void upstreamEnded() {
        throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider's stream ended before message_stop");
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
}
