/**
 * The HTTP client the server lends providers ({@link io.gateway.spi.upstream.UpstreamClient}): one
 * {@link io.gateway.spi.upstream.UpstreamRequest} in, an {@link io.gateway.spi.upstream.UpstreamResponse}
 * whose body is read once, as bytes, as server-sent events or as a stream.
 */
package io.gateway.spi.upstream;
