package io.gateway.plugins.gemini;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A configuration block backed by a map; nested maps serve {@link #map(String)} (extra-headers). */
final class FakeConfig implements PluginConfig {

    private final String path;
    private final Map<String, Object> values;

    FakeConfig(String path, Map<String, ?> values) {
        this.path = path;
        this.values = new LinkedHashMap<>(values);
    }

    static FakeConfig of(Map<String, ?> values) {
        return new FakeConfig("gateway.providers.gemini", values);
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
        return value == null ? Optional.empty() : Optional.of(value.toString());
    }

    @Override
    public int integer(String key, int defaultValue) {
        return string(key).map(Integer::parseInt).orElse(defaultValue);
    }

    @Override
    public double number(String key, double defaultValue) {
        return string(key).map(Double::parseDouble).orElse(defaultValue);
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        return string(key).map(Boolean::parseBoolean).orElse(defaultValue);
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        return string(key).map(Duration::parse).orElse(defaultValue);
    }

    @Override
    public long size(String key, long defaultValue) {
        return string(key).map(Long::parseLong).orElse(defaultValue);
    }

    @Override
    public List<String> strings(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of(value.toString());
    }

    @Override
    public Map<String, String> map(String key) {
        Object value = values.get(key);
        if (!(value instanceof Map<?, ?> map)) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>();
        map.forEach((name, entry) -> copy.put(String.valueOf(name), String.valueOf(entry)));
        return copy;
    }

    @Override
    public Secret secret(String key) {
        return string(key).map(Secret::of).orElse(Secret.empty());
    }

    @Override
    public Optional<PluginConfig> child(String key) {
        return Optional.empty();
    }

    @Override
    public List<PluginConfig> children(String key) {
        return List.of();
    }
}
