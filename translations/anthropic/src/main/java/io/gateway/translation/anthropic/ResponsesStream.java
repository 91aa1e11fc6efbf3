package io.gateway.translation.anthropic;

import io.gateway.spi.EventStream;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;

/**
 * Anthropic's message stream as Responses events: named events, numbered by {@code sequence_number}
 * from 0, opening with {@code response.created} and {@code response.in_progress} and closing with
 * {@code response.completed} (or {@code response.incomplete}) carrying the whole response with usage.
 * See {@link ResponsesTranslation} for the mapping.
 */
final class ResponsesStream extends MessageStream {

    private final ResponsesTranslation translation;
    private long sequence;

    /**
     * @param upstream          Anthropic's events
     * @param relayed           headers to attach to errors
     * @param request           the client's request
     * @param fallbackModel     the model asked for
     * @param createdAt         {@code created_at} in epoch seconds
     * @param includeSignatures whether reasoning items carry {@code encrypted_content}
     */
    ResponsesStream(EventStream upstream, Headers relayed, JsonObject request, String fallbackModel, long createdAt,
                    boolean includeSignatures) {
        super(upstream, relayed);
        this.translation = new ResponsesTranslation(request, fallbackModel, createdAt, includeSignatures,
                event -> emit(StreamEvent.typed(event.add("sequence_number", sequence++).build())));
    }

    @Override
    protected void translate(String type, JsonObject data) {
        translation.accept(type, data);
    }

    @Override
    protected boolean finished() {
        return translation.finished();
    }
}
