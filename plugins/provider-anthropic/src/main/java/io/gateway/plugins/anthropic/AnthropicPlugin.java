package io.gateway.plugins.anthropic;

import io.gateway.spi.Plugin;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import java.util.List;

/**
 * Provider plugin for Anthropic's Messages API: type {@code anthropic} serves OpenAI chat completions,
 * Responses and model listing by translating them to and from {@code POST /v1/messages}.
 */
public final class AnthropicPlugin implements Plugin {

    /** Creates the plugin; the server calls this through {@link java.util.ServiceLoader}. */
    public AnthropicPlugin() {
    }

    @Override
    public String id() {
        return "provider-anthropic";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<ProviderFactory> providerFactories() {
        return List.of(new AnthropicProviderFactory());
    }
}
