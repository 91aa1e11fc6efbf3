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
import io.gateway.server.http.KeyRoutes;
import io.gateway.server.http.ReloadRoutes;
import io.gateway.server.http.LogRoutes;
import io.gateway.server.keys.FileKeys;
import io.gateway.server.keys.ManagedKeys;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
    private final AtomicReference<Generation> current;
    private final Shared shared;
    private final StateStore state;
    private final ScheduledExecutorService housekeeping;
    private final AsyncJobs async;
    private final RequestHeadGuard headGuard;
    private final Telemetry telemetry;
    private final RequestLog requestLog;
    private final ManagedKeys managedKeys;
    private final McpGateway mcp;

    private final ConfigReloader reloader;
    /** The generation start-up built: what settings that need a restart are compared with. */
    private final Generation startup;
    private final Object reloading = new Object();
    private final AtomicLong reloadsSucceeded = new AtomicLong();
    private final AtomicLong reloadsFailed = new AtomicLong();

    private GatewayServer(WebServer server, PluginRegistry registry, AtomicReference<Generation> current,
                          Shared shared, ScheduledExecutorService housekeeping, AsyncJobs async,
                          RequestHeadGuard headGuard, Telemetry telemetry, RequestLog requestLog,
                          ManagedKeys managedKeys, McpGateway mcp) {
        this.mcp = mcp;
        this.requestLog = requestLog;
        this.managedKeys = managedKeys;
        this.headGuard = headGuard;
        this.telemetry = telemetry;
        this.async = async;
        this.server = server;
        this.registry = registry;
        this.current = current;
        this.startup = current.get();
        this.shared = shared;
        this.state = shared.state();
        this.housekeeping = housekeeping;
        this.reloader = current.get().config().source().isPresent()
                ? new ConfigReloader(current.get().config().source().get(), this::reloadFromWatcher) : null;
        shared.metrics().counter("gateway.config.reloads", "Reloads of the configuration file",
                reloadsSucceeded::get, "result", "success");
        shared.metrics().counter("gateway.config.reloads", "Reloads of the configuration file",
                reloadsFailed::get, "result", "failure");
        shared.metrics().gauge("gateway.config.version", "The version of the configuration in use (1 at start-up)",
                () -> current.get().version());
        if (reloader != null) {
            reloader.start();
        }
    }

    /**
     * What every generation shares: the parts built once at start-up.
     *
     * @param registry  the plugins
     * @param state     the state store
     * @param clock     the clock
     * @param metrics   metrics
     * @param telemetry telemetry
     * @param keys      the managed virtual keys
     * @param async     the async jobs
     * @param closer    where retired generations are closed
     */
    private record Shared(PluginRegistry registry, StateStore state, Clock clock, GatewayMetrics metrics,
                          Telemetry telemetry, ManagedKeys keys, AsyncJobs async,
                          java.util.concurrent.Executor closer, McpGateway mcp) {
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
            ManagedKeys managedKeys = createManagedKeys(config, clock, metrics);
            created.add(managedKeys);
            AtomicReference<Generation> current = new AtomicReference<>();
            AsyncJobs async = createAsync(config.async(), state, clock, housekeeping, telemetry,
                    () -> current.get().pricing());
            created.add(async);
            McpGateway mcp = createMcp(config, metrics, telemetry);
            created.add(mcp);
            Shared shared = new Shared(registry, state, clock, metrics, telemetry, managedKeys, async, housekeeping,
                    mcp);
            Generation first = build(config, 1, shared, current::get);
            current.set(first);
            created.add(() -> current.get().closeNow());
            RequestLog requestLog = createRequestLog(config, clock, metrics);
            created.add(requestLog);
            AdminRoutes admin;
            try {
                admin = new AdminRoutes(config.admin().secret("token"), registry.plugins(),
                        () -> current.get().reports(), () -> current.get().config().root(),
                        () -> current.get().config().tracker());
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage());
            }
            String deploymentProvider = deploymentProvider(config);
            io.gateway.server.http.BodyLimits limits;
            try {
                limits = io.gateway.server.http.BodyLimits.of(maxBody, config.maxRequestBodyByRoute());
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage());
            }
            InferenceRoutes routes = new InferenceRoutes(() -> acquire(current), metrics, maxBody,
                    first.deploymentAliases() != null, deploymentProvider,
                    first.deploymentAliases() == null ? Map.of() : first.deploymentAliases(), telemetry,
                    first.anthropicDefaultProvider(), limits, config.spoolDir(), requestLog);
            HttpRouting.Builder routing = HttpRouting.builder();
            new HealthRoutes(state, registry.plugins().size(), first.providers().size(),
                    mcp.enabled() ? mcp::readiness : null).register(routing);
            routing.get("/metrics", (req, res) -> {
                res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
            });
            routes.register(routing);
            new McpRoutes(routes, mcp, admin, maxBody).register(routing);
            admin.register(routing);
            new LogRoutes(admin, requestLog, clock).register(routing);
            new KeyRoutes(admin, managedKeys, () -> current.get().fileKeys(), () -> current.get().reports())
                    .register(routing);
            AtomicReference<GatewayServer> self = new AtomicReference<>();
            new ReloadRoutes(admin, clientIp -> {
                GatewayServer gateway = self.get();
                if (gateway == null) {
                    throw GatewayException.of(ErrorCode.STORE_UNAVAILABLE, "the gateway is still starting; try again");
                }
                return gateway.reload("POST /admin/reload", clientIp);
            }).register(routing);
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
            GatewayServer gateway = new GatewayServer(server, registry, current, shared, housekeeping, async,
                    headGuard, telemetry, requestLog, managedKeys, mcp);
            self.set(gateway);
            LOG.log(System.Logger.Level.INFO, "gateway listening on port " + server.port() + " with providers "
                    + first.providers().keySet() + " and middleware " + config.middleware().stream()
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

    /**
     * Builds the live part of a configuration: providers, price list, middleware, router, chain. Every
     * mistake is a {@link StartupException} naming the key, with whatever was built closed again.
     */
    private static Generation build(GatewayConfig config, long version, Shared shared,
                                    java.util.function.Supplier<Generation> current) {
        List<Http1UpstreamClient> clients = new ArrayList<>();
        Map<String, ProviderRuntime> providers = Map.of();
        List<PluginMiddleware> middleware = List.of();
        try {
            providers = createProviders(config, shared.registry(), shared.state(), shared.clock(), shared.metrics(),
                    clients, shared.telemetry());
            Pricing pricing;
            try {
                pricing = Pricing.read(config.gateway().block("pricing").orElse(null));
            } catch (IllegalArgumentException e) {
                throw new StartupException(e.getMessage());
            }
            // the router lent to middleware (PluginContext.router()) exists once the middleware does
            AtomicReference<Router> lentRouter = new AtomicReference<>();
            middleware = createMiddleware(config, shared.registry(), shared.state(), shared.clock(), shared.metrics(),
                    clients, shared.telemetry(), pricing.lend(fallbacks(providers)), shared.keys().directory(),
                    lentRouter(lentRouter));
            Router router = new Router(providers, shared.clock(), shared.metrics(), shared.telemetry(), pricing);
            lentRouter.set(router);
            ProviderRuntime deployments = providers.get(deploymentProvider(config));
            String anthropic = anthropicDefaultProvider(config, providers.keySet());
            FileKeys fileKeys = FileKeys.read(config.root(), config.source().map(f -> f.getFileName().toString())
                    .orElse(null));
            return new Generation(version, config, providers, middleware, clients, pricing, router, shared.async(),
                    fileKeys, deployments == null ? null : deployments.modelAliases(), anthropic, current,
                    shared.closer(), shared.mcp()::link);
        } catch (RuntimeException e) {
            for (PluginMiddleware m : middleware) {
                try {
                    m.close();
                } catch (RuntimeException ignored) {
                    // the build failed already; its first reason is the one to report
                }
            }
            for (ProviderRuntime provider : providers.values()) {
                try {
                    provider.provider().close();
                } catch (RuntimeException ignored) {
                    // as above
                }
            }
            clients.forEach(Http1UpstreamClient::close);
            throw e;
        }
    }

    /** Holds the generation in use for one request (retrying if a reload closed the one it read). */
    private static Generation acquire(AtomicReference<Generation> current) {
        while (true) {
            Generation generation = current.get();
            if (generation.tryHold()) {
                return generation;
            }
        }
    }

    /**
     * The configuration keys a reload does not apply: their values stay as the gateway started with them.
     * Everything else below {@code gateway} (providers, middleware and their virtual keys, pricing) is
     * applied by a reload.
     */
    static final List<String> RESTART_KEYS = List.of("plugins-dir", "state", "logs", "async", "admin", "telemetry",
            "log", "max-request-body", "max-request-body-by-route", "spool-dir", "deployment-routes",
            "anthropic-routes", "mcp");

    /** Top-level keys of {@code gateway} a reload applies; unknown keys below them refuse the reload. */
    private static final List<String> LIVE_KEYS = List.of("providers", "middleware", "pricing");

    /**
     * Reloads the configuration file: builds the whole new configuration beside the running one with
     * start-up's validation, and only when that succeeded swaps it in; requests in flight finish on the
     * old one, which is closed once the last of them ended. Settings that need a restart keep their
     * values and are reported. One reload at a time.
     *
     * @param trigger  what asked (for the log line): the file watcher, {@code SIGHUP}, the admin API
     * @param clientIp the admin's address for the audit trail, or {@code null}
     * @return the new version and the keys that need a restart
     * @throws GatewayException 400 naming the first problem, with the running configuration kept
     */
    public io.gateway.server.http.ReloadRoutes.Outcome reload(String trigger, String clientIp) {
        synchronized (reloading) {
            Generation running = current.get();
            GatewayConfig old = running.config();
            java.nio.file.Path file = old.source().orElseThrow(() -> GatewayException.invalidRequest(
                    "this gateway was not started from a configuration file, so there is nothing to reload", null));
            Generation next;
            try {
                GatewayConfig config = GatewayConfig.load(file, old.environment(), old.baseDir());
                next = build(config, running.version() + 1, shared, current::get);
                List<String> unknown = config.unreadKeys().stream()
                        .filter(key -> LIVE_KEYS.stream().anyMatch(live -> key.startsWith("gateway." + live)))
                        .toList();
                if (!unknown.isEmpty()) {
                    next.closeNow();
                    throw new StartupException("unknown key " + unknown.get(0)
                            + ": remove it or fix its spelling (docs/configuration.md lists every key)");
                }
            } catch (RuntimeException e) {
                reloadsFailed.incrementAndGet();
                String reason = e instanceof StartupException || e instanceof IllegalArgumentException
                        ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.log(System.Logger.Level.WARNING, "config reload (" + trigger + ") refused, configuration "
                        + running.version() + " keeps serving: " + reason);
                throw GatewayException.invalidRequest("the configuration was not reloaded: " + reason
                        + "; the running configuration (version " + running.version() + ") keeps serving", null);
            }
            List<String> restart = restartRequired(startup, next);
            current.set(next);
            running.retire();
            reloadsSucceeded.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "config reload (" + trigger + "): configuration " + next.version()
                    + " serves with providers " + next.providers().keySet()
                    + (restart.isEmpty() ? "" : "; these keep their values until a restart: " + restart));
            managedKeys.record("config.reload", file.getFileName().toString(), clientIp);
            return new io.gateway.server.http.ReloadRoutes.Outcome(next.version(), restart);
        }
    }

    /** A reload asked by the file watcher or SIGHUP: a failure is logged (by {@link #reload}), not thrown. */
    void reloadFromWatcher(String trigger) {
        try {
            reload(trigger, null);
        } catch (GatewayException e) {
            // logged in one line by reload; the running configuration keeps serving
        } catch (RuntimeException e) {
            reloadsFailed.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "config reload (" + trigger + ") failed unexpectedly: " + e);
        }
    }

    /**
     * Reloads on {@code SIGHUP}, as {@code POST /admin/reload} does.
     */
    public void reloadOnSignal() {
        reloadFromWatcher("SIGHUP");
    }

    /**
     * The keys whose value differs from start-up's but needs a restart: the {@code server} section,
     * {@link #RESTART_KEYS}, and the deployment names of the provider deployment-style routes go to.
     */
    private static List<String> restartRequired(Generation first, Generation next) {
        GatewayConfig old = first.config();
        List<String> keys = new ArrayList<>();
        io.gateway.server.config.ConfigNode oldServer = old.root().fields().get("server");
        io.gateway.server.config.ConfigNode newServer = next.config().root().fields().get("server");
        if (oldServer instanceof io.gateway.server.config.ConfigNode.ObjectNode before
                && newServer instanceof io.gateway.server.config.ConfigNode.ObjectNode after) {
            java.util.Set<String> names = new java.util.TreeSet<>(before.fields().keySet());
            names.addAll(after.fields().keySet());
            for (String name : names) {
                if (!java.util.Objects.equals(before.fields().get(name), after.fields().get(name))) {
                    keys.add("server." + name);
                }
            }
        } else if (!java.util.Objects.equals(oldServer, newServer)) {
            keys.add("server");
        }
        io.gateway.server.config.ConfigNode oldGateway = old.root().fields().get("gateway");
        io.gateway.server.config.ConfigNode newGateway = next.config().root().fields().get("gateway");
        for (String key : RESTART_KEYS) {
            if (!java.util.Objects.equals(child(oldGateway, key), child(newGateway, key))) {
                keys.add("gateway." + key);
            }
        }
        if (!java.util.Objects.equals(first.deploymentAliases(), next.deploymentAliases())) {
            // the deployment-style routes resolve names with the aliases read at start-up
            keys.add("gateway.providers." + deploymentProvider(next.config()) + " (its deployments)");
        }
        return keys;
    }

    private static io.gateway.server.config.ConfigNode child(io.gateway.server.config.ConfigNode node, String key) {
        return node instanceof io.gateway.server.config.ConfigNode.ObjectNode object ? object.fields().get(key) : null;
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

    /**
     * The virtual keys managed through the admin API, in the database of {@code gateway.logs} (off with
     * {@code store: none}), with their poll counters. Started before the middleware, which is lent their
     * directory.
     */
    private static ManagedKeys createManagedKeys(GatewayConfig config, Clock clock, GatewayMetrics metrics) {
        LogSettings settings;
        try {
            settings = LogSettings.read(config.gateway().block("logs").orElse(null), config::file);
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage());
        }
        ManagedKeys keys = ManagedKeys.start(settings, clock, Duration.ofSeconds(1), Duration.ofSeconds(10));
        if (keys.enabled()) {
            metrics.counter("gateway.virtual_keys.polls", "Polls of the managed virtual keys' version row",
                    keys::polls, "result", "ok");
            metrics.counter("gateway.virtual_keys.polls", "Polls of the managed virtual keys' version row",
                    keys::pollFailures, "result", "failed");
            metrics.counter("gateway.virtual_keys.reloads", "New versions of the managed virtual keys installed",
                    keys::reloads);
        }
        return keys;
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
                                         java.util.function.Supplier<Pricing> pricing) {
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
                                                     io.gateway.spi.PriceList prices,
                                                     io.gateway.spi.middleware.VirtualKeyDirectory virtualKeys,
                                                     Chain router) {
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
                        System.getLogger("gateway.plugin." + offered.plugin().id()), prices, virtualKeys, router);
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

    /**
     * The router as middleware may call it ({@code PluginContext.router()}): the router alone, without
     * the chain, run with the server's class loader as context loader; refused until the router exists.
     */
    private static Chain lentRouter(AtomicReference<Router> router) {
        ClassLoader server = GatewayServer.class.getClassLoader();
        return exchange -> {
            Router current = router.get();
            if (current == null) {
                throw new IllegalStateException("the router is lent to middleware once the gateway has started");
            }
            return PluginCalls.call(server, () -> current.route(exchange));
        };
    }

    /** Composes middleware around the terminal link; the first middleware is outermost. */
    static Chain compose(List<? extends Middleware> middleware, Chain terminal) {
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
        return current.get().router();
    }

    /**
     * The version of the configuration in use: 1 at start-up, one more per reload.
     *
     * @return the version
     */
    public long configVersion() {
        return current.get().version();
    }

    /** Stops the server and closes plugins and the store. */
    @Override
    public void close() {
        if (reloader != null) {
            reloader.close();
        }
        server.stop();
        headGuard.close();
        mcp.close();
        async.close();
        synchronized (reloading) {
            current.get().closeNow();
        }
        requestLog.close();
        managedKeys.close();
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
