package io.gateway.plugins.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Operation;
import io.gateway.spi.Plugin;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import io.gateway.testkit.TestConfig;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GeminiPluginTest {

    private final Gemini gemini = new Gemini();

    @AfterEach
    void closeTheFake() {
        gemini.close();
    }

    private static ProviderFactory factory() {
        return new GeminiPlugin().providerFactories().get(0);
    }

    @Test
    void isFoundByTheServiceLoader() {
        List<Plugin> plugins = ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get).toList();
        Plugin plugin = plugins.stream().filter(p -> p instanceof GeminiPlugin).findFirst().orElseThrow();
        assertEquals("provider-gemini", plugin.id());
        assertEquals(SpiVersion.MAJOR, plugin.spiVersion());
        assertEquals(1, plugin.providerFactories().size());
        assertEquals("gemini", plugin.providerFactories().get(0).type());
        assertTrue(plugin.middlewareFactories().isEmpty());
    }

    @Test
    void offersEverythingButTextCompletions() {
        Provider provider = Fixtures.provider(gemini);
        assertEquals(Set.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.EMBEDDING,
                Operation.IMAGE_GENERATION, Operation.LIST_MODELS, Operation.PASSTHROUGH), provider.operations());
        assertFalse(provider.operations().contains(Operation.TEXT_COMPLETION));
    }

    @Test
    void badConfigurationNamesTheKey() {
        Map<String, Map<String, ?>> bad = Map.of(
                "base-url", Map.of("base-url", "ftp://example.com"),
                "base-url ", Map.of("base-url", "not a url"),
                "base-url  ", Map.of("base-url", "https://example.com/?key=x"),
                "api-version", Map.of("api-version", "v1/../x"),
                "extra-headers.X-Goog-Api-Key", Map.of("extra-headers", Map.of("X-Goog-Api-Key", "k")),
                "extra-headers.Host", Map.of("extra-headers", Map.of("Host", "h")));
        bad.forEach((key, config) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> factory().create(TestConfig.provider("gemini", config), gemini.context()), key);
            assertTrue(e.getMessage().startsWith("gateway.providers.gemini." + key.strip() + ":"), e.getMessage());
        });
    }

    @Test
    void theApiVersionIsConfigurable() {
        Provider provider = Fixtures.provider(gemini, Map.of("api-version", "v1"));
        gemini.handle(request -> Replies.json(Answers.text("ok")));
        provider.call(Fixtures.call(Operation.CHAT_COMPLETION,
                "{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertEquals("https://generativelanguage.googleapis.com/v1/models/gemini-2.5-flash:generateContent",
                gemini.last().uri().toString());
    }
}
