package io.gateway.plugins.redis;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A flat {@link PluginConfig} of string values that records which keys were read, as the server's
 * does, so tests can check that no key would be reported as unknown.
 */
final class MapConfig implements PluginConfig {

    private final String path;
    private final Map<String, String> values;
    private final Set<String> read = ConcurrentHashMap.newKeySet();

    MapConfig(String path, Map<String, String> values) {
        this.path = path;
        this.values = new LinkedHashMap<>(values);
    }

    /**
     * The {@code gateway.state} block of a redis store.
     *
     * @param entries key, value, key, value...
     * @return the block, with {@code type: redis}
     */
    static MapConfig state(String... entries) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("type", "redis");
        for (int i = 0; i + 1 < entries.length; i += 2) {
            values.put(entries[i], entries[i + 1]);
        }
        return new MapConfig("gateway.state", values);
    }

    /** Keys present but never read: the server would report these as unknown. */
    Set<String> unread() {
        Set<String> unread = new java.util.TreeSet<>(values.keySet());
        unread.removeAll(read);
        return unread;
    }

    private Optional<String> value(String key) {
        read.add(key);
        return Optional.ofNullable(values.get(key));
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
        return value(key);
    }

    @Override
    public int integer(String key, int defaultValue) {
        return value(key).map(v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw invalid(key, "must be an integer");
            }
        }).orElse(defaultValue);
    }

    @Override
    public double number(String key, double defaultValue) {
        return value(key).map(v -> {
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw invalid(key, "must be a number");
            }
        }).orElse(defaultValue);
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        return value(key).map(v -> switch (v.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, "must be true or false");
        }).orElse(defaultValue);
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        return value(key).map(v -> parseDuration(key, v.trim())).orElse(defaultValue);
    }

    private Duration parseDuration(String key, String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        try {
            if (lower.startsWith("pt") || lower.startsWith("p")) {
                return Duration.parse(text);
            }
            if (lower.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(lower.substring(0, lower.length() - 2)));
            }
            long amount = Long.parseLong(lower.substring(0, lower.length() - 1));
            return switch (lower.charAt(lower.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> throw invalid(key, "must be a duration such as 500ms, 30s, 5m or 1h");
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw invalid(key, "must be a duration such as 500ms, 30s, 5m or 1h");
        }
    }

    @Override
    public long size(String key, long defaultValue) {
        return value(key).map(v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw invalid(key, "must be a size in bytes");
            }
        }).orElse(defaultValue);
    }

    @Override
    public List<String> strings(String key) {
        return value(key).map(List::of).orElse(List.of());
    }

    @Override
    public Map<String, String> map(String key) {
        read.add(key);
        return Map.of();
    }

    @Override
    public Secret secret(String key) {
        return value(key).map(v -> Secret.of(v.trim())).orElse(Secret.empty());
    }

    @Override
    public Optional<PluginConfig> child(String key) {
        read.add(key);
        return Optional.empty();
    }

    @Override
    public List<PluginConfig> children(String key) {
        read.add(key);
        return List.of();
    }
}
