/**
 * The upstream-call skeleton: {@link io.gateway.toolkit.upstream.UpstreamCalls} sends a provider's
 * requests through the server's {@link io.gateway.spi.upstream.UpstreamClient}, turns every answer that is
 * not 2xx into a {@link io.gateway.spi.GatewayException} through the vendor's
 * {@link io.gateway.toolkit.upstream.ErrorParser}, checks bodies and stream content types, keeps the
 * response headers a {@link io.gateway.toolkit.upstream.HeaderRelay} lets through, and closes the response
 * on every failure path. {@link io.gateway.toolkit.upstream.ErrorFields} is what error parsers build;
 * {@link io.gateway.toolkit.upstream.KeyHeader} says how the key travels.
 */
package io.gateway.toolkit.upstream;
