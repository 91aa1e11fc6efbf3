package io.gateway.server;

import io.gateway.spi.PluginContext;
import io.gateway.spi.PluginMetrics;
import io.gateway.spi.StateStore;
import io.gateway.spi.UpstreamClient;
import java.time.Clock;

/**
 * What the server lends one plugin instance.
 *
 * @param upstream the HTTP client
 * @param state    the state store
 * @param clock    the clock
 * @param metrics  metrics tagged with the plugin
 * @param logger   the plugin's logger
 */
record ServerPluginContext(UpstreamClient upstream, StateStore state, Clock clock, PluginMetrics metrics,
                           System.Logger logger) implements PluginContext {
}
