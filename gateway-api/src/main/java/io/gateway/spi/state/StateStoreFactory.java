package io.gateway.spi.state;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;

/**
 * Creates the {@link StateStore} selected by {@code gateway.state.type}.
 */
public interface StateStoreFactory {

    /**
     * The type name used in configuration, e.g. {@code redis}.
     *
     * @return the type
     */
    String type();

    /**
     * Creates the store. It should connect lazily or tolerate an unreachable back end: the gateway
     * starts anyway and requests that need state fail with 503 until the back end returns.
     *
     * @param config  the {@code gateway.state} block
     * @param context clock, metrics and logger; it has no state store (this is it) and no upstream client
     * @return the store
     */
    StateStore create(PluginConfig config, PluginContext context);
}
