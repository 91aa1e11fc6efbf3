package io.gateway.server.plugin;

import io.gateway.server.core.PluginCalls;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.middleware.UsageReport;
import jakarta.json.JsonObject;
import java.util.Optional;

/**
 * Runs a plugin's middleware with the plugin's class loader as context loader; the rest of the
 * chain runs with whatever loader was current before. Failures other than {@link GatewayException}
 * become 500s.
 */
public final class PluginMiddleware implements Middleware {

    private final Middleware delegate;
    private final ClassLoader classLoader;
    private final Optional<UsageReport> report;

    /**
     * Wraps a plugin's middleware; asks it for its usage report once.
     *
     * @param delegate    the middleware
     * @param classLoader its plugin's class loader
     */
    public PluginMiddleware(Middleware delegate, ClassLoader classLoader) {
        this.delegate = delegate;
        this.classLoader = classLoader;
        Optional<UsageReport> offered = PluginCalls.call(classLoader, delegate::usageReport);
        this.report = offered == null ? Optional.empty() : offered.map(r -> new UsageReport() {
            private final String name = PluginCalls.call(classLoader, r::name);

            @Override
            public String name() {
                return name;
            }

            @Override
            public JsonObject usage() {
                return PluginCalls.call(classLoader, r::usage);
            }
        });
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try {
            Response response = PluginCalls.call(classLoader, () -> delegate.handle(exchange,
                    inner -> PluginCalls.call(previous, () -> chain.proceed(inner))));
            if (response == null) {
                throw GatewayException.of(ErrorCode.INTERNAL, "a middleware returned no response");
            }
            return response;
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new GatewayException(ErrorCode.INTERNAL, "a middleware failed unexpectedly; see the gateway log",
                    null, null, e);
        }
    }

    @Override
    public Optional<UsageReport> usageReport() {
        return report;
    }

    @Override
    public void close() {
        PluginCalls.run(classLoader, delegate::close);
    }
}
