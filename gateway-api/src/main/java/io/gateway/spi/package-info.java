/**
 * The gateway's plugin SPI: what every plugin compiles against.
 *
 * <p>This package holds the entry point ({@link io.gateway.spi.Plugin}, {@link io.gateway.spi.SpiVersion}),
 * what the server lends plugins ({@link io.gateway.spi.PluginContext}, {@link io.gateway.spi.PluginConfig},
 * {@link io.gateway.spi.PluginMetrics}) and the values every extension point shares: bodies
 * ({@link io.gateway.spi.JsonBodies}), answers ({@link io.gateway.spi.Response},
 * {@link io.gateway.spi.EventStream}, {@link io.gateway.spi.StreamEvent}), failures
 * ({@link io.gateway.spi.GatewayException}, {@link io.gateway.spi.ErrorCode}), token usage
 * ({@link io.gateway.spi.TokenUsage}), headers, secrets, model names and operations. Each extension
 * point has a sub-package: {@link io.gateway.spi.provider providers}, {@link io.gateway.spi.middleware
 * middleware}, {@link io.gateway.spi.state state stores}, and the {@link io.gateway.spi.upstream upstream
 * HTTP client} providers call through.
 *
 * <p>The SPI depends on the JDK and {@code jakarta.json} only. Within a major version
 * ({@link io.gateway.spi.SpiVersion#MAJOR}) it only grows; a build-time check refuses any other change.
 */
package io.gateway.spi;
