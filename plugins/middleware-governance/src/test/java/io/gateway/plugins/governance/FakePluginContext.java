package io.gateway.plugins.governance;

import io.gateway.spi.PluginContext;
import io.gateway.spi.PluginMetrics;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.upstream.UpstreamClient;
import java.time.Clock;

/** Lends the middleware a store, a clock, metrics and a logger; it makes no upstream calls. */
record FakePluginContext(StateStore state, Clock clock, PluginMetrics metrics, System.Logger logger)
        implements PluginContext {

    @Override
    public UpstreamClient upstream() {
        throw new AssertionError("governance makes no upstream calls");
    }
}
