package io.gateway.plugins.gemini;

import io.gateway.spi.PluginContext;
import io.gateway.spi.PluginMetrics;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.upstream.UpstreamClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Services for the plugin under test: the fake upstream, a fixed clock, silent metrics. */
final class FakeContext implements PluginContext {

    static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

    private final UpstreamClient upstream;

    FakeContext(UpstreamClient upstream) {
        this.upstream = upstream;
    }

    @Override
    public UpstreamClient upstream() {
        return upstream;
    }

    @Override
    public StateStore state() {
        throw new UnsupportedOperationException("the gemini provider keeps no state");
    }

    @Override
    public Clock clock() {
        return Clock.fixed(NOW, ZoneOffset.UTC);
    }

    @Override
    public PluginMetrics metrics() {
        return new PluginMetrics() {
            @Override
            public void count(String name, double amount, String... tags) {
            }

            @Override
            public void time(String name, Duration duration, String... tags) {
            }
        };
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("provider-gemini-test");
    }
}
