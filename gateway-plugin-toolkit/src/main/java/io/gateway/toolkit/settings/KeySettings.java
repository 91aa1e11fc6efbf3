package io.gateway.toolkit.settings;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.provider.ApiKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Settings a provider keeps per key (an Azure key's deployments, a key's region), read once from each
 * block of {@code keys} in the factory's {@code create} and looked up by the attempt's key name at call
 * time: {@link ApiKey} carries no configuration of its own. A key block without {@code name} is named
 * {@code key-INDEX}, as the server names it. Immutable and thread-safe once built.
 *
 * @param <T> what a key's settings are read into
 */
public final class KeySettings<T> {

    private final Map<String, T> byName;

    private KeySettings(Map<String, T> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /**
     * Reads every key block. The server reads {@code name}, {@code value}, {@code weight} and
     * {@code models} itself; the reader reads the provider's own keys of the block, throwing
     * {@link PluginConfig#invalid} for bad values.
     *
     * @param config the provider's block
     * @param reader reads one key block; returns {@code null} when the key has no settings of its own
     * @param <T>    the settings type
     * @return the settings by key name
     */
    public static <T> KeySettings<T> read(PluginConfig config, Function<PluginConfig, T> reader) {
        Objects.requireNonNull(reader, "reader");
        Map<String, T> byName = new LinkedHashMap<>();
        List<PluginConfig> keys = config.children("keys");
        for (int i = 0; i < keys.size(); i++) {
            PluginConfig key = keys.get(i);
            T settings = reader.apply(key);
            if (settings != null) {
                byName.put(key.string("name", "key-" + i), settings);
            }
        }
        return new KeySettings<>(byName);
    }

    /**
     * The settings of an attempt's key.
     *
     * @param key the key the router chose
     * @return its settings, or empty when it has none (a keyless provider's key, a key without them)
     */
    public Optional<T> of(ApiKey key) {
        return Optional.ofNullable(byName.get(key.name()));
    }

    /**
     * The settings of a key, or a default.
     *
     * @param key          the key the router chose
     * @param defaultValue the value when it has none
     * @return the settings
     */
    public T of(ApiKey key, T defaultValue) {
        return byName.getOrDefault(key.name(), defaultValue);
    }

    /**
     * Every key's settings, in file order.
     *
     * @return key name to settings, unmodifiable
     */
    public Map<String, T> all() {
        return byName;
    }
}
