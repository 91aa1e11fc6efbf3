package io.gateway.server.logs;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.math.BigDecimal;

/**
 * One row of {@code GET /admin/stats}. Immutable.
 *
 * @param key          the group: a model, provider, virtual key or {@code provider/key}, or the start of
 *                     an hour or day (RFC 3339, UTC); {@code null} for requests without one
 * @param split        the {@code split_by} value, or {@code null} (always without {@code split_by})
 * @param requests     requests (for {@code group_by=key}: upstream attempts)
 * @param errors       those answered with a status of 400 or more
 * @param inputTokens  input tokens
 * @param outputTokens output tokens
 * @param costUsd      cost from the gateway's price list
 * @param latencyP50Ms the median latency (nearest rank), milliseconds
 * @param latencyP95Ms the 95th percentile latency (nearest rank), milliseconds
 */
@JsonbNillable
@JsonbPropertyOrder({"key", "split", "requests", "errors", "inputTokens", "outputTokens", "costUsd", "latencyP50Ms",
        "latencyP95Ms"})
public record StatsRow(String key, String split, long requests, long errors, long inputTokens, long outputTokens,
                       BigDecimal costUsd, @JsonbProperty("latency_p50_ms") long latencyP50Ms,
                       @JsonbProperty("latency_p95_ms") long latencyP95Ms) {
}
