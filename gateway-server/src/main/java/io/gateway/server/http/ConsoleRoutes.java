package io.gateway.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web console at {@code /ui/}: static files (HTML, ES modules, CSS, SVG) that ship inside the
 * server's jar under {@value #ROOT}, so the console works offline with nothing to install, and
 * {@code /ui/status.json}, whether the admin API and the request log are on. The files
 * talk to the admin API with the admin token the user types in; serving them needs no token, since
 * they hold no data. Names are restricted to plain paths (letters, digits, {@code -}, {@code _},
 * {@code .} and folders), every answer carries a strict Content-Security-Policy (only this origin, no
 * inline script), and files are read once and kept in memory. Thread-safe.
 */
public final class ConsoleRoutes {

    /** Where the console's files are on the class path. */
    static final String ROOT = "io/gateway/server/console/";

    private static final Pattern NAME = Pattern.compile("(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9]+)+");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final ClassLoader loader = ConsoleRoutes.class.getClassLoader();
    private final byte[] status;

    /**
     * The console's routes.
     *
     * @param adminApi   whether the admin API answers (an admin token is configured)
     * @param requestLog whether requests are recorded
     */
    public ConsoleRoutes(boolean adminApi, boolean requestLog) {
        // what the console asks before anything else, so that it can say how to turn the admin API on
        // without a failed request in the browser's console; it tells no more than the admin routes'
        // own 401 or 404 would
        this.status = ("{\"admin_api\":" + adminApi + ",\"request_log\":" + requestLog + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    /** The files read so far; a name that is not a file is not remembered, so the map stays as small as the console. */
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    /**
     * Registers {@code /ui} (a redirect), {@code /ui/} (the page) and the files below it.
     *
     * @param routing the routing builder
     */
    public void register(HttpRouting.Builder routing) {
        routing.get("/ui", (req, res) -> {
            res.status(Status.MOVED_PERMANENTLY_301);
            res.header(HeaderNames.LOCATION, "/ui/");
            res.send();
        });
        routing.get("/ui/status.json", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.send(status);
        });
        routing.get("/ui/*", this::serve);
    }

    private void serve(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        String name = path.length() <= "/ui/".length() ? "index.html" : path.substring("/ui/".length());
        byte[] bytes = NAME.matcher(name).matches() ? file(name) : null;
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        if (bytes == null) {
            res.status(Status.NOT_FOUND_404);
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.send(("no console file " + name + "; the console starts at /ui/\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        String extension = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        res.header(HeaderNames.CONTENT_TYPE, TYPES.getOrDefault(extension, "application/octet-stream"));
        // the files change with the gateway's version: always revalidate, never serve a stale module
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("Content-Security-Policy"), CSP);
        res.header(HeaderNames.create("X-Frame-Options"), "DENY");
        res.send(bytes);
    }

    private byte[] file(String name) {
        byte[] cached = files.get(name);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readAllBytes();
            files.put(name, bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
