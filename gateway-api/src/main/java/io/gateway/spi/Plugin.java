package io.gateway.spi;

import io.gateway.spi.middleware.MiddlewareFactory;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.state.StateStoreFactory;
import java.util.List;

/**
 * The single {@link java.util.ServiceLoader} entry point of a plugin jar.
 *
 * <p>A plugin jar lists its implementation in {@code META-INF/services/io.gateway.spi.Plugin}. The
 * server instantiates it once, in the plugin's own class loader, and asks it for factories. Every
 * kind of extension is a default method returning an empty list, so a plugin implements only what
 * it offers, and a new kind of extension can be added to the SPI without breaking old plugins.
 *
 * <p>Implementations need a public no-argument constructor and must be cheap to construct: real
 * work belongs in the factories' {@code create} methods.
 */
public interface Plugin {

    /**
     * A short, stable identifier for logs and {@code /admin/plugins}, e.g. {@code provider-openai}.
     *
     * @return the plugin id, never {@code null}
     */
    String id();

    /**
     * The SPI major version this plugin was compiled against. Implement it as
     * {@code return SpiVersion.MAJOR;} so the compiler records the value in your class.
     *
     * @return the SPI major version
     */
    int spiVersion();

    /**
     * Provider factories this plugin offers, each with a distinct {@link ProviderFactory#type()}.
     *
     * @return factories, never {@code null}
     */
    default List<ProviderFactory> providerFactories() {
        return List.of();
    }

    /**
     * Middleware factories this plugin offers, each with a distinct {@link MiddlewareFactory#type()}.
     *
     * @return factories, never {@code null}
     */
    default List<MiddlewareFactory> middlewareFactories() {
        return List.of();
    }

    /**
     * Shared-state back ends this plugin offers (for example Redis), each with a distinct type.
     *
     * @return factories, never {@code null}
     */
    default List<StateStoreFactory> stateStoreFactories() {
        return List.of();
    }
}
