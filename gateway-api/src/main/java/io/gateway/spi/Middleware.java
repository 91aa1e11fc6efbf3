package io.gateway.spi;

/**
 * A link of the request chain: sees every request on its way in and its response on the way out.
 *
 * <p>Middleware runs in configuration order, the first outermost. It may rewrite the exchange, answer
 * without calling {@link Chain#proceed} (short-circuit), throw {@link GatewayException} to fail the
 * request, or wrap the response (for streams, with {@link EventStream#peek} and friends, never by
 * buffering). One instance serves all requests concurrently, so it must be thread-safe.
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

    /** Releases resources at shutdown. The default does nothing. */
    @Override
    default void close() {
    }
}
