package io.gateway.plugins.mock;

import java.time.Duration;
import java.util.List;

/**
 * The mock's configuration, read once at creation so calls never touch {@code PluginConfig}.
 *
 * @param latency        delay before a complete answer or before the first stream event, as a
 *                       stand-in for an upstream's time to first byte
 * @param streamInterval delay between stream events, as a stand-in for token generation speed
 * @param models         bare model ids for {@code GET models}
 */
record MockSettings(Duration latency, Duration streamInterval, List<String> models) {

    MockSettings {
        models = List.copyOf(models);
    }
}
