package io.gateway.plugins.redis;

import io.gateway.spi.Plugin;
import io.gateway.spi.SpiVersion;
import io.gateway.spi.state.StateStoreFactory;
import java.util.List;

/**
 * State store plugin for Redis: {@code gateway.state.type: redis} keeps async jobs, rate-limit and
 * budget counters and cache entries in one Redis, shared by every replica of the gateway.
 */
public final class RedisPlugin implements Plugin {

    /** Creates the plugin; the server calls this through {@link java.util.ServiceLoader}. */
    public RedisPlugin() {
    }

    @Override
    public String id() {
        return "store-redis";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.MAJOR;
    }

    @Override
    public List<StateStoreFactory> stateStoreFactories() {
        return List.of(new RedisStateStoreFactory());
    }
}
