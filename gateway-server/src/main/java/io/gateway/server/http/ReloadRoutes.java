package io.gateway.server.http;

import io.gateway.spi.JsonBodies;
import io.helidon.webserver.http.HttpRouting;
import jakarta.json.JsonArrayBuilder;
import java.util.List;

/**
 * {@code POST /admin/reload}, behind the admin token: reloads the configuration file at once and
 * answers {@code {"reloaded": true, "version": n, "restart_required": [keys]}}, or 400 with the error
 * envelope naming the first problem (the running configuration then keeps serving). Stateless.
 */
public final class ReloadRoutes {

    /** What reloads the configuration; the server's. */
    @FunctionalInterface
    public interface Reloader {
        /**
         * Reloads.
         *
         * @param clientIp the admin's address, for the audit trail
         * @return what the reload did
         * @throws io.gateway.spi.GatewayException 400 naming the problem when the new configuration is refused
         */
        Outcome reload(String clientIp);
    }

    /**
     * A reload that succeeded.
     *
     * @param version         the version of the configuration now in use
     * @param restartRequired the keys whose new values wait for a restart
     */
    public record Outcome(long version, List<String> restartRequired) {

        /** Copies the list. */
        public Outcome {
            restartRequired = List.copyOf(restartRequired);
        }
    }

    private final AdminRoutes admin;
    private final Reloader reloader;

    /**
     * The route.
     *
     * @param admin    the admin routes, whose token guards it
     * @param reloader what reloads
     */
    public ReloadRoutes(AdminRoutes admin, Reloader reloader) {
        this.admin = admin;
        this.reloader = reloader;
    }

    /**
     * Registers the route.
     *
     * @param routing the routing builder
     */
    public void register(HttpRouting.Builder routing) {
        routing.post("/admin/reload", (req, res) -> admin.guardedBytes(req, res, () -> {
            Outcome outcome = reloader.reload(KeyRoutes.clientIp(req));
            JsonArrayBuilder keys = JsonBodies.provider().createArrayBuilder();
            outcome.restartRequired().forEach(keys::add);
            return JsonBodies.toBytes(JsonBodies.provider().createObjectBuilder()
                    .add("reloaded", true)
                    .add("version", outcome.version())
                    .add("restart_required", keys)
                    .build());
        }));
    }
}
