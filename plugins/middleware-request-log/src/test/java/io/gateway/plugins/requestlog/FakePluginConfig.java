package io.gateway.plugins.requestlog;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A configuration block backed by a map, parsing values the way the server documents them. */
final class FakePluginConfig implements PluginConfig {

    private final String path;
    private final Map<String, Object> values;

    FakePluginConfig(String path, Map<String, ?> values) {
        this.path = path;
        this.values = new LinkedHashMap<>(values);
    }

    static FakePluginConfig of(Map<String, ?> values) {
        return new FakePluginConfig("gateway.middleware.0", values);
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
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String text = value.get().trim();
        try {
            if (text.startsWith("P") || text.startsWith("-P")) {
                return Duration.parse(text);
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            }
        } catch (RuntimeException e) {
            throw invalid(key, "expected a duration such as 500ms or 30s");
        }
        throw invalid(key, "expected a duration such as 500ms or 30s");
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
            return list.stream().map(item -> item == null ? null : item.toString()).toList();
        }
        return List.of(value.toString());
    }

    @Override
    public Map<String, String> map(String key) {
        return Map.of();
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
