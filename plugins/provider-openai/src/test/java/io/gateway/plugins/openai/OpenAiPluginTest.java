package io.gateway.plugins.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Operation;
import io.gateway.spi.Plugin;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OpenAiPluginTest {

    @Test
    void isFoundByServiceLoaderWithEveryPreset() {
        Plugin plugin = ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.id().equals("provider-openai")).findFirst().orElseThrow();
        assertEquals(SpiVersion.MAJOR, plugin.spiVersion());
        Set<String> types = plugin.providerFactories().stream().map(ProviderFactory::type).collect(Collectors.toSet());
        assertEquals(Set.of("openai", "groq", "mistral", "deepseek", "together", "fireworks", "openrouter", "xai",
                "perplexity", "cerebras", "ollama", "vllm", "lmstudio"), types);
    }

    @Test
    void presetsStateTheirServicesOperations() {
        Preset groq = Preset.ALL.stream().filter(p -> p.type().equals("groq")).findFirst().orElseThrow();
        assertTrue(groq.operations().contains(Operation.CHAT_COMPLETION));
        assertTrue(!groq.operations().contains(Operation.IMAGE_GENERATION));
        assertEquals("https://api.groq.com/openai/v1", groq.defaultBaseUrl());
        // every operation of the OpenAI API, which has no rerank; Anthropic's Messages reach it translated by
        // the server
        assertEquals(java.util.EnumSet.complementOf(java.util.EnumSet.of(Operation.RERANK, Operation.MESSAGES,
                Operation.COUNT_TOKENS, Operation.PASSTHROUGH, Operation.MCP, Operation.MCP_TOOL_EXECUTE)),
                Preset.OPENAI.operations(), "the MCP operations are the gateway's own, never a provider's");
        assertTrue(Preset.ALL.stream().noneMatch(p -> p.operations().contains(Operation.MESSAGES)));
        assertTrue(Preset.ALL.stream().noneMatch(p -> p.operations().contains(Operation.PASSTHROUGH)),
                "the provider adds passthrough to whatever operations it is configured with");
        List<String> local = Preset.ALL.stream().filter(p -> p.defaultBaseUrl().startsWith("http://127.0.0.1"))
                .map(Preset::type).toList();
        assertEquals(List.of("ollama", "vllm", "lmstudio"), local);
    }

    @Test
    void refusesCredentialsInExtraHeadersAndBadUrls() {
        OpenAiProviderFactory factory = new OpenAiProviderFactory(Preset.OPENAI);
        IllegalArgumentException auth = assertThrows(IllegalArgumentException.class, () -> factory.create(
                TestConfig.provider("openai", TestConfig.mapOf("base-url", "https://api.openai.com/v1",
                        "extra-headers", java.util.Map.of("Authorization", "Bearer x"))), TestContext.create()));
        assertTrue(auth.getMessage().contains("extra-headers.Authorization"), auth.getMessage());
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class, () -> factory.create(
                TestConfig.provider("openai", TestConfig.mapOf("base-url", "ftp://example.com")),
                TestContext.create()));
        assertTrue(url.getMessage().startsWith("gateway.providers.openai.base-url"), url.getMessage());
        IllegalArgumentException operation = assertThrows(IllegalArgumentException.class, () -> factory.create(
                TestConfig.provider("openai", TestConfig.mapOf("operations", List.of("chat_completion", "teleport"))),
                TestContext.create()));
        assertTrue(operation.getMessage().contains("teleport"), operation.getMessage());
    }
}
