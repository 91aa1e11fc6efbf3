package io.gateway.toolkit.openai;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.toolkit.upstream.ErrorFields;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Error answers of OpenAI and the servers that speak its API. Besides OpenAI's
 * {@code {"error": {"type", "code", "message", "param"}}} this understands what compatible servers send
 * instead: {@code {"error": "text"}}, a top-level {@code message}, {@code type} or {@code code},
 * FastAPI's {@code {"detail": ...}} (a string, or any JSON shown as text), and plain text. A numeric code
 * becomes its string. Stateless.
 */
public final class OpenAiErrors {

    private OpenAiErrors() {
    }

    /**
     * An error answer as the exception for the client; an {@link io.gateway.toolkit.upstream.ErrorParser}.
     *
     * @param status  the upstream status
     * @param body    the body, possibly empty or not JSON
     * @param headers the relayed headers
     * @return the exception to throw
     */
    public static GatewayException parse(int status, byte[] body, Headers headers) {
        return fields(body).toException(status, headers);
    }

    /**
     * The fields of an error body, for providers that adjust them (a vendor's own codes) before making
     * the exception with {@link ErrorFields#toException}.
     *
     * @param body the body, possibly empty or not JSON
     * @return the fields; {@link ErrorFields#NONE} for an empty body
     */
    public static ErrorFields fields(byte[] body) {
        JsonObject json = ErrorFields.jsonOf(body);
        if (json == null) {
            String text = ErrorFields.textOf(body);
            return text == null ? ErrorFields.NONE : new ErrorFields(null, null, text, null, null);
        }
        String type = null;
        String code = null;
        String message = null;
        String param = null;
        JsonObject errorObject = null;
        JsonValue error = json.get("error");
        if (error instanceof JsonObject object) {
            errorObject = object;
            type = JsonBodies.string(object, "type");
            code = JsonBodies.string(object, "code");
            message = JsonBodies.string(object, "message");
            param = JsonBodies.string(object, "param");
        } else if (ErrorFields.isString(error)) {
            message = JsonBodies.string(json, "error");
        }
        if (message == null) {
            message = JsonBodies.string(json, "message");
        }
        if (message == null) {
            JsonValue detail = json.get("detail");
            if (detail != null && detail != JsonValue.NULL) {
                message = ErrorFields.isString(detail) ? JsonBodies.string(json, "detail") : detail.toString();
            }
        }
        if (type == null) {
            type = JsonBodies.string(json, "type");
        }
        if (code == null) {
            code = JsonBodies.string(json, "code");
        }
        return new ErrorFields(type, code, message, param, errorObject);
    }
}
