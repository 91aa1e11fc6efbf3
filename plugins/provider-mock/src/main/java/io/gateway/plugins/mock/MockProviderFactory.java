package io.gateway.plugins.mock;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import java.time.Duration;
import java.util.List;

/**
 * Reads the mock's own configuration keys; all of them are optional so {@code type: mock} alone is a
 * working provider.
 */
final class MockProviderFactory implements ProviderFactory {

    static final List<String> DEFAULT_MODELS = List.of("mock-model", "mock-embedding", "mock-image");

    @Override
    public String type() {
        return "mock";
    }

    @Override
    public Provider create(PluginConfig config, PluginContext context) {
        Duration latency = nonNegative(config, "latency");
        Duration streamInterval = nonNegative(config, "stream-interval");
        List<String> models = config.strings("models");
        for (String model : models) {
            if (model == null || model.isBlank()) {
                throw config.invalid("models", "model ids must not be blank");
            }
            if (model.contains("/")) {
                // The server qualifies listed ids with the provider name; a slash would make the
                // qualified id ambiguous when a client sends it back.
                throw config.invalid("models", "list bare model ids without a provider prefix, not '" + model + "'");
            }
        }
        if (models.isEmpty()) {
            models = DEFAULT_MODELS;
        }
        return new MockProvider(new MockSettings(latency, streamInterval, models), context.clock());
    }

    private static Duration nonNegative(PluginConfig config, String key) {
        Duration value = config.duration(key, Duration.ZERO);
        if (value.isNegative()) {
            throw config.invalid(key, "must not be negative, e.g. 0ms or 250ms");
        }
        return value;
    }
}
