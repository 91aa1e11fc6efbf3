package io.gateway.spi;

import java.util.Objects;

/**
 * What kind of failure a {@link GatewayException} is: its HTTP status, the {@code error.type} and
 * {@code error.code} of the envelope, whether routing may retry it, and whose fault it is.
 *
 * <p>The constants cover the gateway's own failures; {@link #upstream(int, String, String)} describes
 * an error a provider answered with.
 *
 * @param status       the HTTP status the client receives, 400..599
 * @param type         {@code error.type} in the envelope, never blank
 * @param code         {@code error.code} in the envelope, may be {@code null}
 * @param retryable    whether the router may retry the same request (connection failures,
 *                     timeouts before the first byte, 429, 5xx)
 * @param gatewayError {@code is_bifrost_error}: {@code true} when the gateway itself failed
 *                     (internal errors, timeouts), {@code false} for the caller's or upstream's fault
 */
public record ErrorCode(int status, String type, String code, boolean retryable, boolean gatewayError) {

    /** 400: the request is malformed or misses a field. */
    public static final ErrorCode INVALID_REQUEST =
            new ErrorCode(400, "invalid_request_error", "invalid_request", false, false);
    /** 400: the model names a provider that is not configured. */
    public static final ErrorCode UNKNOWN_PROVIDER =
            new ErrorCode(400, "invalid_request_error", "unknown_provider", false, false);
    /** 400: the provider does not offer this operation. */
    public static final ErrorCode UNSUPPORTED_OPERATION =
            new ErrorCode(400, "invalid_request_error", "unsupported_operation", false, false);
    /** 400: no configured key of the provider allows the requested model. */
    public static final ErrorCode MODEL_NOT_ALLOWED =
            new ErrorCode(400, "invalid_request_error", "model_not_allowed", false, false);
    /** 401: the provider has no usable key, or the client is not authenticated. */
    public static final ErrorCode AUTHENTICATION =
            new ErrorCode(401, "authentication_error", "invalid_api_key", false, false);
    /** 402: a budget is spent. */
    public static final ErrorCode BUDGET_EXCEEDED =
            new ErrorCode(402, "budget_exceeded", "budget_exceeded", false, false);
    /** 403: the caller may not use this model or resource. */
    public static final ErrorCode PERMISSION_DENIED =
            new ErrorCode(403, "permission_error", "model_not_allowed", false, false);
    /** 404: no such route, job or resource. */
    public static final ErrorCode NOT_FOUND =
            new ErrorCode(404, "not_found_error", "not_found", false, false);
    /** 405: the route exists for another HTTP method. */
    public static final ErrorCode METHOD_NOT_ALLOWED =
            new ErrorCode(405, "invalid_request_error", "method_not_allowed", false, false);
    /** 413: the request body is larger than {@code gateway.max-request-body}. */
    public static final ErrorCode PAYLOAD_TOO_LARGE =
            new ErrorCode(413, "invalid_request_error", "payload_too_large", false, false);
    /** 415: the request body is not JSON. */
    public static final ErrorCode UNSUPPORTED_MEDIA_TYPE =
            new ErrorCode(415, "invalid_request_error", "unsupported_media_type", false, false);
    /** 429: a rate limit of the gateway was hit. */
    public static final ErrorCode RATE_LIMITED =
            new ErrorCode(429, "rate_limit_error", "rate_limit_exceeded", false, false);
    /** 429: the provider's queue is full; the request was dropped without an upstream call. */
    public static final ErrorCode REQUEST_DROPPED =
            new ErrorCode(429, "request_dropped", "request_dropped", false, false);
    /** 500: an unexpected failure inside the gateway. */
    public static final ErrorCode INTERNAL =
            new ErrorCode(500, "internal_error", "internal_error", false, true);
    /** 502: the upstream could not be reached or broke the connection. */
    public static final ErrorCode PROVIDER_CONNECTION_FAILED =
            new ErrorCode(502, "provider_connection_failed", "provider_connection_failed", true, false);
    /** 502: the upstream answered something that is not a valid response. */
    public static final ErrorCode BAD_UPSTREAM_RESPONSE =
            new ErrorCode(502, "invalid_upstream_response", "invalid_upstream_response", true, false);
    /** 502: every key of the provider was rejected by the upstream. */
    public static final ErrorCode CREDENTIALS_EXHAUSTED =
            new ErrorCode(502, "upstream_credentials_exhausted", "upstream_credentials_exhausted", false, false);
    /** 503: a store the request needs is unavailable. */
    public static final ErrorCode STORE_UNAVAILABLE =
            new ErrorCode(503, "store_unavailable", "store_unavailable", false, true);
    /** 504: the upstream did not answer in time. */
    public static final ErrorCode TIMEOUT =
            new ErrorCode(504, "request_timed_out", "request_timed_out", true, true);

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if the status is not an error status or the type is blank
     */
    public ErrorCode {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("error status must be 400..599, was " + status);
        }
        Objects.requireNonNull(type, "type");
        if (type.isBlank()) {
            throw new IllegalArgumentException("type must not be blank");
        }
    }

    /**
     * An error answered by a provider. 429 and 5xx are retryable; it is never the gateway's fault.
     *
     * @param status the upstream status
     * @param type   the upstream {@code error.type}, or {@code null} to derive one from the status
     * @param code   the upstream {@code error.code} as a string, may be {@code null}
     * @return the error code
     */
    public static ErrorCode upstream(int status, String type, String code) {
        int effective = status >= 400 && status <= 599 ? status : 502;
        String effectiveType = type == null || type.isBlank() ? typeForStatus(effective) : type;
        boolean retryable = effective == 429 || effective >= 500;
        return new ErrorCode(effective, effectiveType, code, retryable, false);
    }

    /**
     * The conventional OpenAI {@code error.type} for an HTTP status.
     *
     * @param status an HTTP error status
     * @return a type such as {@code invalid_request_error} or {@code rate_limit_error}
     */
    public static String typeForStatus(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 402 -> "payment_required";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 408, 504 -> "request_timed_out";
            case 409 -> "conflict_error";
            case 413 -> "invalid_request_error";
            case 422 -> "invalid_request_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }
}
