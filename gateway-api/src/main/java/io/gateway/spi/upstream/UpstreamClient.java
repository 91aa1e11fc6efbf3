package io.gateway.spi.upstream;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;

/**
 * The HTTP client the server lends to provider plugins: pooled connections, TCP_NODELAY, connect
 * timeouts, deadlines and streaming bodies. Thread-safe.
 */
public interface UpstreamClient {

    /**
     * Sends a request and returns once the status line and headers have arrived.
     *
     * @param request the request
     * @return the response; the caller must read its body or close it
     * @throws GatewayException 502 {@link ErrorCode#PROVIDER_CONNECTION_FAILED} when the upstream
     *                          cannot be reached, 504 {@link ErrorCode#TIMEOUT} past the deadline
     */
    UpstreamResponse send(UpstreamRequest request);
}
