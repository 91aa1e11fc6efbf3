package io.gateway.plugins.openai;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;

/**
 * Turns an upstream error answer into a {@link GatewayException} with the upstream status and its
 * {@code error.type/code/message/param}. OpenAI-compatible servers differ: besides OpenAI's
 * {@code {"error": {...}}} this accepts {@code {"error": "text"}}, {@code {"message": ...}},
 * {@code {"detail": ...}} and plain text.
 */
final class UpstreamErrors {

    private static final int MAX_MESSAGE = 2000;

    private UpstreamErrors() {
    }

    static GatewayException toException(int status, byte[] body, Headers headers) {
        String type = null;
        String code = null;
        String message = null;
        String param = null;
        JsonObject json = null;
        try {
            if (body.length > 0) {
                json = JsonBodies.parse(body);
            }
        } catch (GatewayException notJson) {
            json = null;
        }
        if (json != null) {
            JsonValue error = json.get("error");
            if (error instanceof JsonObject object) {
                type = JsonBodies.string(object, "type");
                code = JsonBodies.string(object, "code");
                message = JsonBodies.string(object, "message");
                param = JsonBodies.string(object, "param");
            } else if (error != null && error.getValueType() == JsonValue.ValueType.STRING) {
                message = JsonBodies.string(json, "error");
            }
            if (message == null) {
                message = JsonBodies.string(json, "message");
            }
            if (message == null) {
                JsonValue detail = json.get("detail");
                if (detail != null && detail != JsonValue.NULL) {
                    message = detail.getValueType() == JsonValue.ValueType.STRING
                            ? JsonBodies.string(json, "detail") : detail.toString();
                }
            }
            if (type == null) {
                type = JsonBodies.string(json, "type");
            }
            if (code == null) {
                code = JsonBodies.string(json, "code");
            }
        } else if (body.length > 0) {
            message = new String(body, 0, Math.min(body.length, MAX_MESSAGE), StandardCharsets.UTF_8).strip();
        }
        if (message != null && message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        if (status < 400 || status > 599) {
            return new GatewayException(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider answered HTTP " + status
                    + (message == null ? "" : ": " + message), null, headers, null);
        }
        return GatewayException.upstream(status, type, code, message, param, headers);
    }
}
