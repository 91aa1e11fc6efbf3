package io.gateway.server;

import io.gateway.server.core.PluginCalls;
import io.gateway.server.core.Pricing;
import io.gateway.server.core.StartupException;
import io.gateway.server.plugin.PluginMiddleware;
import io.gateway.server.plugin.ServerPluginContext;

import io.gateway.server.async.AsyncJobs;
import io.gateway.server.config.ConfigBlock;
import io.gateway.server.config.GatewayConfig;
import io.gateway.server.http.AdminRoutes;
import io.gateway.server.core.ErrorEnvelope;
import io.gateway.server.http.HealthRoutes;
import io.gateway.server.http.InferenceRoutes;
import io.gateway.server.http.ConsoleRoutes;
import io.gateway.server.http.LogRoutes;
import io.gateway.server.http.McpRoutes;
import io.gateway.server.mcp.McpGateway;
import io.gateway.server.mcp.McpSettings;
import io.gateway.server.logs.LogSettings;
import io.gateway.server.logs.RequestLog;
import io.gateway.server.http.RequestHeadGuard;
import io.gateway.server.http.TransportErrors;
import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.plugin.LoadedPlugin;
import io.gateway.server.plugin.PluginRegistry;
import io.gateway.server.routing.Backoff;
import io.gateway.server.routing.ConcurrencyLimit;
import io.gateway.server.routing.ProviderRuntime;
import io.gateway.server.routing.Router;
import io.gateway.server.routing.WeightedKeySelector;
import io.gateway.server.state.MemoryStateStore;
import io.gateway.server.telemetry.Telemetry;
import io.gateway.server.telemetry.TelemetrySettings;
import io.gateway.server.telemetry.TracingUpstreamClient;
import io.gateway.server.upstream.Http1UpstreamClient;
import io.gateway.server.upstream.UpstreamProxy;
import io.gateway.server.upstream.UpstreamSettings;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.middleware.MiddlewareFactory;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.state.StateStoreFactory;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The running gateway: plugins loaded, providers and middleware created from the configuration, the
 * chain composed, and the HTTP server listening.
 */
