package io.gateway.plugins.requestlog;

import io.gateway.spi.middleware.MiddlewareFactory;
import io.gateway.spi.Plugin;
import io.gateway.spi.SpiVersion;
import java.util.List;

/**
 * Offers the {@code request-log} middleware: one structured line per request, so operators can see
 * traffic, latency, failures and token use per provider and model without logging any content.
 */
public final class RequestLogPlugin implements Plugin {

    /** Required by {@link java.util.ServiceLoader}; does no work so discovery stays cheap. */
    public RequestLogPlugin() {
    }

    @Override
    public String id() {
        return "middleware-request-log";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<MiddlewareFactory> middlewareFactories() {
        return List.of(new RequestLogFactory());
    }
}
