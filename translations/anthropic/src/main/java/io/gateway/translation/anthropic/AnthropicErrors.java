package io.gateway.translation.anthropic;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.upstream.ErrorFields;
import jakarta.json.JsonObject;

/**
 * Anthropic's errors as {@link GatewayException}s.
 *
 * <p>Anthropic answers {@code {"type":"error","error":{"type":"rate_limit_error","message":"…"}}}. The
 * client receives the upstream status (529 {@code overloaded_error} stays 529, so the router retries it
 * as a 5xx) and Anthropic's own error type as both {@code error.type} and {@code error.code}, so a
 * client can tell an overloaded provider from a generic failure; without one, the conventional OpenAI
 * type for the status. A stream that fails after its 200 sends the same object as an {@code error}
 * event; its status then comes from the error type.
 */
final class AnthropicErrors {

    private AnthropicErrors() {
    }

    /**
     * The HTTP status Anthropic documents for an error type.
     *
     * @param type Anthropic's {@code error.type}, may be {@code null}
     * @return the status; 500 for types it does not know
     */
    static int statusFor(String type) {
        if (type == null) {
            return 500;
        }
        return switch (type) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500;
        };
    }

    /**
     * An error answer; the provider's {@link io.gateway.toolkit.upstream.ErrorParser}.
     *
     * @param status  the upstream status
     * @param body    the body, possibly empty or not JSON (a proxy's HTML page)
     * @param relayed headers for the client (retry hints, rate limits)
     * @return the exception to throw
     */
    static GatewayException fromResponse(int status, byte[] body, Headers relayed) {
        JsonObject json = ErrorFields.jsonOf(body);
        String type = null;
        String message;
        if (json != null) {
            JsonObject error = Json.objectField(json, "error");
            type = Json.text(error, "type");
            message = Json.text(error, "message");
            if (message == null) {
                message = Json.text(json, "message");
            }
        } else {
            message = ErrorFields.textOf(body);
        }
        return new ErrorFields(typeOrDefault(type, status), type, message, null, null).toException(status, relayed);
    }

    /** Anthropic's own error type when it sent one (clients and SDKs branch on it), else the status's. */
    private static String typeOrDefault(String type, int status) {
        return type == null || type.isBlank() ? ErrorCode.typeForStatus(status) : type;
    }

    /**
     * An error sent inside a stream (or, unusually, as a 200 body).
     *
     * @param event   the {@code {"type":"error","error":{…}}} object
     * @param relayed headers for the client
     * @return the exception to throw
     */
    static GatewayException fromEvent(JsonObject event, Headers relayed) {
        JsonObject error = Json.objectField(event, "error");
        String type = Json.text(error, "type");
        String message = Json.text(error, "message");
        int status = statusFor(type);
        return GatewayException.upstream(status, typeOrDefault(type, status), type,
                message == null || message.isBlank() ? "the provider failed with " + (type == null ? "an error" : type)
                        : message, null, relayed);
    }
}
