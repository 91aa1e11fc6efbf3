package io.gateway.plugins.azure;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Turns an Azure OpenAI error answer into a {@link GatewayException} with the upstream status and
 * its {@code error.type/code/message/param}.
 *
 * <p>Azure answers {@code {"error": {"code", "message", "type"?, "param"?, ...}}}, with codes such
 * as {@code "401"}, {@code "429"}, {@code DeploymentNotFound} or {@code content_filter}. Its content
 * filter has several spellings: chat and completions send {@code code: content_filter} with
 * {@code innererror: {code: ResponsibleAIPolicyViolation, content_filter_result}}; image generation
 * sends {@code content_policy_violation} or {@code contentFilter} with {@code inner_error}. All of
 * them become {@code code: content_filter}, with the upstream status (400) and {@code param} kept.
 * API Management in front of a resource answers {@code {"statusCode": 401, "message": ...}}, and
 * gateways may answer plain text; both still give a useful message.
 */
final class AzureErrors {

    /** The {@code error.code} every Azure content-filter rejection gets. */
    static final String CONTENT_FILTER = "content_filter";

    private static final Set<String> CONTENT_FILTER_CODES =
            Set.of(CONTENT_FILTER, "contentFilter", "content_policy_violation");
    private static final String POLICY_VIOLATION = "ResponsibleAIPolicyViolation";
    private static final int MAX_MESSAGE = 2000;

    private AzureErrors() {
    }

    static GatewayException toException(int status, byte[] body, Headers headers) {
        String type = null;
        String code = null;
        String message = null;
        String param = null;
        boolean contentFilter = false;
        JsonObject json = parse(body);
        if (json != null) {
            JsonValue error = json.get("error");
            if (error instanceof JsonObject object) {
                type = JsonBodies.string(object, "type");
                code = JsonBodies.string(object, "code");
                message = JsonBodies.string(object, "message");
                param = JsonBodies.string(object, "param");
                contentFilter = code != null && CONTENT_FILTER_CODES.contains(code)
                        || POLICY_VIOLATION.equals(innerCode(object, "innererror"))
                        || POLICY_VIOLATION.equals(innerCode(object, "inner_error"));
            } else if (error != null && error.getValueType() == JsonValue.ValueType.STRING) {
                message = JsonBodies.string(json, "error");
            }
            if (message == null) {
                message = JsonBodies.string(json, "message");
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
                    + (message == null || message.isEmpty() ? "" : ": " + message), null, headers, null);
        }
        if (contentFilter) {
            return GatewayException.upstream(status, type == null || type.isBlank() ? ErrorCode.typeForStatus(status)
                    : type, CONTENT_FILTER, message, param, headers);
        }
        return GatewayException.upstream(status, type, code, message, param, headers);
    }

    private static JsonObject parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return JsonBodies.parse(body);
        } catch (GatewayException notJson) {
            return null;
        }
    }

    private static String innerCode(JsonObject error, String field) {
        return error.get(field) instanceof JsonObject inner ? JsonBodies.string(inner, "code") : null;
    }
}
