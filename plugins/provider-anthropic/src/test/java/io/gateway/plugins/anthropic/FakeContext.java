package io.gateway.plugins.anthropic;

import io.gateway.spi.PluginContext;
import io.gateway.spi.PluginMetrics;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.upstream.UpstreamClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** What the server lends the plugin under test: the fake upstream, a fixed clock, a silent logger. */
final class FakeContext implements PluginContext {

    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

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
        throw new AssertionError("the anthropic provider keeps no shared state");
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
        return System.getLogger("provider-anthropic-test");
    }
}
