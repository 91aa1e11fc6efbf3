package io.gateway.spi;

import io.gateway.spi.middleware.VirtualKeyDirectory;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.upstream.UpstreamClient;
import java.time.Clock;

/**
 * Services the server lends to a plugin instance, given to each factory's {@code create}. All of them
 * are thread-safe and owned by the server: plugins must not close them.
 *
 * <p>Every method has a default, so that services can be added in later SPI versions without
 * breaking implementations (test contexts, for example). The defaults describe a context that offers
 * only the JDK: the server's contexts override all of them.
 */
public interface PluginContext {

    /**
     * The HTTP client for upstream calls: pooled connections, deadlines, streaming bodies, and the
     * provider's proxy and TLS settings.
     *
     * @return the client
     * @throws IllegalStateException when this context has none (a state store is created before any
     *                               upstream client exists)
     */
    default UpstreamClient upstream() {
        throw new IllegalStateException("this plugin context offers no upstream client");
    }

    /**
     * Shared state: in-memory on one node, Redis (or another store plugin) in a cluster.
     *
     * @return the store
     * @throws IllegalStateException when this context has none (the store's own factory)
     */
    default StateStore state() {
        throw new IllegalStateException("this plugin context offers no state store");
    }

    /**
     * The clock to use for times and windows (tests may fix it).
     *
     * @return the clock; the system's UTC clock by default
     */
    default Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Metrics exported at {@code /metrics}, tagged with the plugin's id.
     *
     * @return the metrics; a no-op instance by default
     */
    default PluginMetrics metrics() {
        return PluginMetrics.none();
    }

    /**
     * The gateway's price list ({@code gateway.pricing}): what the gateway prices answers with, for
     * plugins that must know what a request can cost before it is sent (budgets reserve its worst case).
     * Since SPI 2.1.
     *
     * @return the price list; {@link PriceList#none()} by default (every model unpriced)
     */
    default PriceList prices() {
        return PriceList.none();
    }

    /**
     * The virtual keys the gateway manages at run time (admin API, database), kept up to date by the
     * server, for authentication middleware. Since SPI 2.1.
     *
     * @return the directory; {@link VirtualKeyDirectory#empty()} by default (no managed keys)
     */
    default VirtualKeyDirectory virtualKeys() {
        return VirtualKeyDirectory.empty();
    }

    /**
     * The gateway's router, for a middleware that needs a model's answer of its own (the response
     * cache embeds a request's text this way): {@code router().proceed(exchange)} routes an exchange
     * the plugin built ({@code Exchange.create}) to the provider its {@code model} names, with that
     * provider's keys, retries, fallbacks, deadline and concurrency limit, exactly as the last link of
     * the middleware chain does. It does <em>not</em> run the middleware chain (no authentication, no
     * limits or budgets, no cache: nothing is charged to a virtual key), so a middleware calling it
     * cannot recurse into itself. The call blocks the caller's thread like {@link Chain#proceed};
     * failures are thrown as {@link GatewayException}. Only middleware contexts offer it; a request
     * proceeded before the gateway has started (from a factory's {@code create}) fails with
     * {@link IllegalStateException}. Since SPI 2.1.
     *
     * @return the router as a chain; thread-safe, owned by the server
     * @throws IllegalStateException when this context has none (providers' and state stores'
     *                               contexts, the default)
     */
    default Chain router() {
        throw new IllegalStateException("this plugin context offers no router; only middleware contexts do");
    }

    /**
     * A logger for this plugin, named {@code gateway.plugin.<id>}. Never log secrets or bodies.
     *
     * @return the logger
     */
    default System.Logger logger() {
        return System.getLogger("gateway.plugin");
    }
}
