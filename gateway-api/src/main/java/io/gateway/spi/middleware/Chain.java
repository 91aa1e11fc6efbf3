package io.gateway.spi.middleware;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Response;

/**
 * The rest of the request chain, as seen by one {@link Middleware}.
 *
 * <p>Calling {@link #proceed(Exchange)} hands the (possibly rewritten) exchange to the next
 * middleware, or to the router after the last one. A middleware may call it at most once per
 * {@link Middleware#handle} invocation.
 */
@FunctionalInterface
public interface Chain {

    /**
     * Continues the request.
     *
     * @param exchange the exchange to continue with
     * @return the response of the rest of the chain
     * @throws GatewayException if a later middleware, the router or the provider failed
     */
    Response proceed(Exchange exchange);
}
