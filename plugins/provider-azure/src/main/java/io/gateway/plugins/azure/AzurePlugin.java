package io.gateway.plugins.azure;

import io.gateway.spi.Plugin;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import java.util.List;

/** Provider plugin for Azure OpenAI: provider type {@code azure}. */
public final class AzurePlugin implements Plugin {

    /** Creates the plugin; the server calls this through {@link java.util.ServiceLoader}. */
    public AzurePlugin() {
    }

    @Override
    public String id() {
        return "provider-azure";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<ProviderFactory> providerFactories() {
        return List.of(new AzureProviderFactory());
    }
}
