package io.gateway.server.http;

import io.gateway.server.keys.FileKeys;
import io.gateway.server.keys.ManagedKeys;
import io.gateway.spi.middleware.UsageReport;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * The admin routes of virtual keys managed at run time and of the audit trail, behind the admin token
 * like the other admin routes: {@code GET|POST /admin/virtual-keys}, {@code GET|PATCH|DELETE
 * /admin/virtual-keys/{name}}, {@code POST /admin/virtual-keys/{name}/rotate}, {@code GET /admin/audit}.
 * Bodies are read (64 KB at most) only once the caller is authorised. Stateless; thread-safe.
 */
public final class KeyRoutes {

    private static final long MAX_BODY = 64 * 1024;

    private final AdminRoutes admin;
    private final ManagedKeys keys;
    private final Supplier<FileKeys> files;
    private final Supplier<List<UsageReport>> reports;

    /**
     * The routes.
     *
     * @param admin   the admin routes, whose token guards these
     * @param keys    the managed keys
     * @param files   the keys of the configuration in use (it may be reloaded)
     * @param reports the usage reports of the middleware in use
     */
    public KeyRoutes(AdminRoutes admin, ManagedKeys keys, Supplier<FileKeys> files,
                     Supplier<List<UsageReport>> reports) {
        this.admin = admin;
        this.keys = keys;
        this.files = files;
        this.reports = reports;
    }

    /**
     * Registers the routes.
     *
     * @param routing the routing builder
     */
    public void register(HttpRouting.Builder routing) {
        routing.get("/admin/virtual-keys", (req, res) -> admin.guardedBytes(req, res,
                () -> keys.list(files.get(), reports.get())));
        routing.post("/admin/virtual-keys", (req, res) -> admin.guardedAnswer(req, res,
                () -> new AdminRoutes.Answer(201, keys.create(body(req, true), files.get(), clientIp(req)))));
        routing.get("/admin/virtual-keys/{name}", (req, res) -> admin.guardedBytes(req, res,
                () -> keys.get(name(req), files.get(), reports.get())));
        routing.patch("/admin/virtual-keys/{name}", (req, res) -> admin.guardedBytes(req, res,
                () -> keys.update(name(req), body(req, true), files.get(), reports.get(), clientIp(req))));
        routing.post("/admin/virtual-keys/{name}/rotate", (req, res) -> admin.guardedBytes(req, res,
                () -> keys.rotate(name(req), body(req, false), files.get(), clientIp(req))));
        routing.delete("/admin/virtual-keys/{name}", (req, res) -> admin.guardedAnswer(req, res, () -> {
            keys.delete(name(req), files.get(), clientIp(req));
            return new AdminRoutes.Answer(204, null);
        }));
        routing.get("/admin/audit", (req, res) -> admin.guardedBytes(req, res,
                () -> keys.audit(req.query().first("limit").orElse(null), req.query().first("before").orElse(null))));
    }

    private static String name(ServerRequest req) {
        return req.path().pathParameters().get("name");
    }

    /** The request's JSON object; an empty body is {@code {}} where the body is optional. */
    private static JsonObject body(ServerRequest req, boolean required) {
        byte[] bytes;
        try {
            bytes = RequestBodies.read(req.content().inputStream(), req.headers().contentLength().orElse(-1), MAX_BODY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length == 0 && !required) {
            return jakarta.json.JsonValue.EMPTY_JSON_OBJECT;
        }
        return RequestBodies.parse(bytes);
    }

    /**
     * The admin's address for the audit trail: the peer's IP, without the port.
     *
     * @param req the request
     * @return the address, or {@code null}
     */
    static String clientIp(ServerRequest req) {
        SocketAddress address = req.remotePeer().address();
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return address == null ? null : address.toString();
    }
}
