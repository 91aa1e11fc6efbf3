package io.gateway.plugins.cohere;

import io.gateway.spi.Plugin;
import io.gateway.spi.SpiVersion;
import io.gateway.spi.provider.ProviderFactory;
import java.util.List;

/**
 * Provider plugin for Cohere: type {@code cohere}, which serves chat completions, embeddings and rerank
 * from Cohere's v2 API.
 */
public final class CoherePlugin implements Plugin {

    /** Creates the plugin; the server calls this through {@link java.util.ServiceLoader}. */
    public CoherePlugin() {
    }

    @Override
    public String id() {
        return "provider-cohere";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<ProviderFactory> providerFactories() {
        return List.of(new CohereProviderFactory());
    }
}
