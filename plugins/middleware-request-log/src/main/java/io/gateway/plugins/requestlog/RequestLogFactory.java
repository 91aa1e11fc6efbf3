package io.gateway.plugins.requestlog;

import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.middleware.MiddlewareFactory;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.toolkit.settings.HeaderNames;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads {@code level} ({@code INFO} or {@code DEBUG}, default {@code INFO}) and {@code include-headers}
 * (request header names whose values may appear in the line).
 *
 * <p>Headers that carry credentials ({@link HeaderNames#CREDENTIALS}) are refused here, at start-up, rather than filtered silently per
 * request: a configuration that asks to log a secret is a mistake the operator should hear about.
 */
final class RequestLogFactory implements MiddlewareFactory {

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
            // anything but an RFC 9110 token cannot be a header name, so it is a typo
            if (!HeaderNames.isValid(folded)) {
                throw config.invalid("include-headers", "'" + name + "' is not a header name");
            }
            if (HeaderNames.carriesCredentials(folded)) {
                throw config.invalid("include-headers", "'" + folded + "' carries credentials and is never logged;"
                        + " remove it");
            }
            headers.add(folded);
        }
        return new RequestLogMiddleware(context.logger(), level, List.copyOf(headers), System::nanoTime);
    }
}
