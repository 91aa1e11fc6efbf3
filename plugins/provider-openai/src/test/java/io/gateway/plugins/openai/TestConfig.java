package io.gateway.plugins.openai;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A map-backed PluginConfig for factory tests: scalars, lists of strings and string maps. */
record TestConfig(String name, Map<String, Object> values) implements PluginConfig {

    static TestConfig of(String name, Object... keysAndValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new TestConfig(name, values);
    }

    @Override
    public String path() {
        return "gateway.providers." + name;
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
    @SuppressWarnings("unchecked")
    public List<String> strings(String key) {
        Object value = values.get(key);
        return value == null ? List.of() : (List<String>) value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, String> map(String key) {
        Object value = values.get(key);
        return value == null ? Map.of() : (Map<String, String>) value;
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
