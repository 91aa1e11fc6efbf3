package io.gateway.plugins.vertex;

import io.gateway.spi.Plugin;
import io.gateway.spi.SpiVersion;
import io.gateway.spi.provider.ProviderFactory;
import java.util.List;

/**
 * Provider plugin for Google Vertex AI: type {@code vertex}, which serves Gemini and Claude models of a
 * Google Cloud project with service-account or Application Default Credentials.
 */
public final class VertexPlugin implements Plugin {

    /** Creates the plugin; the server calls this through {@link java.util.ServiceLoader}. */
    public VertexPlugin() {
    }

    @Override
    public String id() {
        return "provider-vertex";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<ProviderFactory> providerFactories() {
        return List.of(new VertexProviderFactory());
    }
}
