package io.gateway.plugins.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Operation;
import io.gateway.spi.Plugin;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The plugin as the server discovers it. */
class AzurePluginTest {

    @Test
    void theServiceLoaderFindsThePlugin() {
        List<Plugin> plugins = ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get)
                .filter(plugin -> plugin instanceof AzurePlugin).toList();
        assertEquals(1, plugins.size());
        Plugin plugin = plugins.get(0);
        assertEquals("provider-azure", plugin.id());
        assertEquals(SpiVersion.MAJOR, plugin.spiVersion());
        List<ProviderFactory> factories = plugin.providerFactories();
        assertEquals(1, factories.size());
        assertEquals("azure", factories.get(0).type());
        assertTrue(plugin.middlewareFactories().isEmpty());
        assertTrue(plugin.stateStoreFactories().isEmpty());
    }

    @Test
    void everyOperationAzureServesIsOffered() {
        var provider = Harness.provider(Map.of("base-url", "https://res.openai.azure.com"), Harness.capturing());
        // Azure OpenAI has no image variations (no DALL-E 2), no moderations endpoint and no rerank;
        // Anthropic's Messages reach it translated by the server
        assertEquals(EnumSet.complementOf(EnumSet.of(Operation.IMAGE_VARIATION, Operation.MODERATION,
                Operation.RERANK, Operation.MESSAGES, Operation.COUNT_TOKENS)), EnumSet.copyOf(provider.operations()));
        assertTrue(provider.toString().contains("https://res.openai.azure.com (api-version 2024-10-21)"));
    }
}
