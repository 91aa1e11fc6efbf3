package io.gateway.server.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The request body limit of each route: {@code gateway.max-request-body} for every route, except those
 * with a limit of their own ({@code gateway.max-request-body-by-route}, over the defaults below, which
 * follow OpenAI's own limits: audio uploads 25 MB, image uploads 50 MB, files 512 MB). Only routes
 * whose bodies are streamed or spooled may have a limit above the global one worth having; a JSON
 * body is held whole. Immutable and thread-safe.
 */
public final class BodyLimits {

    /** The route paths (below a prefix) that may be named, each with its default limit. */
    static final Map<String, Long> DEFAULTS;

    static {
        Map<String, Long> defaults = new LinkedHashMap<>();
        defaults.put("audio/transcriptions", 25L * 1024 * 1024);
        defaults.put("audio/translations", 25L * 1024 * 1024);
        defaults.put("images/edits", 50L * 1024 * 1024);
        defaults.put("images/variations", 50L * 1024 * 1024);
        defaults.put("files", 512L * 1024 * 1024);
        DEFAULTS = java.util.Collections.unmodifiableMap(defaults);
    }

    /** Routes with a JSON body that may still be given a limit of their own (held whole: keep it small). */
    private static final Set<String> JSON_ROUTES = Set.of("audio/speech", "batches", "moderations");

    private final long fallback;
    private final Map<String, Long> limits;

    private BodyLimits(long fallback, Map<String, Long> limits) {
        this.fallback = fallback;
        this.limits = Map.copyOf(limits);
    }

    /**
     * The defaults, with {@code maxRequestBody} for every other route.
     *
     * @param maxRequestBody {@code gateway.max-request-body}
     * @return the limits
     */
    public static BodyLimits defaults(long maxRequestBody) {
        return new BodyLimits(maxRequestBody, DEFAULTS);
    }

    /**
     * The defaults with configured limits over them.
     *
     * @param maxRequestBody {@code gateway.max-request-body}
     * @param configured     {@code gateway.max-request-body-by-route}: route path to bytes
     * @return the limits
     * @throws IllegalArgumentException naming a route that cannot be given a limit
     */
    public static BodyLimits of(long maxRequestBody, Map<String, Long> configured) {
        Map<String, Long> limits = new LinkedHashMap<>(DEFAULTS);
        for (Map.Entry<String, Long> entry : configured.entrySet()) {
            String route = entry.getKey();
            if (!DEFAULTS.containsKey(route) && !JSON_ROUTES.contains(route)) {
                throw new IllegalArgumentException("gateway.max-request-body-by-route." + route + ": not a route with "
                        + "a limit of its own; name one of " + String.join(", ", DEFAULTS.keySet()) + ", "
                        + String.join(", ", JSON_ROUTES.stream().sorted().toList())
                        + " (every other route has gateway.max-request-body)");
            }
            limits.put(route, entry.getValue());
        }
        return new BodyLimits(maxRequestBody, limits);
    }

    /**
     * The limit of a route.
     *
     * @param route the route's path below the prefix, e.g. {@code audio/transcriptions}
     * @return bytes
     */
    public long of(String route) {
        Long limit = limits.get(route);
        return limit != null ? limit : fallback;
    }

    @Override
    public String toString() {
        return "BodyLimits[default " + fallback + ", " + limits + "]";
    }
}
