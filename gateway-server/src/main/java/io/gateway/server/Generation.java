package io.gateway.server;

import io.gateway.server.async.AsyncJobs;
import io.gateway.server.config.GatewayConfig;
import io.gateway.server.core.Pricing;
import io.gateway.server.http.Chains;
import io.gateway.server.keys.FileKeys;
import io.gateway.server.plugin.PluginMiddleware;
import io.gateway.server.routing.ProviderRuntime;
import io.gateway.server.routing.Router;
import io.gateway.server.upstream.Http1UpstreamClient;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.UsageReport;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One configuration's live part: its providers (with their upstream clients), price list, middleware,
 * router and the chain composed of them, and what the admin API derives from it (the file's virtual
 * keys, usage reports). Start-up builds the first; each reload builds the next beside it and swaps it
 * in. Requests {@link #tryHold() hold} the generation they began on until they end (streams included);
 * a {@link #retire() retired} generation closes its providers, middleware and clients once the last
 * hold is released, on the closer's thread, never on a request's.
 *
 * <p>Thread-safe: the parts are immutable after construction, the hold count is atomic.
 */
final class Generation implements Chains.Held {

    private static final System.Logger LOG = System.getLogger("gateway");

    /** The hold count once closed: no hold can be taken any more. */
    private static final int CLOSED = -1;

    private final long version;
    private final GatewayConfig config;
    private final Map<String, ProviderRuntime> providers;
    private final List<PluginMiddleware> middleware;
    private final List<Http1UpstreamClient> clients;
    private final Pricing pricing;
    private final Router router;
    private final Chain chain;
    private final FileKeys fileKeys;
    private final Map<String, String> deploymentAliases;
    private final String anthropicDefaultProvider;
    private final Supplier<Generation> current;
    private final Executor closer;
    private final AtomicInteger holds = new AtomicInteger();
    private volatile boolean retired;

    /**
     * A generation; nothing is held yet.
     *
     * @param version                  its number: 1 at start-up, then one more per reload
     * @param config                   the configuration it was built from
     * @param providers                the providers by name
     * @param middleware               the middleware, outermost first
     * @param clients                  every upstream client its providers and middleware use
     * @param pricing                  the price list
     * @param router                   the router over the providers
     * @param async                    the async jobs (shared by every generation)
     * @param fileKeys                 the virtual keys its file declares
     * @param deploymentAliases        the deployment provider's aliases, or {@code null} without one
     * @param anthropicDefaultProvider where bare model names on the Anthropic routes go
     * @param current                  the generation in use, for async jobs that outlive this one
     * @param closer                   where retired generations are closed
     * @param around                   wraps the chain's terminal link (the MCP gateway's link, shared by every
     *                                 generation)
     */
    Generation(long version, GatewayConfig config, Map<String, ProviderRuntime> providers,
               List<PluginMiddleware> middleware, List<Http1UpstreamClient> clients, Pricing pricing, Router router,
               AsyncJobs async, FileKeys fileKeys, Map<String, String> deploymentAliases,
               String anthropicDefaultProvider, Supplier<Generation> current, Executor closer,
               java.util.function.UnaryOperator<Chain> around) {
        this.version = version;
        this.config = config;
        this.providers = Map.copyOf(providers);
        this.middleware = List.copyOf(middleware);
        this.clients = List.copyOf(clients);
        this.pricing = pricing;
        this.router = router;
        this.fileKeys = fileKeys;
        this.deploymentAliases = deploymentAliases == null ? null : Map.copyOf(deploymentAliases);
        this.anthropicDefaultProvider = anthropicDefaultProvider;
        this.current = current;
        this.closer = closer;
        this.chain = GatewayServer.compose(middleware, around.apply(exchange -> async.handle(exchange, this::route)));
    }

    /**
     * Routes under a hold of its own: an async job's worker runs after its request released its hold,
     * and a job that outlived its generation is routed by the one in use.
     */
    private Response route(Exchange exchange) {
        if (tryHold()) {
            try {
                return router.route(exchange);
            } finally {
                close();
            }
        }
        Generation now = current.get();
        return now == this ? router.route(exchange) : now.route(exchange);
    }

    /**
     * Takes a hold, unless the generation is closed.
     *
     * @return {@code true} when held; release it with {@link #close()}
     */
    boolean tryHold() {
        while (true) {
            int count = holds.get();
            if (count == CLOSED) {
                return false;
            }
            if (holds.compareAndSet(count, count + 1)) {
                return true;
            }
        }
    }

    /** Releases one hold; the last one of a retired generation closes it. */
    @Override
    public void close() {
        if (holds.decrementAndGet() == 0 && retired) {
            closeWhenFree();
        }
    }

    @Override
    public Chain chain() {
        return chain;
    }

    /** No new request will take this generation; it closes once the last hold is released. */
    void retire() {
        retired = true;
        closeWhenFree();
    }

    /**
     * Whether it has been closed.
     *
     * @return {@code true} once its providers were handed to the closer
     */
    boolean closed() {
        return holds.get() == CLOSED;
    }

    /**
     * Requests and jobs holding it now.
     *
     * @return the count, or -1 once closed
     */
    int holds() {
        return holds.get();
    }

    private void closeWhenFree() {
        if (holds.compareAndSet(0, CLOSED)) {
            try {
                closer.execute(this::closeNow);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the gateway is shutting down: close here
                closeNow();
            }
        }
    }

    /** Closes the middleware, providers and upstream clients at once (at shutdown, or when retired and free). */
    void closeNow() {
        for (PluginMiddleware m : middleware) {
            try {
                m.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a middleware of configuration " + version + " failed to close: "
                        + e);
            }
        }
        for (ProviderRuntime provider : providers.values()) {
            try {
                provider.provider().close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "provider " + provider.name() + " failed to close: " + e);
            }
        }
        clients.forEach(Http1UpstreamClient::close);
    }

    long version() {
        return version;
    }

    GatewayConfig config() {
        return config;
    }

    Map<String, ProviderRuntime> providers() {
        return providers;
    }

    Pricing pricing() {
        return pricing;
    }

    Router router() {
        return router;
    }

    FileKeys fileKeys() {
        return fileKeys;
    }

    Map<String, String> deploymentAliases() {
        return deploymentAliases;
    }

    String anthropicDefaultProvider() {
        return anthropicDefaultProvider;
    }

    /**
     * The usage reports of its middleware.
     *
     * @return the reports
     */
    List<UsageReport> reports() {
        return middleware.stream().map(PluginMiddleware::usageReport).flatMap(Optional::stream).toList();
    }

    @Override
    public String toString() {
        return "Generation[" + version + ", providers " + providers.keySet() + "]";
    }
}
