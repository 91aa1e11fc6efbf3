package io.gateway.plugins.governance;

import io.gateway.spi.middleware.MiddlewareFactory;
import io.gateway.spi.Plugin;
import io.gateway.spi.SpiVersion;
import java.util.List;

/**
 * Offers the {@code governance} middleware: virtual keys handed to applications instead of provider
 * keys, each with its allowed models, request and token rate limits and a calendar budget.
 */
public final class GovernancePlugin implements Plugin {

    /** Required by {@link java.util.ServiceLoader}; does no work so discovery stays cheap. */
    public GovernancePlugin() {
    }

    @Override
    public String id() {
        return "middleware-governance";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<MiddlewareFactory> middlewareFactories() {
        return List.of(new GovernanceFactory());
    }
}
