/**
 * Middleware: a {@link io.gateway.spi.middleware.MiddlewareFactory} creates one
 * {@link io.gateway.spi.middleware.Middleware} per configured entry; each request passes through them as
 * an immutable {@link io.gateway.spi.middleware.Exchange} along the {@link io.gateway.spi.middleware.Chain},
 * outermost first. What happened upstream is on the exchange's read-only
 * {@link io.gateway.spi.middleware.RequestOutcome}; a middleware that accounts usage offers a
 * {@link io.gateway.spi.middleware.UsageReport}.
 */
package io.gateway.spi.middleware;
