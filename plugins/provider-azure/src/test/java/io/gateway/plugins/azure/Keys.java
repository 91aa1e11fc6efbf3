package io.gateway.plugins.azure;

import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.Secret;
import java.util.List;
import java.util.Map;

/** Keys for tests that do not go through {@link Harness}. */
final class Keys {

    private Keys() {
    }

    /**
     * The key the server hands to providers configured without keys: named {@code none}, empty
     * secret, empty configuration.
     *
     * @return the key
     */
    static ApiKey keyless() {
        return new ApiKey("none", Secret.empty(), 1.0, List.of("*"));
    }

    /**
     * A key outside any provider configuration, with its own block.
     *
     * @param name   the key name
     * @param value  the secret
     * @param config the key's block
     * @return the key
     */
    static ApiKey of(String name, String value, Map<String, ?> config) {
        return new ApiKey(name, Secret.of(value), 1.0, List.of("*"));
    }
}
