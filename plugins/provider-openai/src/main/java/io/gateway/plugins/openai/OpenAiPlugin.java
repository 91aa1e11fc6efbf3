package io.gateway.plugins.openai;

import io.gateway.spi.Plugin;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import java.util.List;

/**
 * Provider plugin for OpenAI and every server that speaks its API: type {@code openai} for any
 * OpenAI-compatible base URL, and named presets ({@code groq}, {@code mistral}, {@code ollama}, …)
 * that know their service's default base URL and which operations it offers.
 */
public final class OpenAiPlugin implements Plugin {

    /** Creates the plugin; the server calls this through {@link java.util.ServiceLoader}. */
    public OpenAiPlugin() {
    }

    @Override
    public String id() {
        return "provider-openai";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<ProviderFactory> providerFactories() {
        return Preset.ALL.stream().<ProviderFactory>map(OpenAiProviderFactory::new).toList();
    }
}
