package io.gateway.spi.middleware;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Response;
import java.util.Optional;

/**
 * A link of the request chain: sees every request on its way in and its response on the way out.
 *
 * <p>Middleware runs in configuration order, the first outermost. It may rewrite the exchange, answer
 * without calling {@link Chain#proceed} (short-circuit), throw {@link GatewayException} to fail the
 * request, or wrap the response (for streams, with {@link io.gateway.spi.EventStream#peek} and
 * friends, never by buffering). What happened upstream (attempts, the provider and model that served,
 * token usage) is on {@link Exchange#outcome()} once {@code proceed} returned (for streams: once the
 * stream ended). One instance serves all requests concurrently, so it must be thread-safe.
 */
@FunctionalInterface
public interface Middleware extends AutoCloseable {

    /**
     * Handles one request.
     *
     * @param exchange the request
     * @param chain    the rest of the chain
     * @return the response for the client
     * @throws GatewayException to fail the request with the error envelope
     */
    Response handle(Exchange exchange, Chain chain);

    /**
     * The usage this middleware accounts (per virtual key, for instance), shown by
     * {@code GET /admin/usage}. Asked once at start-up; the default has none.
     *
     * @return the report, or empty
     */
    default Optional<UsageReport> usageReport() {
        return Optional.empty();
    }

    /** Releases resources at shutdown. The default does nothing. */
    @Override
    default void close() {
    }
}
