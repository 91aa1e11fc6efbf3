package io.gateway.plugins.governance;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A configuration block over nested maps and lists, parsing values the way the server documents them
 * and recording which keys were read, so a test can prove the factory reads every key it supports
 * (the server stops start-up on keys nobody read).
 */
final class FakePluginConfig implements PluginConfig {

    private final String path;
    private final Map<String, Object> values;
    private final Set<String> read = ConcurrentHashMap.newKeySet();
    private final List<FakePluginConfig> blocksHandedOut = new CopyOnWriteArrayList<>();

    private FakePluginConfig(String path, Map<String, ?> values) {
        this.path = path;
        this.values = new LinkedHashMap<>(values);
    }

    static FakePluginConfig of(Map<String, ?> values) {
        return new FakePluginConfig("gateway.middleware[0]", values);
    }

    /** Builds an ordered map from alternating keys and values. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** Full paths of the keys in this block and the blocks it handed out that nobody read. */
    List<String> unread() {
        List<String> result = new ArrayList<>();
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                result.add(path + "." + key);
            }
        }
        for (FakePluginConfig block : blocksHandedOut) {
            result.addAll(block.unread());
        }
        return result;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String name() {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
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
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            throw invalid(key, "expected a single value");
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
            throw invalid(key, "not a whole number");
        }
    }

    @Override
    public double number(String key, double defaultValue) {
        Optional<String> value = string(key);
        try {
            return value.map(Double::parseDouble).orElse(defaultValue);
        } catch (NumberFormatException e) {
            throw invalid(key, "not a number");
        }
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "not a boolean");
        };
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String text = value.get().toLowerCase(Locale.ROOT);
        try {
            if (text.startsWith("p")) {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            }
            int unit = 0;
            while (unit < text.length() && Character.isDigit(text.charAt(unit))) {
                unit++;
            }
            long amount = Long.parseLong(text.substring(0, unit));
            return switch (text.substring(unit)) {
                case "ms" -> Duration.ofMillis(amount);
                case "", "s" -> Duration.ofSeconds(amount);
                case "m", "min" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> throw invalid(key, "not a duration");
            };
        } catch (RuntimeException e) {
            throw invalid(key, "not a duration");
        }
    }

    @Override
    public long size(String key, long defaultValue) {
        return string(key).map(Long::parseLong).orElse(defaultValue);
    }

    @Override
    public List<String> strings(String key) {
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            List<String> result = new ArrayList<>(list.size());
            for (Object item : list) {
                result.add(item == null ? "" : item.toString());
            }
            return result;
        }
        return List.of(value.toString());
    }

    @Override
    public Map<String, String> map(String key) {
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid(key, "expected a block of name: value pairs");
        }
        Map<String, String> result = new LinkedHashMap<>();
        map.forEach((name, item) -> result.put(name.toString(), item.toString()));
        return result;
    }

    @Override
    public Secret secret(String key) {
        return string(key).map(Secret::of).orElse(Secret.empty());
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<PluginConfig> child(String key) {
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid(key, "expected a block of keys");
        }
        FakePluginConfig block = new FakePluginConfig(path + "." + key, (Map<String, ?>) map);
        blocksHandedOut.add(block);
        return Optional.of(block);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<PluginConfig> children(String key) {
        read.add(key);
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw invalid(key, "expected a list of blocks");
        }
        List<PluginConfig> result = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(path + "." + key + "[" + i + "]: expected a block of keys");
            }
            FakePluginConfig block = new FakePluginConfig(path + "." + key + "[" + i + "]", (Map<String, ?>) map);
            blocksHandedOut.add(block);
            result.add(block);
        }
        return result;
    }
}
