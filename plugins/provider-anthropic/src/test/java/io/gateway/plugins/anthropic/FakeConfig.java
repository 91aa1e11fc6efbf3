package io.gateway.plugins.anthropic;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A provider configuration block backed by a map, as the server would build from YAML. */
final class FakeConfig implements PluginConfig {

    private final String name;
    private final Map<String, Object> values;

    private FakeConfig(String name, Map<String, Object> values) {
        this.name = name;
        this.values = values;
    }

    /** A block with alternating keys and values. */
    static FakeConfig of(Object... keysAndValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new FakeConfig("claude", values);
    }

    @Override
    public String path() {
        return "gateway.providers." + name;
    }

    @Override
    public String name() {
        return name;
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
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.toString());
        } catch (NumberFormatException e) {
            throw invalid(key, "must be an integer");
        }
    }

    @Override
    public double number(String key, double defaultValue) {
        Object value = values.get(key);
        return value == null ? defaultValue : Double.parseDouble(value.toString());
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        Object value = values.get(key);
        return value == null ? defaultValue : Boolean.parseBoolean(value.toString());
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        Object value = values.get(key);
        return value == null ? defaultValue : Duration.parse(value.toString());
    }

    @Override
    public long size(String key, long defaultValue) {
        Object value = values.get(key);
        return value == null ? defaultValue : Long.parseLong(value.toString());
    }

    @Override
    public List<String> strings(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(Object::toString).toList();
        }
        return List.of(value.toString());
    }

    @Override
    public Map<String, String> map(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>();
        ((Map<?, ?>) value).forEach((k, v) -> copy.put(k.toString(), v.toString()));
        return copy;
    }

    @Override
    public Secret secret(String key) {
        Object value = values.get(key);
        return value == null ? Secret.empty() : Secret.of(value.toString());
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
