package io.gateway.server.http;

import io.gateway.server.core.ErrorEnvelope;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import java.util.Locale;

/**
 * Answers the failures Helidon detects before a request reaches a route (a malformed request line,
 * headers larger than the limit, too many requests in flight) with the gateway's error envelope
 * instead of Helidon's empty or plain-text answers. The connection is closed afterwards, as Helidon
 * does for these events.
 */
public final class TransportErrors implements DirectHandler {

    private static final String HEADERS_TOO_LARGE = "header size exceeded";

    private TransportErrors() {
    }

    /**
     * The handlers for every event type.
     *
     * @return direct handlers rendering the envelope
     */
    public static DirectHandlers handlers() {
        TransportErrors handler = new TransportErrors();
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        GatewayException error = error(eventType, defaultStatus, message);
        ServerResponseHeaders headers = ServerResponseHeaders.create();
        responseHeaders.forEach(headers::set);
        headers.set(HeaderNames.CONTENT_TYPE, "application/json");
        String requestId = ExchangeReader.newRequestId();
        headers.set(HeaderNames.create("x-request-id"), requestId);
        byte[] body = ErrorEnvelope.of(error, requestId, null, null, null).toBytes();
        return TransportResponse.builder()
                .status(status(error.status()))
                .headers(headers)
                .entity(body)
                .keepAlive(false)
                .build();
    }

    private static Status status(int code) {
        return switch (code) {
            case 431 -> Status.create(431, "Request Header Fields Too Large");
            default -> Status.create(code);
        };
    }

    static GatewayException error(EventType eventType, Status defaultStatus, String message) {
        String reason = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (eventType == EventType.BAD_REQUEST && reason.contains(HEADERS_TOO_LARGE)) {
            return GatewayException.of(new ErrorCode(431, "invalid_request_error", "request_header_fields_too_large",
                    false, false), "the request headers are larger than the server accepts "
                    + "(server.max-headers-size); send fewer or smaller headers");
        }
        int status = defaultStatus.code();
        if (status == 413 || eventType == EventType.PAYLOAD_TOO_LARGE) {
            return GatewayException.of(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than the server "
                    + "accepts; send a smaller body");
        }
        if (status == 503) {
            return GatewayException.of(new ErrorCode(503, "service_unavailable", "server_busy", true, true),
                    "the gateway is handling as many requests as it is configured for; retry shortly");
        }
        if (status == 505 || eventType == EventType.HTTP_VERSION_NOT_SUPPORTED) {
            return GatewayException.of(new ErrorCode(505, "invalid_request_error", "http_version_not_supported",
                    false, false), "this HTTP version is not supported; use HTTP/1.1");
        }
        if (status >= 500) {
            return GatewayException.of(ErrorCode.INTERNAL, "the gateway could not read the request");
        }
        if (status == 414 || reason.contains("prologue") || reason.contains("request line")) {
            return GatewayException.of(new ErrorCode(status == 414 ? 414 : 400, "invalid_request_error",
                    status == 414 ? "uri_too_long" : "invalid_request", false, false),
                    "the request line is malformed or too long; check the method, path and HTTP version");
        }
        return GatewayException.of(new ErrorCode(status >= 400 && status < 500 ? status : 400, "invalid_request_error",
                "invalid_request", false, false), "the request is not valid HTTP/1.1"
                + (message == null || message.isBlank() ? "" : ": " + clip(message)));
    }

    private static String clip(String message) {
        String oneLine = message.replaceAll("[\\r\\n\\t]+", " ").strip();
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
    }
}
