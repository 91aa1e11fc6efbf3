package io.gateway.server.config;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The server's {@link PluginConfig}: a typed, read-only view of one block of the configuration tree
 * that records every key it is asked for.
 */
public final class ConfigBlock implements PluginConfig {

    private final String path;
    private final String name;
    private final ConfigNode.ObjectNode node;
    private final ReadTracker tracker;

    /**
     * A view of a block.
     *
     * @param path    the block's full key
     * @param name    the block's name (last path segment)
     * @param node    the block
     * @param tracker records reads
     */
    public ConfigBlock(String path, String name, ConfigNode.ObjectNode node, ReadTracker tracker) {
        this.path = path;
        this.name = name;
        this.node = node;
        this.tracker = tracker;
    }

    /**
     * The underlying node.
     *
     * @return the block
     */
    public ConfigNode.ObjectNode node() {
        return node;
    }

    /**
     * The keys of this block nobody read.
     *
     * @return full keys
     */
    public List<String> unreadKeys() {
        return tracker.unread(path, node);
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
        return node.fields().keySet();
    }

    @Override
    public boolean has(String key) {
        return node.fields().containsKey(key);
    }

    private String full(String key) {
        return path + "." + key;
    }

    private Optional<ConfigNode.ValueNode> scalar(String key) {
        ConfigNode value = node.fields().get(key);
        tracker.readWhole(full(key));
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof ConfigNode.ValueNode scalar) {
            return Optional.of(scalar);
        }
        if (value instanceof ConfigNode.ObjectNode object && object.fields().isEmpty()) {
            return Optional.empty();
        }
        throw invalid(key, "expected a single value, found a " + kind(value));
    }

    private static String kind(ConfigNode node) {
        return switch (node) {
            case ConfigNode.ObjectNode o -> "block of keys";
            case ConfigNode.ListNode l -> "list";
            case ConfigNode.ValueNode v -> "value";
        };
    }

    @Override
    public Optional<String> string(String key) {
        return scalar(key).map(ConfigNode.ValueNode::value).map(String::trim).filter(s -> !s.isEmpty());
    }

    @Override
    public int integer(String key, int defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.get());
        } catch (NumberFormatException e) {
            throw invalid(key, "'" + value.get() + "' is not a whole number; write e.g. 10");
        }
    }

    @Override
    public double number(String key, double defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            double parsed = Double.parseDouble(value.get());
            if (Double.isNaN(parsed) || Double.isInfinite(parsed)) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(key, "'" + value.get() + "' is not a number; write e.g. 1.0");
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
            default -> throw invalid(key, "'" + value.get() + "' is not a boolean; write true or false");
        };
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        Duration parsed = parseDuration(value.get());
        if (parsed == null || parsed.isNegative()) {
            throw invalid(key, "'" + value.get() + "' is not a duration; write e.g. 500ms, 30s, 5m or 1h");
        }
        return parsed;
    }

    /**
     * Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}, a bare number of seconds,
     * or ISO-8601.
     *
     * @param text the text
     * @return the duration, or {@code null} if not a duration
     */
    public static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("p")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            int unitStart = 0;
            while (unitStart < value.length()
                    && (Character.isDigit(value.charAt(unitStart)) || value.charAt(unitStart) == '.')) {
                unitStart++;
            }
            if (unitStart == 0) {
                return null;
            }
            double amount = Double.parseDouble(value.substring(0, unitStart));
            String unit = value.substring(unitStart).trim();
            double millis = switch (unit) {
                case "ms" -> amount;
                case "", "s" -> amount * 1000;
                case "m", "min" -> amount * 60_000;
                case "h" -> amount * 3_600_000;
                case "d" -> amount * 86_400_000;
                default -> Double.NaN;
            };
            if (Double.isNaN(millis)) {
                return null;
            }
            return Duration.ofMillis(Math.round(millis));
        } catch (NumberFormatException | DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public long size(String key, long defaultValue) {
        Optional<String> value = string(key);
        if (value.isEmpty()) {
            return defaultValue;
        }
        long parsed = parseSize(value.get());
        if (parsed < 0) {
            throw invalid(key, "'" + value.get() + "' is not a size; write e.g. 512KB, 32MB or 1GB");
        }
        return parsed;
    }

    /**
     * Parses {@code 512}, {@code 64KB}, {@code 32MB}, {@code 1GB} (binary multiples; {@code KiB} forms too).
     *
     * @param text the text
     * @return bytes, or -1 if not a size
     */
    public static long parseSize(String text) {
        String value = text.trim().toUpperCase(Locale.ROOT).replace("IB", "B");
        int unitStart = 0;
        while (unitStart < value.length() && Character.isDigit(value.charAt(unitStart))) {
            unitStart++;
        }
        if (unitStart == 0) {
            return -1;
        }
        long amount;
        try {
            amount = Long.parseLong(value.substring(0, unitStart));
        } catch (NumberFormatException e) {
            return -1;
        }
        long multiplier = switch (value.substring(unitStart).trim()) {
            case "", "B" -> 1L;
            case "K", "KB" -> 1024L;
            case "M", "MB" -> 1024L * 1024;
            case "G", "GB" -> 1024L * 1024 * 1024;
            default -> -1L;
        };
        return multiplier < 0 ? -1 : amount * multiplier;
    }

    @Override
    public List<String> strings(String key) {
        ConfigNode value = node.fields().get(key);
        tracker.readWhole(full(key));
        if (value == null) {
            return List.of();
        }
        if (value instanceof ConfigNode.ValueNode scalar) {
            return scalar.value().isBlank() ? List.of() : List.of(scalar.value().trim());
        }
        if (value instanceof ConfigNode.ListNode list) {
            List<String> result = new ArrayList<>(list.items().size());
            for (ConfigNode item : list.items()) {
                if (!(item instanceof ConfigNode.ValueNode scalar)) {
                    throw invalid(key, "expected a list of values, found a " + kind(item) + " in it");
                }
                result.add(scalar.value().trim());
            }
            return List.copyOf(result);
        }
        if (value instanceof ConfigNode.ObjectNode object && object.fields().isEmpty()) {
            return List.of();
        }
        throw invalid(key, "expected a list such as [\"a\", \"b\"], found a " + kind(value));
    }

    @Override
    public Map<String, String> map(String key) {
        ConfigNode value = node.fields().get(key);
        tracker.readWhole(full(key));
        if (value == null || value instanceof ConfigNode.ValueNode scalar && scalar.value().isBlank()) {
            return Map.of();
        }
        if (!(value instanceof ConfigNode.ObjectNode object)) {
            throw invalid(key, "expected a block of name: value pairs, found a " + kind(value));
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> entry : object.fields().entrySet()) {
            if (!(entry.getValue() instanceof ConfigNode.ValueNode scalar)) {
                throw invalid(key + "." + entry.getKey(), "expected a single value");
            }
            result.put(entry.getKey(), scalar.value());
        }
        return java.util.Collections.unmodifiableMap(result);
    }

    @Override
    public Secret secret(String key) {
        tracker.readSecret(full(key));
        return scalar(key).map(v -> Secret.of(v.value().trim())).orElse(Secret.empty());
    }

    /**
     * The environment variable a secret refers to that is unset, if any.
     *
     * @param key a direct key
     * @return the variable name, or empty
     */
    public Optional<String> unsetVariable(String key) {
        ConfigNode value = node.fields().get(key);
        if (value instanceof ConfigNode.ValueNode scalar) {
            return Optional.ofNullable(scalar.unsetVar());
        }
        return Optional.empty();
    }

    @Override
    public Optional<PluginConfig> child(String key) {
        return block(key).map(PluginConfig.class::cast);
    }

    /**
     * A nested block as the server's own type.
     *
     * @param key a direct key
     * @return the block, or empty
     */
    public Optional<ConfigBlock> block(String key) {
        ConfigNode value = node.fields().get(key);
        if (value == null) {
            tracker.readWhole(full(key));
            return Optional.empty();
        }
        if (value instanceof ConfigNode.ValueNode scalar && scalar.value().isBlank()) {
            tracker.readWhole(full(key));
            return Optional.empty();
        }
        if (!(value instanceof ConfigNode.ObjectNode object)) {
            throw invalid(key, "expected a block of keys, found a " + kind(value));
        }
        tracker.readBlock(full(key));
        return Optional.of(new ConfigBlock(full(key), key, object, tracker));
    }

    @Override
    public List<PluginConfig> children(String key) {
        return List.copyOf(blocks(key));
    }

    /**
     * A list of blocks as the server's own type.
     *
     * @param key a direct key
     * @return the blocks
     */
    public List<ConfigBlock> blocks(String key) {
        ConfigNode value = node.fields().get(key);
        if (value == null || value instanceof ConfigNode.ValueNode scalar && scalar.value().isBlank()
                || value instanceof ConfigNode.ObjectNode empty && empty.fields().isEmpty()) {
            tracker.readWhole(full(key));
            return List.of();
        }
        if (!(value instanceof ConfigNode.ListNode list)) {
            throw invalid(key, "expected a list of blocks (each item starting with '- '), found a " + kind(value));
        }
        tracker.readBlock(full(key));
        List<ConfigBlock> result = new ArrayList<>(list.items().size());
        for (int i = 0; i < list.items().size(); i++) {
            ConfigNode item = list.items().get(i);
            String itemPath = full(key) + "[" + i + "]";
            if (!(item instanceof ConfigNode.ObjectNode object)) {
                throw new IllegalArgumentException(itemPath + ": expected a block of keys, found a " + kind(item));
            }
            tracker.readBlock(itemPath);
            result.add(new ConfigBlock(itemPath, key + "[" + i + "]", object, tracker));
        }
        return result;
    }

    @Override
    public String toString() {
        return "ConfigBlock[" + path + "]";
    }
}
