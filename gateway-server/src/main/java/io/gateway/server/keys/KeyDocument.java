package io.gateway.server.keys;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A virtual key as {@code GET /admin/virtual-keys} shows it (JSON-B, snake case, explicit nulls):
 * its rules and usage, never a value. Immutable.
 *
 * @param name          the key's name
 * @param source        {@code file} (declared in the configuration, read-only here) or {@code api}
 * @param allowedModels the model globs; empty for every model
 * @param rateLimit     the request and token limits, or {@code null} for none
 * @param budget        the spending cap, or {@code null}
 * @param disabled      whether requests with it are refused
 * @param expiresAt     when it stops working, or {@code null}
 * @param createdAt     when it was created ({@code null} for a file key)
 * @param updatedAt     its last change ({@code null} for a file key)
 * @param usage         its use in the current windows, or {@code null} when governance does not report
 */
@JsonbNillable
@JsonbPropertyOrder({"name", "source", "allowedModels", "rateLimit", "budget", "disabled", "expiresAt", "createdAt",
        "updatedAt", "usage"})
public record KeyDocument(String name, String source, List<String> allowedModels, RateLimit rateLimit,
                          Budget budget, boolean disabled, Instant expiresAt, Instant createdAt, Instant updatedAt,
                          Usage usage) {

    /**
     * The limits, each pair {@code null} when unset.
     *
     * @param requests  requests per window
     * @param per       the request window, e.g. {@code 1m}
     * @param tokens    tokens per window
     * @param tokensPer the token window, e.g. {@code 1h}
     */
    @JsonbNillable
    @JsonbPropertyOrder({"requests", "per", "tokens", "tokensPer"})
    public record RateLimit(Long requests, String per, Long tokens, String tokensPer) {
    }

    /**
     * The spending cap.
     *
     * @param usd the cap in US dollars
     * @param per {@code 1h}, {@code 1d}, {@code 1w} or {@code 1M}
     */
    @JsonbPropertyOrder({"usd", "per"})
    public record Budget(BigDecimal usd, String per) {
    }

    /**
     * The key's use as governance counts it: requests and tokens in the current windows of its limits
     * (without a limit: in its usage period), and its spend in its budget's period (else the month).
     *
     * @param requests requests counted
     * @param tokens   tokens counted
     * @param costUsd  US dollars spent
     */
    @JsonbPropertyOrder({"requests", "tokens", "costUsd"})
    public record Usage(long requests, long tokens, BigDecimal costUsd) {
    }
}
