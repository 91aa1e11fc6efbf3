package io.gateway.plugins.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Operation;
import io.gateway.spi.Plugin;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class MockPluginTest {

    @Test
    void isFoundByServiceLoader() {
        List<Plugin> plugins = ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get).toList();

        assertEquals(1, plugins.size());
        Plugin plugin = plugins.getFirst();
        assertEquals("provider-mock", plugin.id());
        assertEquals(SpiVersion.MAJOR, plugin.spiVersion());
        assertEquals(List.of("mock"), plugin.providerFactories().stream().map(ProviderFactory::type).toList());
        assertTrue(plugin.middlewareFactories().isEmpty());
    }

    @Test
    void offersEveryJsonOperation() {
        Provider provider = Fixtures.provider();

        // audio, image edits, files, batches and moderations (SPI 2.1) are not mocked
        assertEquals(EnumSet.of(Operation.CHAT_COMPLETION, Operation.TEXT_COMPLETION, Operation.RESPONSES,
                Operation.EMBEDDING, Operation.IMAGE_GENERATION, Operation.LIST_MODELS, Operation.RERANK),
                EnumSet.copyOf(provider.operations()));
    }

    @Test
    void refusesBadConfiguration() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.provider(Map.of("latency", "-5ms")));
        IllegalArgumentException qualified = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.provider(Map.of("models", List.of("mock/x"))));

        assertTrue(negative.getMessage().startsWith("gateway.providers.mock.latency:"), negative.getMessage());
        assertTrue(qualified.getMessage().startsWith("gateway.providers.mock.models:"), qualified.getMessage());
    }
}
