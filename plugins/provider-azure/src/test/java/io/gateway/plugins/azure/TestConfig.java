package io.gateway.plugins.azure;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A configuration block over nested maps, lists and strings, with the server's typing rules (a
 * block where a value is expected is an error, and so on) and its bookkeeping of which keys were
 * read, so tests can check that the factory leaves no key unread.
 */
final class TestConfig implements PluginConfig {

    private final String path;
    private final String name;
    private final Map<String, Object> values;
    private final Set<String> readWhole;

    private TestConfig(String path, String name, Map<String, Object> values, Set<String> readWhole) {
        this.path = path;
        this.name = name;
        this.values = values;
        this.readWhole = readWhole;
    }

    /**
     * A provider block {@code gateway.providers.NAME}.
     *
     * @param name   the provider name
     * @param values the block: strings, maps and lists
     * @return the block
     */
    static TestConfig provider(String name, Map<String, ?> values) {
        return new TestConfig("gateway.providers." + name, name, copy(values),
                Collections.synchronizedSet(new LinkedHashSet<>()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, ?> values) {
        Map<String, Object> result = new LinkedHashMap<>();
        values.forEach((key, value) -> result.put(key, value instanceof Map<?, ?> map
                ? copy((Map<String, ?>) map) : value));
        return result;
    }

    /**
     * The scalar keys of the whole tree that nobody read, as full paths.
     *
     * @return the unread keys
     */
    List<String> unread() {
        List<String> result = new ArrayList<>();
        collectUnread(path, values, result);
        return result;
    }

    private void collectUnread(String prefix, Object node, List<String> result) {
        if (covered(prefix)) {
            return;
        }
        if (node instanceof Map<?, ?> map && !map.isEmpty()) {
            map.forEach((key, value) -> collectUnread(prefix + "." + key, value, result));
        } else if (node instanceof List<?> list && !list.isEmpty()) {
            for (int i = 0; i < list.size(); i++) {
                collectUnread(prefix + "[" + i + "]", list.get(i), result);
            }
        } else {
            result.add(prefix);
        }
    }

    private boolean covered(String fullKey) {
        synchronized (readWhole) {
            for (String read : readWhole) {
                if (fullKey.equals(read) || fullKey.startsWith(read + ".") || fullKey.startsWith(read + "[")) {
                    return true;
                }
            }
        }
        return false;
    }

    private String full(String key) {
        return path + "." + key;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    @Override
    public boolean has(String key) {
        return values.containsKey(key);
    }

    private static String kind(Object value) {
        return value instanceof Map<?, ?> ? "block of keys" : value instanceof List<?> ? "list" : "value";
    }

    @Override
    public Optional<String> string(String key) {
        Object value = values.get(key);
        readWhole.add(full(key));
        if (value == null || value instanceof Map<?, ?> map && map.isEmpty()) {
            return Optional.empty();
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            throw invalid(key, "expected a single value, found a " + kind(value));
        }
        String text = value.toString().trim();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    @Override
    public int integer(String key, int defaultValue) {
        Optional<String> value = string(key);
        try {
            return value.map(Integer::parseInt).orElse(defaultValue);
        } catch (NumberFormatException e) {
            throw invalid(key, "'" + value.get() + "' is not a whole number");
        }
    }

    @Override
    public double number(String key, double defaultValue) {
        Optional<String> value = string(key);
        try {
            return value.map(Double::parseDouble).orElse(defaultValue);
        } catch (NumberFormatException e) {
            throw invalid(key, "'" + value.get() + "' is not a number");
        }
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "'" + value.get() + "' is not a boolean");
        };
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String text = value.get();
        try {
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            return Duration.parse(text);
        } catch (RuntimeException e) {
            throw invalid(key, "'" + text + "' is not a duration");
        }
    }

    @Override
    public long size(String key, long defaultValue) {
        Optional<String> value = string(key);
        try {
            return value.map(Long::parseLong).orElse(defaultValue);
        } catch (NumberFormatException e) {
            throw invalid(key, "'" + value.get() + "' is not a size");
        }
    }

    @Override
    public List<String> strings(String key) {
        Object value = values.get(key);
        readWhole.add(full(key));
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            List<String> result = new ArrayList<>();
            for (Object item : list) {
                if (item instanceof Map<?, ?> || item instanceof List<?>) {
                    throw invalid(key, "expected a list of values, found a " + kind(item) + " in it");
                }
                result.add(item.toString().trim());
            }
            return List.copyOf(result);
        }
        if (value instanceof Map<?, ?>) {
            throw invalid(key, "expected a list, found a block of keys");
        }
        return value.toString().isBlank() ? List.of() : List.of(value.toString().trim());
    }

    @Override
    public Map<String, String> map(String key) {
        Object value = values.get(key);
        readWhole.add(full(key));
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid(key, "expected a block of name: value pairs, found a " + kind(value));
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (entry.getValue() instanceof Map<?, ?> || entry.getValue() instanceof List<?>) {
                throw invalid(key + "." + entry.getKey(), "expected a single value");
            }
            result.put(entry.getKey().toString(), entry.getValue().toString());
        }
        return Collections.unmodifiableMap(result);
    }

    @Override
    public Secret secret(String key) {
        return string(key).map(Secret::of).orElse(Secret.empty());
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<PluginConfig> child(String key) {
        Object value = values.get(key);
        if (value == null || value instanceof String text && text.isBlank()) {
            readWhole.add(full(key));
            return Optional.empty();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid(key, "expected a block of keys, found a " + kind(value));
        }
        return Optional.of(new TestConfig(full(key), key, (Map<String, Object>) map, readWhole));
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<PluginConfig> children(String key) {
        Object value = values.get(key);
        if (value == null || value instanceof Map<?, ?> map && map.isEmpty()) {
            readWhole.add(full(key));
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw invalid(key, "expected a list of blocks, found a " + kind(value));
        }
        List<PluginConfig> result = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> item)) {
                throw new IllegalArgumentException(full(key) + "[" + i + "]: expected a block of keys");
            }
            result.add(new TestConfig(full(key) + "[" + i + "]", key + "[" + i + "]",
                    copy((Map<String, ?>) item), readWhole));
        }
        return List.copyOf(result);
    }

    @Override
    public String toString() {
        return "TestConfig[" + path + "]";
    }
}
