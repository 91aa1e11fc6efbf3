package io.gateway.server.logs;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * One logged request, as the admin API shows it (JSON-B, names in snake case). The list
 * ({@code GET /admin/logs}) leaves out {@code attempts} and the bodies; the detail
 * ({@code GET /admin/logs/{id}}) has everything. Immutable; every field that is unknown or does not
 * apply is {@code null} (and written as {@code null}).
 *
 * @param id                    the request id ({@code x-request-id})
 * @param timestamp             when the request arrived (written as RFC 3339, UTC)
 * @param operation             the operation's wire name, e.g. {@code chat_completion}
 * @param provider              the provider that served (or was last tried)
 * @param model                 the model that served (or was last tried), bare
 * @param requestedModel        the model the client asked for, {@code provider/model}
 * @param status                the HTTP status answered (499: the client left first)
 * @param stream                whether the answer was streamed
 * @param latencyMs             the time to the answer's end, in milliseconds
 * @param ttftMs                for streams, the time to the first event
 * @param inputTokens           input tokens (cache reads and writes included)
 * @param outputTokens          output tokens (reasoning included)
 * @param cachedTokens          input tokens read from a prompt cache
 * @param reasoningTokens       reasoning tokens
 * @param costUsd               the answer's cost from the gateway's price list
 * @param virtualKey            the virtual key's name (never its value)
 * @param retries               upstream attempts after the first
 * @param fallbackIndex         the index of the target that served in the fallback list
 * @param errorType             the error's {@code error.type}, for failures (also after a stream began)
 * @param errorMessage          the error's message
 * @param clientIp              the client's address
 * @param userAgent             the client's {@code User-Agent}
 * @param traceId               the W3C trace id when tracing is on
 * @param cacheHit              {@code direct} or {@code semantic} when the response cache answered (the
 *                              answer's {@code x-bf-cache-hit}), {@code null} for an answer from upstream
 * @param attempts              every upstream attempt (detail only)
 * @param requestBody           the request body when bodies are captured (detail only)
 * @param responseBody          the answer (for streams, assembled) when bodies are captured (detail only)
 * @param requestBodyTruncated  whether the request body was cut at {@code max-body-bytes} (detail only)
 * @param responseBodyTruncated whether the answer was cut at {@code max-body-bytes} (detail only)
 */
@JsonbNillable
@JsonbPropertyOrder({"id", "timestamp", "operation", "provider", "model", "requestedModel", "status", "stream",
        "latencyMs", "ttftMs", "inputTokens", "outputTokens", "cachedTokens", "reasoningTokens", "costUsd",
        "virtualKey", "retries", "fallbackIndex", "errorType", "errorMessage", "clientIp", "userAgent", "traceId",
        "cacheHit", "attempts", "requestBody", "responseBody", "requestBodyTruncated", "responseBodyTruncated"})
public record LogEntry(String id, Instant timestamp, String operation, String provider, String model,
                       String requestedModel, int status, boolean stream, long latencyMs, Long ttftMs,
                       Long inputTokens, Long outputTokens, Long cachedTokens, Long reasoningTokens,
                       BigDecimal costUsd, String virtualKey, int retries, int fallbackIndex, String errorType,
                       String errorMessage, String clientIp, String userAgent, String traceId, String cacheHit,
                       List<LogAttempt> attempts, String requestBody, String responseBody,
                       Boolean requestBodyTruncated, Boolean responseBodyTruncated) {

    /** The properties only the detail shows. */
    static final java.util.Set<String> DETAIL_ONLY = java.util.Set.of("attempts", "requestBody", "responseBody",
            "requestBodyTruncated", "responseBodyTruncated");
}
