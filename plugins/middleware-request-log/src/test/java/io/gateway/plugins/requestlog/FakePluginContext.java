package io.gateway.plugins.requestlog;

import io.gateway.spi.PluginContext;
import io.gateway.spi.PluginMetrics;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.upstream.UpstreamClient;
import java.time.Clock;

/** Lends the middleware a logger; it must not need anything else. */
final class FakePluginContext implements PluginContext {

    private final System.Logger logger;

    FakePluginContext(System.Logger logger) {
        this.logger = logger;
    }

    @Override
    public UpstreamClient upstream() {
        throw new AssertionError("the request log makes no upstream calls");
    }

    @Override
    public StateStore state() {
        throw new AssertionError("the request log keeps no shared state");
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public PluginMetrics metrics() {
        throw new AssertionError("the request log records no metrics");
    }

    @Override
    public System.Logger logger() {
        return logger;
    }
}
