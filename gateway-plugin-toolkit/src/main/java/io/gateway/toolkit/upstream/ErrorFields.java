package io.gateway.toolkit.upstream;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;

/**
 * The fields an upstream's error answer gave, as an {@link ErrorParser} reads them, and the
 * {@link GatewayException} they make. Immutable and thread-safe.
 *
 * @param type    the upstream's {@code error.type}, or {@code null} to derive one from the status
 * @param code    the upstream's {@code error.code} as a string, may be {@code null}
 * @param message the upstream's message, cut at {@value #MAX_MESSAGE} characters (then ending with
 *                {@code …}); {@code null} or blank when it sent none
 * @param param   the request field at fault, may be {@code null}
 * @param error   the upstream's error object as sent, for vendor-specific details (inner error codes,
 *                retry hints); {@code null} when there was none
 */
public record ErrorFields(String type, String code, String message, String param, JsonObject error) {

    /** The longest message kept; upstream messages beyond it (a proxy's HTML page) are cut. */
    public static final int MAX_MESSAGE = 2000;

    /** Nothing known. */
    public static final ErrorFields NONE = new ErrorFields(null, null, null, null, null);

    /** Cuts the message. */
    public ErrorFields {
        if (message != null && message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
    }

    /**
     * These fields with another code.
     *
     * @param newCode the code, may be {@code null}
     * @return a copy
     */
    public ErrorFields withCode(String newCode) {
        return new ErrorFields(type, newCode, message, param, error);
    }

    /**
     * These fields with another type.
     *
     * @param newType the type, may be {@code null}
     * @return a copy
     */
    public ErrorFields withType(String newType) {
        return new ErrorFields(newType, code, message, param, error);
    }

    /**
     * The exception for the client. A 4xx or 5xx status keeps the upstream's status and fields
     * ({@link GatewayException#upstream}: retryable for 429 and 5xx, the type derived from the status
     * when absent). Any other status (1xx, 3xx) is not an answer a client can act on and becomes 502
     * {@link ErrorCode#BAD_UPSTREAM_RESPONSE} naming the status and the message.
     *
     * @param status  the upstream status
     * @param headers headers for the client (retry hints, rate limits), may be {@code null}
     * @return the exception to throw
     */
    public GatewayException toException(int status, Headers headers) {
        if (status < 400 || status > 599) {
            return new GatewayException(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider answered HTTP " + status
                    + (message == null || message.isBlank() ? "" : ": " + message), null, headers, null);
        }
        return GatewayException.upstream(status, type, code, message, param, headers);
    }

    /**
     * An error body as JSON, when it is JSON.
     *
     * @param body the body, may be empty
     * @return the parsed object, or {@code null} when the body is empty or not a JSON object
     */
    public static JsonObject jsonOf(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return JsonBodies.parse(body);
        } catch (GatewayException notJson) {
            return null;
        }
    }

    /**
     * An error body that is not JSON (plain text, a proxy's HTML page) as a message: its first
     * {@value #MAX_MESSAGE} bytes as UTF-8 text, stripped.
     *
     * @param body the body, may be empty
     * @return the text, or {@code null} for an empty body
     */
    public static String textOf(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        return new String(body, 0, Math.min(body.length, MAX_MESSAGE), StandardCharsets.UTF_8).strip();
    }

    /**
     * Whether a field's value is a JSON string, for parsers that tell {@code {"error": "text"}} from
     * {@code {"error": {...}}}.
     *
     * @param value the value, may be {@code null}
     * @return {@code true} for a string
     */
    public static boolean isString(JsonValue value) {
        return value != null && value.getValueType() == JsonValue.ValueType.STRING;
    }
}
