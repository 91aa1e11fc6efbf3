package io.gateway.spi.middleware;

import io.gateway.spi.GatewayException;
import jakarta.json.JsonObject;

/**
 * Usage a middleware accounts, offered through {@link Middleware#usageReport()}: the server includes
 * it in {@code GET /admin/usage} under {@link #name()}. Reports must never contain secrets.
 * Thread-safe.
 */
public interface UsageReport {

    /**
     * The name the report appears under, e.g. {@code governance}.
     *
     * @return the name
     */
    String name();

    /**
     * The current usage.
     *
     * @return a JSON object
     * @throws GatewayException 503 when the state store is unavailable
     */
    JsonObject usage();
}
