package io.gateway.plugins.gemini;

import io.gateway.spi.Plugin;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import java.util.List;

/**
 * Provider plugin for Google's Gemini API (the Generative Language API): type {@code gemini}, which
 * translates OpenAI requests to Gemini's wire format and the answers back.
 */
public final class GeminiPlugin implements Plugin {

    /** Creates the plugin; the server calls this through {@link java.util.ServiceLoader}. */
    public GeminiPlugin() {
    }

    @Override
    public String id() {
        return "provider-gemini";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<ProviderFactory> providerFactories() {
        return List.of(new GeminiProviderFactory());
    }
}
