package io.gateway.server;

import io.gateway.spi.Chain;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Middleware;
import io.gateway.spi.Response;

/**
 * Runs a plugin's middleware with the plugin's class loader as context loader; the rest of the
 * chain runs with whatever loader was current before.
 */
final class PluginMiddleware implements Middleware {

    private final Middleware delegate;
    private final ClassLoader classLoader;

    PluginMiddleware(Middleware delegate, ClassLoader classLoader) {
        this.delegate = delegate;
        this.classLoader = classLoader;
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
        try {
            Response response = delegate.handle(exchange, inner -> {
                thread.setContextClassLoader(previous);
                try {
                    return chain.proceed(inner);
                } finally {
                    thread.setContextClassLoader(classLoader);
                }
            });
            if (response == null) {
                throw GatewayException.of(ErrorCode.INTERNAL, "a middleware returned no response");
            }
            return response;
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new GatewayException(ErrorCode.INTERNAL, "a middleware failed unexpectedly; see the gateway log",
                    null, null, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * The plugin's usage report, if its middleware offers one.
     *
     * @return the reporter, run in the plugin's class loader context
     */
    java.util.Optional<io.gateway.spi.UsageReporter> reporter() {
        if (!(delegate instanceof io.gateway.spi.UsageReporter reporter)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new io.gateway.spi.UsageReporter() {
            @Override
            public String reportName() {
                return reporter.reportName();
            }

            @Override
            public jakarta.json.JsonObject usage() {
                Thread thread = Thread.currentThread();
                ClassLoader previous = thread.getContextClassLoader();
                thread.setContextClassLoader(classLoader);
                try {
                    return reporter.usage();
                } finally {
                    thread.setContextClassLoader(previous);
                }
            }
        });
    }

    @Override
    public void close() {
        delegate.close();
    }
}
