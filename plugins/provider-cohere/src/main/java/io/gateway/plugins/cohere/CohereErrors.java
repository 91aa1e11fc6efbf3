package io.gateway.plugins.cohere;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.upstream.ErrorFields;
import jakarta.json.JsonObject;

/**
 * Cohere's errors, {@code {"id": "…", "message": "invalid request: …"}} with the HTTP status saying what
 * kind, as {@link GatewayException}s: the upstream status, the OpenAI {@code error.type} for it, Cohere's
 * message. 429 and 5xx stay retryable; Cohere's 499 (the request was cancelled) is reported as it came.
 * Stateless.
 */
final class CohereErrors {

    private CohereErrors() {
    }

    /**
     * An error answer; the provider's {@link io.gateway.toolkit.upstream.ErrorParser}.
     *
     * @param status  the upstream status
     * @param body    the body, possibly empty or not JSON
     * @param headers the relayed headers
     * @return the exception to throw
     */
    static GatewayException parse(int status, byte[] body, Headers headers) {
        JsonObject json = ErrorFields.jsonOf(body);
        String message = json == null ? ErrorFields.textOf(body) : Json.text(json, "message");
        return new ErrorFields(null, null, message, null, json).toException(status, headers);
    }
}
