package io.gateway.server.core;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import jakarta.json.stream.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.util.Set;

/**
 * The error body of the Anthropic-format routes, {@code {"type": "error", "error": {"type", "message"},
 * "request_id"}}, so that Anthropic's SDKs raise their typed errors. A failure that already carries one
 * of Anthropic's error types (an Anthropic upstream's, relayed) keeps it; any other is named by its
 * status as Anthropic names it.
 *
 * @param type      Anthropic's error type, e.g. {@code rate_limit_error}
 * @param message   what went wrong and what to do
 * @param requestId the gateway's request id
 */
public record AnthropicError(String type, String message, String requestId) {

    /** The error types Anthropic's API documents. */
    private static final Set<String> TYPES = Set.of("invalid_request_error", "authentication_error",
            "billing_error", "permission_error", "not_found_error", "request_too_large", "rate_limit_error",
            "api_error", "timeout_error", "overloaded_error");

    /**
     * The body for a failure.
     *
     * @param e         the failure
     * @param requestId the request id
     * @return the body
     */
    public static AnthropicError of(GatewayException e, String requestId) {
        String given = e.errorCode().type();
        String type = TYPES.contains(given) ? given : typeFor(e.status());
        String message = e.getMessage() == null || e.getMessage().isBlank() ? type : e.getMessage();
        return new AnthropicError(type, message, requestId);
    }

    /**
     * Anthropic's error type for a status.
     *
     * @param status the HTTP status
     * @return the type
     */
    public static String typeFor(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 408, 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    /**
     * The body as JSON.
     *
     * @return the object
     */
    public JsonObject toJson() {
        return JsonBodies.provider().createObjectBuilder()
                .add("type", "error")
                .add("error", JsonBodies.provider().createObjectBuilder().add("type", type).add("message", message))
                .add("request_id", requestId)
                .build();
    }

    /**
     * The body as UTF-8 bytes, in a fixed field order.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JsonBodies.provider().createGenerator(out)) {
            json.writeStartObject()
                    .write("type", "error")
                    .writeStartObject("error").write("type", type).write("message", message).writeEnd()
                    .write("request_id", requestId)
                    .writeEnd();
        }
        return out.toByteArray();
    }
}
