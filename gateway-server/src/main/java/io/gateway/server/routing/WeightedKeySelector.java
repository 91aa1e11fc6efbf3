package io.gateway.server.routing;

import io.gateway.spi.provider.ApiKey;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Picks a provider key at random in proportion to the weights of the keys whose {@code models}
 * allow the requested model, skipping keys already found dead in this request.
 */
public final class WeightedKeySelector {

    private final List<ApiKey> keys;

    /**
     * A selector over a provider's keys.
     *
     * @param keys the keys, in configuration order
     */
    public WeightedKeySelector(List<ApiKey> keys) {
        this.keys = List.copyOf(keys);
    }

    /**
     * The configured keys.
     *
     * @return the keys
     */
    public List<ApiKey> keys() {
        return keys;
    }

    /**
     * Whether any key allows the model.
     *
     * @param model the bare model name
     * @return {@code true} if some key allows it
     */
    public boolean anyAllows(String model) {
        for (ApiKey key : keys) {
            if (key.allows(model)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Picks a key.
     *
     * @param model    the bare model name, or {@code null} for requests that name none (files, batches):
     *                 every key may serve them
     * @param excluded names of keys not to pick (dead or just rate limited)
     * @param random   the random source
     * @return a key, or {@code null} when no allowed key is left
     */
    public ApiKey select(String model, Set<String> excluded, RandomGenerator random) {
        double total = 0;
        for (ApiKey key : keys) {
            if (allows(key, model) && !excluded.contains(key.name())) {
                total += key.weight();
            }
        }
        if (total <= 0) {
            return null;
        }
        double point = random.nextDouble() * total;
        ApiKey last = null;
        for (ApiKey key : keys) {
            if (allows(key, model) && !excluded.contains(key.name())) {
                point -= key.weight();
                last = key;
                if (point < 0) {
                    return key;
                }
            }
        }
        return last;
    }

    /**
     * A key by name.
     *
     * @param name the name
     * @return the key, or {@code null}
     */
    public ApiKey named(String name) {
        for (ApiKey key : keys) {
            if (key.name().equals(name)) {
                return key;
            }
        }
        return null;
    }

    private static boolean allows(ApiKey key, String model) {
        return model == null || key.allows(model);
    }
}
