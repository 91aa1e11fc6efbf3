package io.gateway.server.http;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.state.StateStore;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Health probes: {@code /health} and {@code /health/live} answer 200 while the process serves;
 * {@code /health/ready} answers 200 when the gateway can serve requests (plugins loaded, providers
 * created — both true once it listens — and the state store answering) and 503 naming the failing
 * check otherwise. The store is asked at most once a second, however often the probe comes.
 */
public final class HealthRoutes {

    private static final long STORE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final String PROBE_KEY = "health:probe";

    private final StateStore store;
    private final int plugins;
    private final int providers;
    private final java.util.function.Supplier<JsonObject> mcp;
    private volatile long checkedAt;
    private volatile String storeProblem;
    private final Object checking = new Object();

    /**
     * The probes.
     *
     * @param store     the state store
     * @param plugins   loaded plugins
     * @param providers created providers
     */
    public HealthRoutes(StateStore store, int plugins, int providers) {
        this(store, plugins, providers, null);
    }

    /**
     * The probes, with the MCP tool servers' states in the readiness check. A tool server that is down
     * does not make the gateway unready: its other routes serve, and the server's tools come back with it.
     *
     * @param store     the state store
     * @param plugins   loaded plugins
     * @param providers created providers
     * @param mcp       the MCP check ({@code {"status", "servers"}}), or {@code null} without tool servers
     */
    public HealthRoutes(StateStore store, int plugins, int providers, java.util.function.Supplier<JsonObject> mcp) {
        this.mcp = mcp;
        this.store = store;
        this.plugins = plugins;
        this.providers = providers;
        this.checkedAt = System.nanoTime() - 2 * STORE_CHECK_NANOS;
    }

    /**
     * Registers the routes.
     *
     * @param routing the routing builder
     */
    public void register(HttpRouting.Builder routing) {
        routing.get("/health", (req, res) -> send(res, Status.OK_200, "{\"status\":\"ok\"}"));
        routing.get("/health/live", (req, res) -> send(res, Status.OK_200, "{\"status\":\"up\"}"));
        routing.get("/health/ready", (req, res) -> ready(res));
    }

    private void ready(ServerResponse res) {
        String problem = storeProblem();
        JsonObjectBuilder checks = JsonBodies.provider().createObjectBuilder()
                .add("plugins", JsonBodies.provider().createObjectBuilder().add("status", "up").add("loaded", plugins))
                .add("providers", JsonBodies.provider().createObjectBuilder().add("status", "up")
                        .add("created", providers));
        JsonObjectBuilder state = JsonBodies.provider().createObjectBuilder().add("status", problem == null ? "up"
                : "down");
        if (problem != null) {
            state.add("error", problem);
        }
        checks.add("state_store", state);
        if (mcp != null) {
            checks.add("mcp", mcp.get());
        }
        String body = JsonBodies.provider().createObjectBuilder()
                .add("status", problem == null ? "up" : "down")
                .add("checks", checks)
                .build().toString();
        send(res, problem == null ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, body);
    }

    /** The store's state, asked at most once a second. */
    private String storeProblem() {
        if (System.nanoTime() - checkedAt < STORE_CHECK_NANOS) {
            return storeProblem;
        }
        synchronized (checking) {
            if (System.nanoTime() - checkedAt < STORE_CHECK_NANOS) {
                return storeProblem;
            }
            String problem;
            try {
                store.get(PROBE_KEY);
                problem = null;
            } catch (GatewayException e) {
                problem = e.getMessage();
            } catch (RuntimeException e) {
                problem = "the state store failed: " + e.getClass().getSimpleName();
            }
            storeProblem = problem;
            checkedAt = System.nanoTime();
            return problem;
        }
    }

    private static void send(ServerResponse res, Status status, String json) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(json.getBytes(StandardCharsets.UTF_8));
    }
}
