package io.gateway.server.routing;

import io.gateway.server.config.ConfigBlock;
import io.gateway.server.config.ConfigNode;
import io.gateway.server.config.ReadTracker;
import io.gateway.spi.ApiKey;
import io.gateway.spi.Secret;
import java.util.List;

/**
 * The key handed to providers configured without {@code keys} (local OpenAI-compatible servers,
 * the mock): an empty secret, so the provider sends no credentials.
 */
final class KeylessProvider {

    /** The key of keyless providers. */
    static final ApiKey KEY = new ApiKey("none", Secret.empty(), 1.0, List.of("*"),
            new ConfigBlock("gateway.providers.keys", "none", ConfigNode.EMPTY, new ReadTracker()));

    private KeylessProvider() {
    }
}
