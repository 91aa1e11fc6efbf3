package io.gateway.spi.middleware;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;

/**
 * Creates {@link Middleware} for entries of {@code gateway.middleware} whose {@code type} matches.
 */
public interface MiddlewareFactory {

    /**
     * The type name used in configuration, e.g. {@code request-log}. Unique across all plugins.
     *
     * @return the type
     */
    String type();

    /**
     * Creates the middleware for one configuration entry. Read every key you support from
     * {@code config} here: keys nobody read are reported as unknown and stop start-up.
     *
     * @param config  the entry's configuration block
     * @param context services the server lends to plugins
     * @return the middleware
     * @throws IllegalArgumentException with {@link PluginConfig#invalid} for bad configuration
     */
    Middleware create(PluginConfig config, PluginContext context);
}
