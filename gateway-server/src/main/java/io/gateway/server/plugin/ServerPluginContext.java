package io.gateway.server.plugin;

import io.gateway.spi.PluginContext;
import io.gateway.spi.PluginMetrics;
import io.gateway.spi.PriceList;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.VirtualKeyDirectory;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.upstream.UpstreamClient;
import java.time.Clock;
import java.util.Objects;

/**
 * What the server lends one plugin instance. A state store's own context has neither an upstream
 * client nor a state store; asking for them fails as the SPI documents.
 *
 * @param upstream the HTTP client, or {@code null}
 * @param state    the state store, or {@code null}
 * @param clock    the clock
 * @param metrics  metrics tagged with the plugin
 * @param logger   the plugin's logger
 * @param prices      the gateway's price list ({@code gateway.pricing}); {@link PriceList#none()} where none is lent
 * @param virtualKeys the virtual keys managed through the admin API; {@link VirtualKeyDirectory#empty()} where
 *                    none are lent
 * @param router      the router lent to middleware ({@link PluginContext#router()}), or {@code null}
 */
public record ServerPluginContext(UpstreamClient upstream, StateStore state, Clock clock, PluginMetrics metrics,
                                  System.Logger logger, PriceList prices, VirtualKeyDirectory virtualKeys,
                                  Chain router) implements PluginContext {

    /** Checks the price list and the directory. */
    public ServerPluginContext {
        Objects.requireNonNull(prices, "prices");
        Objects.requireNonNull(virtualKeys, "virtualKeys");
    }

    /**
     * A context without managed virtual keys.
     *
     * @param upstream the HTTP client, or {@code null}
     * @param state    the state store, or {@code null}
     * @param clock    the clock
     * @param metrics  metrics tagged with the plugin
     * @param logger   the plugin's logger
     * @param prices   the gateway's price list
     */
    public ServerPluginContext(UpstreamClient upstream, StateStore state, Clock clock, PluginMetrics metrics,
                               System.Logger logger, PriceList prices) {
        this(upstream, state, clock, metrics, logger, prices, VirtualKeyDirectory.empty(), null);
    }

    /**
     * A context without the price list (providers and state stores need none).
     *
     * @param upstream the HTTP client, or {@code null}
     * @param state    the state store, or {@code null}
     * @param clock    the clock
     * @param metrics  metrics tagged with the plugin
     * @param logger   the plugin's logger
     */
    public ServerPluginContext(UpstreamClient upstream, StateStore state, Clock clock, PluginMetrics metrics,
                               System.Logger logger) {
        this(upstream, state, clock, metrics, logger, PriceList.none(), VirtualKeyDirectory.empty(), null);
    }

    @Override
    public Chain router() {
        if (router == null) {
            return PluginContext.super.router();
        }
        return router;
    }

    @Override
    public UpstreamClient upstream() {
        if (upstream == null) {
            return PluginContext.super.upstream();
        }
        return upstream;
    }

    @Override
    public StateStore state() {
        if (state == null) {
            return PluginContext.super.state();
        }
        return state;
    }
}
