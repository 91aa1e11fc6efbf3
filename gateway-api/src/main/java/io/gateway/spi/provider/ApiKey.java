package io.gateway.spi.provider;

import io.gateway.spi.Secret;
import java.util.List;
import java.util.Objects;

/**
 * One configured provider key ({@code gateway.providers.NAME.keys[i]}), as the router hands it to a
 * call. Settings of its own that a provider needs (an Azure resource's deployments, a region) are
 * read from the key's block in the factory's {@code create} and looked up by {@link #name()}.
 *
 * @param name   the key's name, unique within the provider; used in logs, metrics and
 *               {@code x-bf-api-key} pinning
 * @param value  the secret; empty when its environment variable is unset or the provider is keyless
 * @param weight relative share of traffic, &gt; 0
 * @param models model names this key may serve; {@code "*"} allows every model
 */
public record ApiKey(String name, Secret value, double weight, List<String> models) {

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
    }

    /**
     * A key with a name and a value that serves every model.
     *
     * @param name  the name
     * @param value the secret
     * @return the key
     */
    public static ApiKey of(String name, Secret value) {
        return new ApiKey(name, value, 1.0, List.of("*"));
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
