package io.gateway.plugins.requestlog;

import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.middleware.MiddlewareFactory;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code level} ({@code INFO} or {@code DEBUG}, default {@code INFO}) and {@code include-headers}
 * (request header names whose values may appear in the line).
 *
 * <p>Headers that carry credentials are refused here, at start-up, rather than filtered silently per
 * request: a configuration that asks to log a secret is a mistake the operator should hear about.
 */
final class RequestLogFactory implements MiddlewareFactory {

    /** Request headers that carry credentials in the clients and SDKs the gateway serves. */
    static final Set<String> SECRET_HEADERS = Set.of(
            "authorization", "proxy-authorization", "api-key", "x-api-key", "x-bf-vk", "cookie");

    /** RFC 9110 token characters: anything else cannot be a header name, so it is a typo. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    @Override
    public String type() {
        return "request-log";
    }

    @Override
    public Middleware create(PluginConfig config, PluginContext context) {
        System.Logger.Level level = switch (config.string("level", "INFO").trim().toUpperCase(Locale.ROOT)) {
            case "INFO" -> System.Logger.Level.INFO;
            case "DEBUG" -> System.Logger.Level.DEBUG;
            default -> throw config.invalid("level", "must be INFO or DEBUG");
        };
        Set<String> headers = new LinkedHashSet<>();
        for (String name : config.strings("include-headers")) {
            String folded = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
            if (!HEADER_NAME.matcher(folded).matches()) {
                throw config.invalid("include-headers", "'" + name + "' is not a header name");
            }
            if (SECRET_HEADERS.contains(folded)) {
                throw config.invalid("include-headers", "'" + folded + "' carries credentials and is never logged;"
                        + " remove it");
            }
            headers.add(folded);
        }
        return new RequestLogMiddleware(context.logger(), level, List.copyOf(headers), System::nanoTime);
    }
}
