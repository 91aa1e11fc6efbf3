package io.gateway.spi;

import java.util.List;
import java.util.Objects;

/**
 * One configured provider key ({@code gateway.providers.NAME.keys[i]}).
 *
 * @param name   the key's name, used in logs, metrics and {@code x-bf-api-key} pinning
 * @param value  the secret; empty when its environment variable is unset
 * @param weight relative share of traffic, &gt; 0
 * @param models model names this key may serve; {@code "*"} allows every model
 * @param config the key's whole configuration block, for provider-specific settings
 *               (for example Azure deployments)
 */
public record ApiKey(String name, Secret value, double weight, List<String> models, PluginConfig config) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException for a blank name or a non-positive weight
     */
    public ApiKey {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("key name must not be blank");
        }
        Objects.requireNonNull(value, "value");
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("key weight must be a positive number, was " + weight);
        }
        models = models == null || models.isEmpty() ? List.of("*") : List.copyOf(models);
        Objects.requireNonNull(config, "config");
    }

    /**
     * Whether this key may serve a model: an exact name in {@link #models()}, or {@code "*"}.
     *
     * @param model the bare model name
     * @return {@code true} if allowed
     */
    public boolean allows(String model) {
        for (String allowed : models) {
            if (allowed.equals("*") || allowed.equals(model)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Never shows the value.
     *
     * @return name and weight
     */
    @Override
    public String toString() {
        return "ApiKey[" + name + ", weight=" + weight + "]";
    }
}
