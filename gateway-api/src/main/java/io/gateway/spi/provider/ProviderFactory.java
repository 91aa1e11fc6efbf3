package io.gateway.spi.provider;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;

/**
 * Creates providers of one type: one instance per entry of {@code gateway.providers} whose
 * {@code type} is {@link #type()}.
 */
public interface ProviderFactory {

    /**
     * The type name used in configuration, e.g. {@code openai}; unique across installed plugins.
     *
     * @return the type
     */
    String type();

    /**
     * Creates a provider at start-up. Read every plugin-specific key of the block here (including
     * each key's own settings under {@code keys}), never per call; throw
     * {@link PluginConfig#invalid(String, String)} for a bad value, which stops start-up with one line.
     *
     * @param config  the provider's block ({@code gateway.providers.NAME})
     * @param context the services lent to this provider
     * @return the provider
     */
    Provider create(PluginConfig config, PluginContext context);
}