public final class GatewayServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("gateway");

    /**
     * Helidon logs every request and response header at FINE on these loggers, which would put client
     * keys, virtual keys and provider keys in the log whenever someone turns debugging on. They are held
     * here (java.util.logging keeps loggers weakly) and capped at INFO.
     */
    private static final List<java.util.logging.Logger> HEADER_LOGGERS = java.util.stream.Stream.of(
                    "io.helidon.common.socket", "io.helidon.webserver.http1")
            .map(java.util.logging.Logger::getLogger).toList();

    static {
        for (java.util.logging.Logger logger : HEADER_LOGGERS) {
            logger.setLevel(java.util.logging.Level.INFO);
        }
    }

    private final WebServer server;
    private final PluginRegistry registry;
    private final Router router;
    private final List<PluginMiddleware> middleware;
    private final StateStore state;
    private final List<Http1UpstreamClient> upstreamClients;
    private final ScheduledExecutorService housekeeping;
    private final AsyncJobs async;
    private final RequestHeadGuard headGuard;
    private final Telemetry telemetry;
    private final RequestLog requestLog;
    private final McpGateway mcp;

    private GatewayServer(WebServer server, PluginRegistry registry, Router router, List<PluginMiddleware> middleware,
                          StateStore state, ScheduledExecutorService housekeeping, AsyncJobs async,
                          List<Http1UpstreamClient> upstreamClients, RequestHeadGuard headGuard,
                          Telemetry telemetry, RequestLog requestLog, McpGateway mcp) {
        this.mcp = mcp;
        this.requestLog = requestLog;
        this.headGuard = headGuard;
        this.telemetry = telemetry;
        this.upstreamClients = List.copyOf(upstreamClients);
        this.async = async;
        this.server = server;
        this.registry = registry;
        this.router = router;
        this.middleware = middleware;
        this.state = state;
        this.housekeeping = housekeeping;
    }

    /**
     * Starts a gateway.
     *
     * @param config the loaded configuration
     * @return the running gateway
     * @throws StartupException when the configuration or a plugin is wrong
     */
    public static GatewayServer start(GatewayConfig config) {
        Clock clock = Clock.systemUTC();
        // Initialise Helidon's global service registry now, with the server's class loader, before any
        // plugin code runs (a first lookup under a plugin's loader would find no services).
        io.helidon.common.mapper.MapperManager.global();
        // first, so that every record of the start-up (the plugin lines too) comes in the chosen format
        applyLogFormat(config);
        GatewayMetrics metrics = new GatewayMetrics();
        long maxBody;
        try {
            maxBody = config.maxRequestBody();
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
        PluginRegistry registry = PluginRegistry.load(config.pluginsDir());
        for (LoadedPlugin plugin : registry.plugins()) {
            LOG.log(System.Logger.Level.INFO, plugin.summary());
        }
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "gateway-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        List<AutoCloseable> created = new ArrayList<>();
        try {
            StateStore state = createState(config.state(), registry, clock, housekeeping, metrics);
            created.add(state);
            Telemetry telemetry = createTelemetry(config, metrics);
            created.add(telemetry);
            List<Http1UpstreamClient> clients = new ArrayList<>();
            created.add(() -> clients.forEach(Http1UpstreamClient::close));
            Map<String, ProviderRuntime> providers = createProviders(config, registry, state, clock, metrics, clients,
                    telemetry);
            providers.values().forEach(p -> created.add(p.provider()));
            Pricing pricing;
            try {
                pricing = Pricing.read(config.gateway().block("pricing").orElse(null));
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage());
            }
            List<PluginMiddleware> middleware = createMiddleware(config, registry, state, clock, metrics, clients,
                    telemetry, pricing.lend(fallbacks(providers)));
            created.addAll(middleware);
            Router router = new Router(providers, clock, metrics, telemetry, pricing);
            AsyncJobs async = createAsync(config.async(), state, clock, housekeeping, telemetry, pricing);
            created.add(async);
            McpGateway mcp = createMcp(config, metrics, telemetry);
            created.add(mcp);
            Chain chain = compose(middleware, mcp.link(exchange -> async.handle(exchange, router::route)));
            RequestLog requestLog = createRequestLog(config, clock, metrics);
            created.add(requestLog);
            AdminRoutes admin;
            try {
                admin = new AdminRoutes(config.admin().secret("token"), registry.plugins(),
                        () -> middleware.stream().map(PluginMiddleware::usageReport).flatMap(java.util.Optional::stream)
                                .toList(), config.root(), config.tracker());
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage());
            }
            String deploymentProvider = deploymentProvider(config);
            ProviderRuntime deployments = providers.get(deploymentProvider);
            io.gateway.server.http.BodyLimits limits;
            try {
                limits = io.gateway.server.http.BodyLimits.of(maxBody, config.maxRequestBodyByRoute());
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage());
            }
            InferenceRoutes routes = new InferenceRoutes(chain, metrics, maxBody, deployments != null,
                    deploymentProvider, deployments == null ? Map.of() : deployments.modelAliases(), telemetry,
                    anthropicDefaultProvider(config, providers.keySet()), limits, config.spoolDir(), requestLog);
            HttpRouting.Builder routing = HttpRouting.builder();
            new HealthRoutes(state, registry.plugins().size(), providers.size(),
                    mcp.enabled() ? mcp::readiness : null).register(routing);
            routing.get("/metrics", (req, res) -> {
                res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
            });
            routes.register(routing);
            new McpRoutes(routes, mcp, admin, maxBody).register(routing);
            admin.register(routing);
            new LogRoutes(admin, requestLog, clock).register(routing);
            new ConsoleRoutes(!config.admin().secret("token").isEmpty(), requestLog.enabled()).register(routing);
            routing.any((req, res) -> {
                GatewayException e = GatewayException.of(ErrorCode.NOT_FOUND, "no route " + req.prologue().method().text()
                        + " " + req.path().path() + "; the OpenAI routes live under /openai/v1/, /openai/ and /v1/");
                res.status(Status.NOT_FOUND_404);
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(ErrorEnvelope.of(e, null, null, null, null).toBytes());
            });
            List<String> unknown = config.unreadKeys();
            if (!unknown.isEmpty()) {
                throw new StartupException("unknown key " + unknown.get(0)
                        + ": remove it or fix its spelling (docs/configuration.md lists every key)");
            }
            Listener listener = listener(config.server());
            RequestHeadGuard headGuard = new RequestHeadGuard(listener.headTimeout());
            created.add(headGuard);
            metrics.counter("gateway.connections.closed", "Connections the gateway closed itself",
                    headGuard::closedConnections, "reason", "request_head_timeout");
            WebServer server;
            try {
                io.helidon.config.Config http1 = config.server().get("protocols").get("http_1_1");
                server = WebServer.builder()
                        .connectionOptions(options -> options.tcpNoDelay(true))
                        .idleConnectionTimeout(Duration.ofSeconds(60))
                        .idleConnectionPeriod(Duration.ofSeconds(5))
                        .config(config.server())
                        .maxTcpConnections(listener.maxConnections())
                        .directHandlers(TransportErrors.handlers())
                        .errorHandling(handling -> handling.includeEntity(true))
                        .addProtocol(io.helidon.webserver.http1.Http1Config.builder()
                                .config(http1)
                                .addReceiveListener(headGuard)
                                .build())
                        .routing(routing)
                        .build()
                        .start();
            } catch (io.helidon.config.ConfigException | IllegalArgumentException | IllegalStateException
                     | java.io.UncheckedIOException e) {
                throw new StartupException("server: " + firstLine(e) + " (check server.host and server.port)");
            }
            if (!server.isRunning() || server.port() < 0) {
                // Helidon may log a bind failure (port in use, address not local) and returns a stopped server
                server.stop();
                throw new StartupException("server: cannot listen on " + config.server().get("host").asString()
                        .orElse("0.0.0.0") + ":" + config.server().get("port").asString().orElse("8080")
                        + " (is another process using the port? check server.host and server.port)");
            }
            GatewayServer gateway = new GatewayServer(server, registry, router, middleware, state, housekeeping, async,
                    clients, headGuard, telemetry, requestLog, mcp);
            LOG.log(System.Logger.Level.INFO, "gateway listening on port " + server.port() + " with providers "
                    + providers.keySet() + " and middleware " + config.middleware().stream()
                    .map(b -> b.string("type", "?")).toList());
            return gateway;
        } catch (RuntimeException e) {
            for (AutoCloseable closeable : created) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // start-up already failed; the first reason is the one to report
                }
            }
            housekeeping.shutdownNow();
            throw e;
        }
    }

    /** The listener settings the gateway adds to Helidon's {@code server} section. */
    private record Listener(Duration headTimeout, int maxConnections) {
    }

    private static Listener listener(io.helidon.config.Config server) {
        String head = server.get("request-head-timeout").asString().orElse("30s");
        Duration headTimeout;
        try {
            headTimeout = ConfigBlock.parseDuration(head);
        } catch (IllegalArgumentException e) {
            throw new StartupException("server.request-head-timeout: '" + head + "' is not a duration; write e.g. 30s");
        }
        if (headTimeout.isZero() || headTimeout.isNegative()) {
            throw new StartupException("server.request-head-timeout: must be greater than zero, e.g. 30s");
        }
        String max = server.get("max-connections").asString().orElse("10000");
        int maxConnections;
        try {
            maxConnections = Integer.parseInt(max.trim());
        } catch (NumberFormatException e) {
            throw new StartupException("server.max-connections: '" + max + "' is not a whole number; write e.g. 10000");
        }
        if (maxConnections <= 0) {
            throw new StartupException("server.max-connections: must be greater than 0, e.g. 10000");
        }
        return new Listener(headTimeout, maxConnections);
    }

    /** {@code gateway.log.format}: {@code text} (the default) or {@code json}. */
    private static void applyLogFormat(GatewayConfig config) {
        String format;
        try {
            format = config.gateway().block("log").map(b -> b.string("format", "text")).orElse("text");
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
        switch (format) {
            case "text" -> {
            }
            case "json" -> JsonLogFormatter.install();
            default -> throw new StartupException("gateway.log.format: '" + format + "' is not a log format; use text "
                    + "or json");
        }
    }

    /**
     * The request log of {@code gateway.logs} (SQLite under the gateway's home by default), with its
     * counters. Started after every plugin read its configuration, so that all secrets are known.
     */
    private static RequestLog createRequestLog(GatewayConfig config, Clock clock, GatewayMetrics metrics) {
        LogSettings settings;
        try {
            settings = LogSettings.read(config.gateway().block("logs").orElse(null), config::file);
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
        RequestLog log = RequestLog.start(settings, config.root(), config.tracker(), clock);
        metrics.counter("gateway.logs.dropped", "Request log entries dropped", log::droppedQueueFull,
                "reason", "queue_full");
        metrics.counter("gateway.logs.dropped", "Request log entries dropped", log::droppedWriteFailed,
                "reason", "write_failed");
        metrics.counter("gateway.logs.written", "Request log entries written", log::written);
        return log;
    }

    private static Telemetry createTelemetry(GatewayConfig config, GatewayMetrics metrics) {
        Telemetry telemetry;
        try {
            TelemetrySettings settings = TelemetrySettings.read(config.gateway().block("telemetry").orElse(null),
                    config.environment());
            telemetry = Telemetry.start(settings);
            if (telemetry.tracing()) {
                LOG.log(System.Logger.Level.INFO, "exporting traces of service " + settings.serviceName() + " to "
                        + settings.properties().getOrDefault("otel.exporter.otlp.traces.endpoint",
                        settings.properties().get("otel.exporter.otlp.endpoint")));
            }
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
        metrics.counter("gateway.telemetry.spans", "Spans exported to the OTLP collector", telemetry::exportedSpans,
                "result", "exported");
        metrics.counter("gateway.telemetry.spans", "Spans dropped: too many waiting, or the export failed",
                telemetry::droppedSpans, "result", "dropped");
        return telemetry;
    }

    private static AsyncJobs createAsync(ConfigBlock block, StateStore state, Clock clock,
                                         ScheduledExecutorService housekeeping, Telemetry telemetry,
                                         Pricing pricing) {
        try {
            Duration ttl = positive(block, "result-ttl", Duration.ofHours(1));
            Duration lease = positive(block, "lease", Duration.ofSeconds(30));
            int maxPending = block.integer("max-pending", 10_000);
            if (maxPending <= 0) {
                throw block.invalid("max-pending", "must be greater than 0, e.g. 10000");
            }
            return new AsyncJobs(state, clock, ttl, lease, maxPending, housekeeping, telemetry::inCurrentContext,
                    pricing);
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
    }

    private static StateStore createState(ConfigBlock block, PluginRegistry registry, Clock clock,
                                          ScheduledExecutorService housekeeping, GatewayMetrics metrics) {
        String type = block.string("type", "memory");
        if (type.equals("memory")) {
            int maxEntries = block.integer("max-entries", 100_000);
            if (maxEntries <= 0) {
                throw new StartupException("gateway.state.max-entries: must be positive, e.g. 100000");
            }
            MemoryStateStore store = new MemoryStateStore(clock, maxEntries);
            housekeeping.scheduleWithFixedDelay(store::sweep, 10, 10, TimeUnit.SECONDS);
            return store;
        }
        PluginRegistry.Offered<StateStoreFactory> offered = registry.store(type);
        if (offered == null) {
            throw new StartupException("gateway.state.type: no plugin offers state store type '" + type
                    + "'; use memory" + (registry.storeTypes().isEmpty() ? "" : " or one of " + registry.storeTypes())
                    + ", or put the store's plugin folder into the plugins directory");
        }
        return inPlugin(offered.plugin(), "gateway.state", () -> offered.factory().create(block,
                new ServerPluginContext(null, null, clock, metrics.forPlugin(offered.plugin().id()),
                        System.getLogger("gateway.plugin." + offered.plugin().id()))));
    }

    private static Map<String, ProviderRuntime> createProviders(GatewayConfig config, PluginRegistry registry,
                                                                StateStore state, Clock clock, GatewayMetrics metrics,
                                                                List<Http1UpstreamClient> clients, Telemetry telemetry) {
        Map<String, ProviderRuntime> providers = new LinkedHashMap<>();
        java.util.function.Supplier<UpstreamProxy> environmentProxies = environmentProxies(config);
        List<ConfigBlock> blocks;
        try {
            blocks = config.providers();
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
        for (ConfigBlock block : blocks) {
            String name = block.name();
            if (name.contains("/") || name.isBlank()) {
                throw new StartupException(block.path() + ": a provider name cannot contain '/'; rename it");
            }
            try {
                String type = block.string("type", name);
                PluginRegistry.Offered<ProviderFactory> offered = registry.provider(type);
                if (offered == null) {
                    throw new StartupException(block.path() + ".type: no plugin serves provider type '" + type
                            + "'; installed plugins serve " + registry.providerTypes()
                            + "; put the provider's plugin folder into " + config.pluginsDir()
                            + " or fix the type");
                }
                Duration timeout = positive(block, "timeout", Duration.ofSeconds(30));
                Duration connectTimeout = positive(block, "connect-timeout", Duration.ofSeconds(5));
                Duration idleTimeout = positive(block, "stream-idle-timeout", Duration.ofSeconds(60));
                Map<String, String> hints = new HashMap<>();
                List<ApiKey> keys = keys(block, hints);
                int maxRetries = block.integer("max-retries", 0);
                if (maxRetries < 0) {
                    throw block.invalid("max-retries", "must be 0 or more");
                }
                Duration backoffInitial = positive(block, "retry-backoff-initial", Duration.ofMillis(500));
                Duration backoffMax = positive(block, "retry-backoff-max", Duration.ofSeconds(5));
                if (backoffMax.compareTo(backoffInitial) < 0) {
                    throw block.invalid("retry-backoff-max", "must not be smaller than retry-backoff-initial");
                }
                int maxConcurrency = block.integer("max-concurrency", ConcurrencyLimit.DEFAULT_MAX_CONCURRENCY);
                if (maxConcurrency <= 0) {
                    throw block.invalid("max-concurrency", "must be greater than 0, e.g. 1000");
                }
                int queueSize = block.integer("queue-size", 5000);
                if (queueSize < 0) {
                    throw block.invalid("queue-size", "must be 0 or more, e.g. 5000");
                }
                List<String> fallbacks = block.strings("fallbacks");
                for (String fallback : fallbacks) {
                    int slash = fallback.indexOf('/');
                    if (slash <= 0 || slash == fallback.length() - 1) {
                        throw block.invalid("fallbacks", "'" + fallback + "' is not provider/model");
                    }
                }
                UpstreamSettings upstream = UpstreamSettings.read(block, environmentProxies, config::file);
                Http1UpstreamClient client = upstream.client(connectTimeout, clock);
                clients.add(client);
                if (!upstream.proxies().isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, "provider " + name + ": upstream calls go through a proxy: "
                            + upstream.proxies());
                }
                ServerPluginContext context = new ServerPluginContext(TracingUpstreamClient.wrap(client, telemetry),
                        state, clock, metrics.forPlugin(offered.plugin().id()),
                        System.getLogger("gateway.plugin." + offered.plugin().id()));
                Provider provider = inPlugin(offered.plugin(), block.path(),
                        () -> offered.factory().create(block, context));
                if (provider == null) {
                    throw new StartupException(block.path() + ": plugin " + offered.plugin().id()
                            + " created no provider");
                }
                java.util.Set<io.gateway.spi.Operation> operations = inPlugin(offered.plugin(), block.path(),
                        provider::operations);
                Map<String, String> aliases = inPlugin(offered.plugin(), block.path(), provider::modelAliases);
                boolean cacheControl = Boolean.TRUE.equals(inPlugin(offered.plugin(), block.path(),
                        provider::chatCacheControl));
                providers.put(name, new ProviderRuntime(name, type, offered.plugin().id(), provider,
                        offered.plugin().classLoader(), operations == null ? java.util.Set.of() : operations,
                        aliases == null ? Map.of() : aliases, cacheControl, new WeightedKeySelector(keys), timeout,
                        idleTimeout,
                        hints, maxRetries, new Backoff(backoffInitial, backoffMax),
                        new ConcurrencyLimit(name, maxConcurrency, queueSize), fallbacks));
                hints.forEach((key, hint) -> LOG.log(System.Logger.Level.WARNING, "provider " + name + ": " + hint
                        + "; its requests answer 401 until it is set"));
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage());
            }
        }
        for (ProviderRuntime provider : providers.values()) {
            for (String fallback : provider.fallbacks()) {
                String target = fallback.substring(0, fallback.indexOf('/'));
                if (!providers.containsKey(target)) {
                    throw new StartupException("gateway.providers." + provider.name() + ".fallbacks: '" + fallback
                            + "' names provider '" + target + "', which is not configured");
                }
            }
        }
        return providers;
    }

    private static Duration positive(ConfigBlock block, String key, Duration dflt) {
        Duration value = block.duration(key, dflt);
        if (value.isZero()) {
            throw block.invalid(key, "must be greater than zero, e.g. 30s");
        }
        return value;
    }

    private static List<ApiKey> keys(ConfigBlock provider, Map<String, String> hints) {
        List<ApiKey> keys = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<ConfigBlock> blocks = provider.blocks("keys");
        for (int i = 0; i < blocks.size(); i++) {
            ConfigBlock block = blocks.get(i);
            String name = block.string("name", "key-" + i);
            if (!names.add(name)) {
                throw block.invalid("name", "another key of this provider is already named '" + name
                        + "'; key names must be unique");
            }
            double weight = block.number("weight", 1.0);
            if (!(weight > 0)) {
                throw block.invalid("weight", "must be greater than 0, e.g. 1.0");
            }
            List<String> models = block.strings("models");
            var value = block.secret("value");
            if (value.isEmpty()) {
                hints.put(name, block.unsetVariable("value")
                        .map(var -> "environment variable " + var + " (" + block.path() + ".value) is not set")
                        .orElse(block.path() + ".value is empty"));
            }
            keys.add(new ApiKey(name, value, weight, models));
        }
        return keys;
    }

    /** Each provider's configured fallbacks, for the price list lent to middleware (worst-case estimates). */
    private static Map<String, List<io.gateway.spi.ModelRef>> fallbacks(Map<String, ProviderRuntime> providers) {
        Map<String, List<io.gateway.spi.ModelRef>> fallbacks = new HashMap<>();
        providers.forEach((name, provider) -> fallbacks.put(name, provider.fallbacks().stream()
                .map(io.gateway.spi.ModelRef::parse).toList()));
        return fallbacks;
    }

    private static List<PluginMiddleware> createMiddleware(GatewayConfig config, PluginRegistry registry, StateStore state,
                                                     Clock clock, GatewayMetrics metrics,
                                                     List<Http1UpstreamClient> clients, Telemetry telemetry,
                                                     io.gateway.spi.PriceList prices) {
        List<PluginMiddleware> result = new ArrayList<>();
        List<ConfigBlock> blocks;
        try {
            blocks = config.middleware();
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
        for (ConfigBlock block : blocks) {
            try {
                String type = block.string("type").orElseThrow(() -> block.invalid("type",
                        "is required; installed plugins offer middleware types " + registry.middlewareTypes()));
                PluginRegistry.Offered<MiddlewareFactory> offered = registry.middleware(type);
                if (offered == null) {
                    throw new StartupException(block.path() + ".type: no plugin offers middleware type '" + type
                            + "'; installed plugins offer " + registry.middlewareTypes()
                            + "; put the middleware's plugin folder into " + config.pluginsDir() + " or fix the type");
                }
                ServerPluginContext context = new ServerPluginContext(
                        TracingUpstreamClient.wrap(upstreamClient(clients, clock, config), telemetry), state, clock,
                        metrics.forPlugin(offered.plugin().id()),
                        System.getLogger("gateway.plugin." + offered.plugin().id()), prices);
                Middleware created = inPlugin(offered.plugin(), block.path(),
                        () -> offered.factory().create(block, context));
                if (created == null) {
                    throw new StartupException(block.path() + ": plugin " + offered.plugin().id()
                            + " created no middleware");
                }
                result.add(new PluginMiddleware(created, offered.plugin().classLoader()));
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage());
            }
        }
        return result;
    }

    /**
     * Calls plugin code with the plugin's class loader as context loader, turning its failures into
     * one start-up line.
     */
    private static <T> T inPlugin(LoadedPlugin plugin, String path, Supplier<T> action) {
        try {
            return PluginCalls.call(plugin.classLoader(), action);
        } catch (StartupException | IllegalArgumentException e) {
            throw e;
        } catch (NoClassDefFoundError e) {
            throw new StartupException(path + ": plugin " + plugin.id() + " needs class "
                    + String.valueOf(e.getMessage()).replace('/', '.') + ", which is missing; put the jar that "
                    + "contains it into plugins/" + plugin.directory().getFileName());
        } catch (RuntimeException | LinkageError e) {
            throw new StartupException(path + ": plugin " + plugin.id() + " failed to start: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /**
     * {@code gateway.mcp}: the tool servers, connected in the background (one that is down stops
     * nothing). Without the block the MCP gateway is off and only answers that it is.
     */
    private static McpGateway createMcp(GatewayConfig config, GatewayMetrics metrics, Telemetry telemetry) {
        McpSettings settings;
        try {
            settings = McpSettings.read(config.gateway().block("mcp").orElse(null),
                    config.file(".").toAbsolutePath().normalize());
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
        return McpGateway.start(settings, metrics, telemetry);
    }

    /** Where deployment-style routes go: {@code gateway.deployment-routes.provider}, by default {@code azure}. */
    private static String deploymentProvider(GatewayConfig config) {
        try {
            return config.gateway().block("deployment-routes").map(b -> b.string("provider", "azure"))
                    .orElse("azure");
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
    }

    /**
     * {@code gateway.anthropic-routes.default-provider}: where a bare model name on the Anthropic routes
     * ({@code claude-…}) goes; default {@code anthropic}. A configured name must be a provider.
     */
    private static String anthropicDefaultProvider(GatewayConfig config, Set<String> providers) {
        try {
            Optional<ConfigBlock> block = config.gateway().block("anthropic-routes");
            String name = block.flatMap(b -> b.string("default-provider")).orElse("anthropic");
            if (block.isPresent() && block.get().has("default-provider") && !providers.contains(name)) {
                throw block.get().invalid("default-provider", "'" + name + "' is not a configured provider; "
                        + "configured: " + String.join(", ", providers));
            }
            return name;
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
    }

    private static String firstLine(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = String.valueOf(cause.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Composes middleware around the terminal link; the first middleware is outermost. */
    private static Chain compose(List<? extends Middleware> middleware, Chain terminal) {
        Chain next = terminal;
        for (int i = middleware.size() - 1; i >= 0; i--) {
            Middleware current = middleware.get(i);
            Chain inner = next;
            next = exchange -> current.handle(exchange, inner);
        }
        return next;
    }

    /**
     * The port the server listens on.
     *
     * @return the port
     */
    public int port() {
        return server.port();
    }

    /**
     * The loaded plugins.
     *
     * @return the plugins
     */
    public List<LoadedPlugin> plugins() {
        return registry.plugins();
    }

    /**
     * The request log.
     *
     * @return the log ({@link RequestLog#off()} with {@code gateway.logs.store: none})
     */
    public RequestLog requestLog() {
        return requestLog;
    }

    /**
     * The router, for administration.
     *
     * @return the router
     */
    public Router router() {
        return router;
    }

    /** Stops the server and closes plugins and the store. */
    @Override
    public void close() {
        server.stop();
        headGuard.close();
        mcp.close();
        async.close();
        for (Middleware m : middleware) {
            m.close();
        }
        for (ProviderRuntime provider : router.providers().values()) {
            try {
                provider.provider().close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "provider " + provider.name() + " failed to close: " + e);
            }
        }
        upstreamClients.forEach(Http1UpstreamClient::close);
        requestLog.close();
        telemetry.close();
        state.close();
        housekeeping.shutdownNow();
    }

    /**
     * The proxies named by the environment, parsed once when a provider without a {@code proxy} key first
     * needs them, so a bad variable stops start-up only when a provider would use it.
     */
    private static java.util.function.Supplier<UpstreamProxy> environmentProxies(GatewayConfig config) {
        UpstreamProxy[] parsed = new UpstreamProxy[1];
        return () -> {
            if (parsed[0] == null) {
                try {
                    parsed[0] = UpstreamProxy.fromEnvironment(config.environment());
                } catch (IllegalArgumentException e) {
                    throw new StartupException("environment variable " + e.getMessage()
                            + "; or give the providers their own proxy key (a URL, or none)");
                }
            }
            return parsed[0];
        };
    }

    /**
     * The upstream client lent to a middleware: the environment's proxies, the JDK's TLS, no gzip. A
     * proxy variable the gateway cannot use is logged and ignored here (the bundled middleware make no
     * upstream calls); providers refuse it at start-up.
     */
    private static Http1UpstreamClient upstreamClient(List<Http1UpstreamClient> clients, Clock clock,
                                                      GatewayConfig config) {
        UpstreamProxy proxies;
        try {
            proxies = UpstreamProxy.fromEnvironment(config.environment());
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "middleware upstream calls ignore environment variable "
                    + e.getMessage());
            proxies = UpstreamProxy.NONE;
        }
        Http1UpstreamClient client = new UpstreamSettings(proxies, null, false).client(Duration.ofSeconds(5), clock);
        clients.add(client);
        return client;
    }
}
