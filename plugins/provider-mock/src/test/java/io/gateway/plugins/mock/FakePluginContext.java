package io.gateway.plugins.mock;

import io.gateway.spi.PluginContext;
import io.gateway.spi.PluginMetrics;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.upstream.UpstreamClient;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/** Services for a plugin under test: a fixed clock and a silent logger; the mock needs nothing else. */
final class FakePluginContext implements PluginContext {

    static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

    private final Clock clock;

    FakePluginContext() {
        this(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    FakePluginContext(Clock clock) {
        this.clock = clock;
    }

    @Override
    public UpstreamClient upstream() {
        return request -> {
            throw new AssertionError("the mock provider must not call an upstream");
        };
    }

    @Override
    public StateStore state() {
        throw new AssertionError("the mock provider does not use shared state");
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public PluginMetrics metrics() {
        throw new AssertionError("the mock provider does not record metrics");
    }

    @Override
    public System.Logger logger() {
        return new System.Logger() {
            @Override
            public String getName() {
                return "provider-mock";
            }

            @Override
            public boolean isLoggable(Level level) {
                return false;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            }

            @Override
            public void log(Level level, Supplier<String> msgSupplier) {
            }
        };
    }
}
