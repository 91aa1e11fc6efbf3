package io.gateway.spi;

import jakarta.json.JsonObject;

/**
 * Optionally implemented by a {@link Middleware} that accounts usage (for example per virtual key):
 * the server includes its report in {@code GET /admin/usage} under {@link #reportName()}.
 * Reports must never contain secrets. Thread-safe.
 */
public interface UsageReporter {

    /**
     * The name the report appears under, e.g. {@code governance}.
     *
     * @return the name
     */
    String reportName();

    /**
     * The current usage.
     *
     * @return a JSON object
     * @throws GatewayException 503 when the state store is unavailable
     */
    JsonObject usage();
}
