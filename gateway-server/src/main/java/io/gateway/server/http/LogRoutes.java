package io.gateway.server.http;

import io.gateway.server.logs.LogJson;
import io.gateway.server.logs.LogQuery;
import io.gateway.server.logs.RequestLog;
import io.gateway.server.logs.StatsQuery;
import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import java.time.Clock;
import java.util.function.Function;

/**
 * The request log's admin routes, behind the admin token like the other admin routes:
 * {@code GET /admin/logs} (a page of entries, newest first, with filters and an opaque cursor),
 * {@code GET /admin/logs/{id}} (one entry with attempts and bodies) and {@code GET /admin/stats}
 * (totals per model, provider, virtual key, provider key, hour or day). The bodies are the log's JSON-B
 * documents ({@link LogJson}). Stateless; thread-safe.
 */
public final class LogRoutes {

    private final AdminRoutes admin;
    private final RequestLog log;
    private final Clock clock;

    /**
     * The routes.
     *
     * @param admin the admin routes, whose token guards these
     * @param log   the request log
     * @param clock the clock for the default period of the statistics
     */
    public LogRoutes(AdminRoutes admin, RequestLog log, Clock clock) {
        this.admin = admin;
        this.log = log;
        this.clock = clock;
    }

    /**
     * Registers the routes.
     *
     * @param routing the routing builder
     */
    public void register(HttpRouting.Builder routing) {
        routing.get("/admin/logs", (req, res) -> admin.guardedBytes(req, res,
                () -> LogJson.list(log.page(LogQuery.parse(params(req))))));
        routing.get("/admin/logs/{id}", (req, res) -> admin.guardedBytes(req, res,
                () -> LogJson.detail(log.find(req.path().pathParameters().get("id")))));
        routing.get("/admin/stats", (req, res) -> admin.guardedBytes(req, res,
                () -> LogJson.stats(log.stats(StatsQuery.parse(params(req), clock.millis())))));
    }

    private static Function<String, String> params(ServerRequest req) {
        UriQuery query = req.query();
        return name -> query.first(name).orElse(null);
    }
}
