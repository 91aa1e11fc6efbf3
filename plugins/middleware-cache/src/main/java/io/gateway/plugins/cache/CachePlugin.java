package io.gateway.plugins.cache;

import io.gateway.spi.Plugin;
import io.gateway.spi.SpiVersion;
import io.gateway.spi.middleware.MiddlewareFactory;
import java.util.List;

/**
 * Offers the {@code cache} middleware: answers a request that was answered before from the shared state
 * store, without an upstream call, exactly or by meaning. Stateless and thread-safe.
 */
public final class CachePlugin implements Plugin {

    /** Required by {@link java.util.ServiceLoader}; does no work so discovery stays cheap. */
    public CachePlugin() {
    }

    @Override
    public String id() {
        return "middleware-cache";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<MiddlewareFactory> middlewareFactories() {
        return List.of(new CacheFactory());
    }
}
