package io.gateway.spi;

/**
 * Creates {@link Provider}s for entries of {@code gateway.providers} whose {@code type} matches.
 */
public interface ProviderFactory {

    /**
     * The type name used in configuration, e.g. {@code openai}. Unique across all plugins.
     *
     * @return the type
     */
    String type();

    /**
     * Creates a provider for one configuration entry. Read every provider-specific key from
     * {@code config} here: keys nobody read are reported as unknown and stop start-up. The server
     * reads the keys common to all providers ({@code type}, {@code keys}, {@code timeout}, …) itself;
     * reading them here too is allowed.
     *
     * @param config  the entry's configuration block; {@link PluginConfig#name()} is the provider name
     * @param context services the server lends to plugins
     * @return the provider
     * @throws IllegalArgumentException with {@link PluginConfig#invalid} for bad configuration
     */
    Provider create(PluginConfig config, PluginContext context);
}
