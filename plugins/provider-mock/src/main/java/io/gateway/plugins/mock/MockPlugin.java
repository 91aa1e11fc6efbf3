package io.gateway.plugins.mock;

import io.gateway.spi.Plugin;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import java.util.List;

/**
 * Offers the {@code mock} provider type: a provider that needs no network and no key, so the gateway's
 * routing, middleware, streaming and error handling can be tested, demonstrated and load-tested on
 * their own.
 *
 * <p>Everything the mock answers is derived from the request (and the context clock for timestamps),
 * so the same request always gets the same answer. A model named {@code error-NNN} makes it fail with
 * HTTP status {@code NNN}; see {@link MockProvider} for the details and the configuration keys.
 */
public final class MockPlugin implements Plugin {

    /** Required by {@link java.util.ServiceLoader}; does no work so discovery stays cheap. */
    public MockPlugin() {
    }

    @Override
    public String id() {
        return "provider-mock";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<ProviderFactory> providerFactories() {
        return List.of(new MockProviderFactory());
    }
}
