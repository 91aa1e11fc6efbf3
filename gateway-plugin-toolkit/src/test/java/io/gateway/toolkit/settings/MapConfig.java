package io.gateway.toolkit.settings;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A configuration block over a map (strings, maps of strings, lists of maps), with the accessors the
 * settings readers use; the others are not needed here and fail loudly.
 */
final class MapConfig implements PluginConfig {

    private final String path;
    private final Map<String, ?> values;

    MapConfig(String path, Map<String, ?> values) {
        this.path = path;
        this.values = values;
    }

    static MapConfig provider(Map<String, ?> values) {
        return new MapConfig("gateway.providers.p", values);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String name() {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    @Override
    public Set<String> keys() {
        return values.keySet();
    }

    @Override
    public boolean has(String key) {
        return values.containsKey(key);
    }

    @Override
    public Optional<String> string(String key) {
        Object value = values.get(key);
        if (value != null && !(value instanceof String)) {
            throw invalid(key, "expected a string");
        }
        return Optional.ofNullable((String) value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, String> map(String key) {
        Object value = values.get(key);
        return value == null ? Map.of() : new LinkedHashMap<>((Map<String, String>) value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<PluginConfig> children(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        List<Map<String, ?>> blocks = (List<Map<String, ?>>) value;
        return java.util.stream.IntStream.range(0, blocks.size())
                .<PluginConfig>mapToObj(i -> new MapConfig(path + "." + key + "[" + i + "]", blocks.get(i)))
                .toList();
    }

    @Override
    public int integer(String key, int defaultValue) {
        throw new UnsupportedOperationException("integer");
    }

    @Override
    public double number(String key, double defaultValue) {
        throw new UnsupportedOperationException("number");
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        throw new UnsupportedOperationException("bool");
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        throw new UnsupportedOperationException("duration");
    }

    @Override
    public long size(String key, long defaultValue) {
        throw new UnsupportedOperationException("size");
    }

    @Override
    public List<String> strings(String key) {
        throw new UnsupportedOperationException("strings");
    }

    @Override
    public Secret secret(String key) {
        throw new UnsupportedOperationException("secret");
    }

    @Override
    public Optional<PluginConfig> child(String key) {
        throw new UnsupportedOperationException("child");
    }
}
