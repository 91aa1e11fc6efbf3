package io.gateway.spi;

import java.time.Clock;

/**
 * Services the server lends to plugins. All of them are thread-safe and owned by the server:
 * plugins must not close them.
 */
public interface PluginContext {

    /**
     * The HTTP client for upstream calls.
     *
     * @return the client
     */
    UpstreamClient upstream();

    /**
     * Shared state: in-memory on one node, Redis (or another store plugin) in a cluster.
     *
     * @return the store
     */
    StateStore state();

    /**
     * The clock to use for times and windows (tests may fix it).
     *
     * @return the clock
     */
    Clock clock();

    /**
     * Metrics exported at {@code /metrics}.
     *
     * @return the metrics
     */
    PluginMetrics metrics();

    /**
     * A logger for this plugin, named after it. Never log secrets or bodies.
     *
     * @return the logger
     */
    System.Logger logger();
}
