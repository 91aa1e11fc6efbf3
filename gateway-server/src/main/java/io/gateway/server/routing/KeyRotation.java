package io.gateway.server.routing;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Secret;
import io.gateway.spi.provider.ApiKey;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The keys one request may still use on one target: the weighted choice among the provider's keys
 * that allow the model, less those the upstream refused (dead) and, for the next attempt, those that
 * were rate limited. A key pinned with {@code x-bf-api-key} is the only choice. Keys whose value is
 * empty (their variable is unset) take no traffic while another allowed key has one. Used by one
 * request's thread only.
 */
final class KeyRotation {

    /** The key handed to providers configured without keys: an empty secret, so no credentials are sent. */
    static final ApiKey KEYLESS = ApiKey.of("none", Secret.empty());

    private final ProviderRuntime provider;
    private final String model;
    private final String pinned;
    private final Set<String> dead = new HashSet<>();
    private final Set<String> avoided = new HashSet<>();

    KeyRotation(ProviderRuntime provider, String model, String pinned) {
        this.provider = provider;
        this.model = model;
        this.pinned = pinned;
    }

    boolean pinned() {
        return pinned != null;
    }

    /**
     * The key for the next attempt.
     *
     * @return the key
     * @throws GatewayException 400 when no key allows the model or the pinned key is unknown, 401 when
     *                          the chosen key is empty, 502 when every allowed key was refused
     */
    ApiKey next() {
        WeightedKeySelector keys = provider.keys();
        if (keys.keys().isEmpty()) {
            return KEYLESS;
        }
        ApiKey key = pinned != null ? pinnedKey(keys) : chosenKey(keys);
        if (key.value().isEmpty()) {
            throw GatewayException.of(ErrorCode.AUTHENTICATION, "provider '" + provider.name()
                    + "' has no API key: " + provider.emptyKeyHints().getOrDefault(key.name(),
                    "key '" + key.name() + "' is empty"));
        }
        return key;
    }

    private ApiKey pinnedKey(WeightedKeySelector keys) {
        ApiKey key = keys.named(pinned);
        if (key == null) {
            throw GatewayException.invalidRequest("x-bf-api-key names key '" + pinned + "', which provider '"
                    + provider.name() + "' does not have; its keys: "
                    + String.join(", ", keys.keys().stream().map(ApiKey::name).toList()), "x-bf-api-key");
        }
        if (model != null && !key.allows(model)) {
            throw new GatewayException(ErrorCode.MODEL_NOT_ALLOWED, "key '" + key.name() + "' of provider '"
                    + provider.name() + "' does not allow model '" + model + "'", "model", null, null);
        }
        return key;
    }

    private ApiKey chosenKey(WeightedKeySelector keys) {
        Set<String> unusable = provider.emptyKeyHints().isEmpty() ? dead : union(dead,
                provider.emptyKeyHints().keySet());
        ApiKey key = keys.select(model, union(unusable, avoided), ThreadLocalRandom.current());
        if (key == null && !avoided.isEmpty()) {
            key = keys.select(model, unusable, ThreadLocalRandom.current());
        }
        if (key == null && unusable != dead) {
            key = keys.select(model, dead, ThreadLocalRandom.current());
        }
        if (key == null) {
            if (!dead.isEmpty()) {
                throw GatewayException.of(ErrorCode.CREDENTIALS_EXHAUSTED, "every key of provider '"
                        + provider.name() + "' that allows model '" + model + "' was rejected by the provider");
            }
            throw new GatewayException(ErrorCode.MODEL_NOT_ALLOWED, "no key of provider '" + provider.name()
                    + "' allows model '" + model + "'; add it to a key's models list", "model", null, null);
        }
        return key;
    }

    /**
     * Takes a key the upstream refused out of this request.
     *
     * @param key     the key
     * @param refusal the upstream's refusal
     * @throws GatewayException when no other key can be tried: the refusal itself for a pinned or single
     *                          key, 502 {@code upstream_credentials_exhausted} when several were refused
     */
    void refused(ApiKey key, GatewayException refusal) {
        dead.add(key.name());
        if (pinned != null || provider.keys().select(model, dead, ThreadLocalRandom.current()) == null) {
            if (provider.keys().keys().size() > 1 && pinned == null) {
                throw new GatewayException(ErrorCode.CREDENTIALS_EXHAUSTED, "every key of provider '"
                        + provider.name() + "' that allows model '" + model
                        + "' was rejected by the provider (last: HTTP " + refusal.status() + " " + refusal.getMessage()
                        + "); check the keys", null, refusal.headers(), null);
            }
            throw refusal;
        }
    }

    /**
     * Prefers other keys than this one for the next attempt (after a 429); when there is no other,
     * every allowed key is used again.
     *
     * @param key the key
     */
    void avoid(ApiKey key) {
        avoided.add(key.name());
        if (provider.keys().select(model, union(dead, avoided), ThreadLocalRandom.current()) == null) {
            avoided.clear();
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        if (b.isEmpty()) {
            return a;
        }
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
