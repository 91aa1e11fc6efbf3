package io.gateway.server.http;

import io.gateway.server.core.AnthropicError;
import io.gateway.server.core.ErrorEnvelope;
import io.gateway.server.core.ServerOutcome;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.RequestOutcome.AsyncDelivery;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Writes complete answers and errors: the response's own headers (upstream rate-limit headers, say),
 * the request id, the routing headers taken from the request's outcome, and the body with its
 * Content-Length.
 */
final class AnswerWriter {

    static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");
    static final HeaderName REQUEST_ID = HeaderNames.create("x-request-id");
    private static final HeaderName PROVIDER = HeaderNames.create("x-bifrost-provider");
    private static final HeaderName RESOLVED_MODEL = HeaderNames.create("x-bifrost-resolved-model");
    private static final HeaderName RETRIES = HeaderNames.create("x-bifrost-retries");
    private static final HeaderName FALLBACK_INDEX = HeaderNames.create("x-bifrost-fallback-index");
    private static final HeaderName ASYNC_RESULT = HeaderNames.create("x-bf-async-result");
    private static final Set<String> NOT_RELAYED = Set.of("content-length", "transfer-encoding", "connection",
            "content-type", "content-encoding", "keep-alive", "date", "server", "x-request-id");

    private AnswerWriter() {
    }

    /**
     * Sets a response's own headers, the request id and, after a routed answer, the routing headers.
     *
     * @param res       the response
     * @param requestId the request id
     * @param headers   the response's own headers
     * @param outcome   the request's outcome, or {@code null} for errors
     */
    static void headers(ServerResponse res, String requestId, Headers headers, ServerOutcome outcome) {
        headers.forEach((name, values) -> {
            if (!NOT_RELAYED.contains(name)) {
                res.header(name, values.toArray(new String[0]));
            }
        });
        res.header(REQUEST_ID, requestId);
        if (outcome == null) {
            return;
        }
        AsyncDelivery delivery = outcome.asyncDelivery();
        if (delivery == AsyncDelivery.FIRST || delivery == AsyncDelivery.REPEAT) {
            if (delivery == AsyncDelivery.FIRST || outcome.provider().isPresent()) {
                res.header(ASYNC_RESULT, delivery == AsyncDelivery.FIRST ? "first" : "repeat");
            }
        }
        if (delivery == AsyncDelivery.SUBMITTED || outcome.provider().isEmpty() || outcome.model().isEmpty()) {
            return;
        }
        res.header(PROVIDER, outcome.provider().get());
        res.header(RESOLVED_MODEL, headerSafe(outcome.model().get()));
        if (delivery == AsyncDelivery.NONE) {
            res.header(RETRIES, Integer.toString(outcome.retries()));
            if (outcome.fallbackIndex() > 0) {
                res.header(FALLBACK_INDEX, Integer.toString(outcome.fallbackIndex()));
            }
        }
    }

    /**
     * Writes a complete JSON answer.
     *
     * @param res       the response
     * @param requestId the request id
     * @param response  the answer
     * @param outcome   the request's outcome
     */
    static void complete(ServerResponse res, String requestId, Response.Complete response, ServerOutcome outcome) {
        headers(res, requestId, response.headers(), response.status() < 300 ? outcome : null);
        res.header(JSON);
        res.status(Status.create(response.status()));
        res.send(response.bytes());
    }

    /**
     * Writes the error envelope with the error's status, unless the response was already sent.
     *
     * @param res         the response
     * @param requestId   the request id
     * @param e           the failure
     * @param provider    provider or {@code null}
     * @param model       model or {@code null}
     * @param requestType operation wire name or {@code null}
     * @param attempts    upstream attempts made
     */
    static void error(ServerResponse res, String requestId, GatewayException e, String provider, String model,
                      String requestType, int attempts) {
        error(res, requestId, e, provider, model, requestType, attempts, ApiFormat.OPENAI);
    }

    /**
     * Writes the error body of a route's API with the error's status, unless the response was already
     * sent: the envelope on OpenAI-format routes, Anthropic's error object on Anthropic-format ones.
     *
     * @param res         the response
     * @param requestId   the request id
     * @param e           the failure
     * @param provider    provider or {@code null}
     * @param model       model or {@code null}
     * @param requestType operation wire name or {@code null}
     * @param attempts    upstream attempts made
     * @param format      the route's API
     */
    static void error(ServerResponse res, String requestId, GatewayException e, String provider, String model,
                      String requestType, int attempts, ApiFormat format) {
        if (res.isSent()) {
            return;
        }
        try {
            headers(res, requestId, e.headers(), null);
            res.header(JSON);
            res.status(Status.create(e.status()));
            res.send(switch (format) {
                case ANTHROPIC -> AnthropicError.of(e, requestId).toBytes();
                case MCP -> jsonRpcError(e, requestId);
                case OPENAI -> ErrorEnvelope.of(e, requestId, provider, model, requestType, attempts).toBytes();
            });
        } catch (RuntimeException ignored) {
            // the response was committed or the client went away; nothing more can be said
        }
    }

    /**
     * A failure on {@code /mcp} as a JSON-RPC error object: 400s are invalid requests (-32600), other
     * failures internal errors (-32603); the gateway's error type and code and the request id go in
     * {@code data}.
     */
    private static byte[] jsonRpcError(GatewayException e, String requestId) {
        int code = e.status() == 400 || e.status() == 413 || e.status() == 415 ? -32600 : -32603;
        jakarta.json.JsonObjectBuilder data = io.gateway.spi.JsonBodies.provider().createObjectBuilder()
                .add("type", e.errorCode().type()).add("code", e.errorCode().code()).add("request_id", requestId);
        return io.gateway.spi.JsonBodies.toBytes(io.gateway.spi.JsonBodies.provider().createObjectBuilder()
                .add("jsonrpc", "2.0").addNull("id")
                .add("error", io.gateway.spi.JsonBodies.provider().createObjectBuilder()
                        .add("code", code).add("message", String.valueOf(e.getMessage())).add("data", data))
                .build());
    }

    /**
     * A value fit for a response header: printable ASCII as it is, anything else (and {@code %})
     * percent-encoded as UTF-8. Model names come from clients; they are bounded by validation, and this
     * keeps a name with non-ASCII letters from turning into question marks or breaking a client's
     * header parser.
     *
     * @param value the value
     * @return the header value
     */
    static String headerSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '%') {
                StringBuilder encoded = new StringBuilder(value.length() + 16);
                for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
                    int u = b & 0xff;
                    if (u >= 0x20 && u <= 0x7e && u != '%') {
                        encoded.append((char) u);
                    } else {
                        encoded.append('%').append(Character.toUpperCase(Character.forDigit(u >> 4, 16)))
                                .append(Character.toUpperCase(Character.forDigit(u & 0xf, 16)));
                    }
                }
                return encoded.toString();
            }
        }
        return value;
    }
}
