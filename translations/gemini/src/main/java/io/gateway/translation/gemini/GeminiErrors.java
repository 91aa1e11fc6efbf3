package io.gateway.translation.gemini;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.upstream.ErrorFields;
import io.gateway.toolkit.upstream.HeaderRelay;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Turns Gemini's error answers, {@code {"error": {"code": 400, "message": "…", "status":
 * "INVALID_ARGUMENT", "details": […]}}}, into {@link GatewayException}s with the upstream HTTP status,
 * the OpenAI {@code error.type} for the canonical status, and that status as {@code error.code}.
 */
final class GeminiErrors {

    private GeminiErrors() {
    }

    /** Which upstream response headers reach the client: rate limits and retry hints. */
    static final HeaderRelay RELAY = HeaderRelay.rateLimits();

    /** The OpenAI {@code error.type} for a Google canonical status, or {@code null} to derive it. */
    static String openAiType(String status) {
        if (status == null) {
            return null;
        }
        return switch (status) {
            case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE" -> "invalid_request_error";
            case "PERMISSION_DENIED" -> "permission_error";
            case "UNAUTHENTICATED" -> "authentication_error";
            case "NOT_FOUND" -> "not_found_error";
            case "RESOURCE_EXHAUSTED" -> "rate_limit_error";
            case "INTERNAL", "UNAVAILABLE", "UNKNOWN", "DATA_LOSS" -> "api_error";
            case "DEADLINE_EXCEEDED" -> "request_timed_out";
            case "ALREADY_EXISTS", "ABORTED" -> "conflict_error";
            case "CANCELLED" -> "api_error";
            default -> null;
        };
    }

    /**
     * An error answer of the upstream.
     *
     * @param status  the HTTP status
     * @param body    the body, possibly empty or not JSON
     * @param headers relayed headers
     * @return the exception to throw
     */
    static GatewayException toException(int status, byte[] body, Headers headers) {
        JsonObject error = null;
        String text = null;
        if (body.length > 0) {
            JsonValue parsed = Json.parseValue(new String(body, StandardCharsets.UTF_8));
            // streamGenerateContent without alt=sse answers a JSON array; its errors come as one too
            if (parsed instanceof JsonArray array && !array.isEmpty() && array.get(0) instanceof JsonObject first) {
                parsed = first;
            }
            if (parsed instanceof JsonObject object) {
                error = Json.objectField(object, "error");
                if (error == null) {
                    text = Json.text(object, "message");
                }
            } else {
                text = ErrorFields.textOf(body);
            }
        }
        if (error == null || status < 400 || status > 599) {
            return new ErrorFields(null, null, text, null, error).toException(status, headers);
        }
        return fromError(status, error, headers);
    }

    /**
     * An {@code error} object, from an error answer or from a frame of a stream.
     *
     * @param status  the HTTP status, or 0 to take it from {@code error.code}
     * @param error   the error object
     * @param headers relayed headers
     * @return the exception to throw
     */
    static GatewayException fromError(int status, JsonObject error, Headers headers) {
        int effective = status;
        if (effective == 0) {
            effective = error.get("code") instanceof JsonNumber number ? number.intValue() : 502;
        }
        String canonical = Json.text(error, "status");
        String message = Json.text(error, "message");
        String type = openAiType(canonical);
        JsonArray details = Json.arrayField(error, "details");
        Headers withRetry = headers;
        if (details != null) {
            for (JsonValue detail : details) {
                if (!(detail instanceof JsonObject info)) {
                    continue;
                }
                String detailType = Json.text(info, "@type");
                // Gemini reports a bad key as 400 INVALID_ARGUMENT; its reason says what it really is
                if ("API_KEY_INVALID".equals(Json.text(info, "reason"))) {
                    type = "authentication_error";
                }
                if (detailType != null && detailType.endsWith("google.rpc.RetryInfo")
                        && !headers.contains("retry-after")) {
                    String seconds = retrySeconds(Json.text(info, "retryDelay"));
                    if (seconds != null) {
                        withRetry = withRetry.with("retry-after", seconds);
                    }
                }
            }
        }
        return new ErrorFields(type, canonical, message, null, error).toException(effective, withRetry);
    }

    /** {@code "37s"} or {@code "1.5s"} (a protobuf Duration) as whole seconds, rounded up. */
    private static String retrySeconds(String delay) {
        if (delay == null || !delay.endsWith("s")) {
            return null;
        }
        try {
            BigDecimal seconds = new BigDecimal(delay.substring(0, delay.length() - 1));
            if (seconds.signum() < 0) {
                return null;
            }
            return seconds.setScale(0, RoundingMode.CEILING).toPlainString();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Parses a stream frame, throwing the upstream error when the frame carries one. */
    static JsonObject frame(String data) {
        JsonObject chunk = JsonBodies.parse(data);
        JsonObject error = Json.objectField(chunk, "error");
        if (error != null) {
            throw fromError(0, error, Headers.empty());
        }
        return chunk;
    }
}
