package io.gateway.plugins.bedrock;

import io.gateway.spi.Plugin;
import io.gateway.spi.SpiVersion;
import io.gateway.spi.provider.ProviderFactory;
import java.util.List;

/**
 * Provider plugin for AWS Bedrock: type {@code bedrock} serves OpenAI chat completions and Responses
 * through Bedrock's Converse and ConverseStream APIs, embeddings and image generations through
 * InvokeModel, and the model list from the foundation models and inference profiles of the account.
 * Created by the server through {@link java.util.ServiceLoader}; stateless and thread-safe.
 */
public final class BedrockPlugin implements Plugin {

    /** Creates the plugin; the server calls this through {@link java.util.ServiceLoader}. */
    public BedrockPlugin() {
    }

    @Override
    public String id() {
        return "provider-bedrock";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<ProviderFactory> providerFactories() {
        return List.of(new BedrockProviderFactory());
    }
}
