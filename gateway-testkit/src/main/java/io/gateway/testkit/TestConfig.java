package io.gateway.testkit;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.Secret;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link PluginConfig} for tests, built from a map or from YAML text, that reads values exactly as
 * the server's does: the same trimming, the same accepted forms of numbers, booleans, durations and
 * sizes, the same error messages for bad values ({@code gateway.providers.claude.timeout: 'soon' is
 * not a duration; write e.g. 500ms, 30s, 5m or 1h}), {@code ${NAME}} and {@code ${NAME:-default}}
 * placeholders replaced from an environment the test passes (never the real one), and every key read
 * recorded, so {@link #unreadKeys()} lists what the server would refuse as an unknown key.
 *
 * <pre>{@code
 * TestConfig config = TestConfig.provider("claude", """
 *         type: anthropic
 *         base-url: http://127.0.0.1:8089
 *         keys:
 *           - name: main
 *             value: ${ANTHROPIC_KEY}
 *         """, Map.of("ANTHROPIC_KEY", "sk-ant-test"));
 * Provider provider = new AnthropicProviderFactory().create(config, TestContext.create());
 * config.assertAllRead();
 * }</pre>
 *
 * <p><b>Values.</b> In a map, values are {@code String}s (or anything whose {@code toString} is the
 * value, such as numbers and booleans), {@code null} for an empty value, {@code Map}s for nested
 * blocks and {@code List}s for lists. YAML text is read by a small reader of the subset gateway
 * configurations use (block maps and lists, flow {@code [a, b]} and {@code {a: b}}, plain and quoted
 * values, comments), which resolves plain values as the server's YAML loader does ({@code yes} is
 * {@code true}).
 *
 * <p><b>Blocks the server reads first.</b> {@link #provider}, {@link #middleware} and {@link #state}
 * give the block the path the server gives it and mark as read the keys the server itself reads in
 * such a block ({@code type}; for providers also {@code timeout}, {@code keys} and the other routing
 * keys of docs/configuration.md), so {@link #unreadKeys()} reports only the plugin's own.
 *
 * <p>Immutable values; the read record is thread-safe. Nested blocks share their root's record.
 */
public final class TestConfig implements PluginConfig {

    /** The keys the server reads in every provider block before the plugin sees it. */
    public static final List<String> SERVER_PROVIDER_KEYS = List.of("type", "timeout", "connect-timeout",
            "stream-idle-timeout", "max-retries", "retry-backoff-initial", "retry-backoff-max", "max-concurrency",
            "queue-size", "fallbacks");

    /** The keys the server reads in each item of a provider's {@code keys} list. */
    public static final List<String> SERVER_KEY_KEYS = List.of("name", "weight", "models", "value");

    private sealed interface Node permits Block, Items, Value {
    }

    private record Block(Map<String, Node> fields) implements Node {
    }

    private record Items(List<Node> items) implements Node {
    }

    /** A scalar after substitution, with the first unset variable it referenced. */
    private record Value(String value, String unsetVariable) implements Node {
    }

    /** Which keys were read, shared by a block and the blocks it hands out. */
    private static final class Reads {
        private final Set<String> whole = ConcurrentHashMap.newKeySet();
        private final Set<String> blocks = ConcurrentHashMap.newKeySet();
        private final Set<String> secrets = ConcurrentHashMap.newKeySet();
    }

    private final String path;
    private final String name;
    private final Block node;
    private final Reads reads;

    private TestConfig(String path, String name, Block node, Reads reads) {
        this.path = path;
        this.name = name;
        this.node = node;
        this.reads = reads;
    }

    // ---------------------------------------------------------------- construction

    /**
     * A block at any path, from a map.
     *
     * @param path   the block's full key, e.g. {@code gateway.providers.claude}
     * @param values the keys and values (see the class documentation)
     * @return the block
     */
    public static TestConfig of(String path, Map<String, ?> values) {
        return of(path, values, Map.of());
    }

    /**
     * A block at any path, from a map, with {@code ${NAME}} placeholders in its values replaced from
     * {@code environment}.
     *
     * @param path        the block's full key
     * @param values      the keys and values
     * @param environment variable names to values; variables not in it count as unset
     * @return the block
     */
    public static TestConfig of(String path, Map<String, ?> values, Map<String, String> environment) {
        Objects.requireNonNull(path, "path");
        if (path.isBlank()) {
            throw new IllegalArgumentException("a configuration block needs a path, e.g. gateway.providers.NAME");
        }
        Block block = (Block) tree(Objects.requireNonNull(values, "values"), Map.copyOf(environment));
        return new TestConfig(path, lastSegment(path), block, new Reads());
    }

    /**
     * A block at any path, from YAML text holding the block's keys.
     *
     * @param path the block's full key
     * @param yaml the block, e.g. {@code "base-url: http://127.0.0.1:8080\nlevel: debug"}
     * @return the block
     * @throws IllegalArgumentException naming the line, for text the kit's YAML reader does not take
     */
    public static TestConfig yaml(String path, String yaml) {
        return yaml(path, yaml, Map.of());
    }

    /**
     * A block at any path, from YAML text, with placeholders replaced from {@code environment}.
     *
     * @param path        the block's full key
     * @param yaml        the block's keys
     * @param environment variable names to values
     * @return the block
     */
    public static TestConfig yaml(String path, String yaml, Map<String, String> environment) {
        return of(path, YamlSubset.parse(yaml), environment);
    }

    /**
     * A provider block {@code gateway.providers.NAME}, with the server's own keys marked read.
     *
     * @param name   the provider name
     * @param values the block
     * @return the block
     */
    public static TestConfig provider(String name, Map<String, ?> values) {
        return provider(name, values, Map.of());
    }

    /**
     * A provider block with placeholders replaced from {@code environment}.
     *
     * @param name        the provider name
     * @param values      the block
     * @param environment variable names to values
     * @return the block
     */
    public static TestConfig provider(String name, Map<String, ?> values, Map<String, String> environment) {
        return of("gateway.providers." + name, values, environment).readAsServer(SERVER_PROVIDER_KEYS, true);
    }

    /**
     * A provider block from YAML text.
     *
     * @param name the provider name
     * @param yaml the block's keys
     * @return the block
     */
    public static TestConfig provider(String name, String yaml) {
        return provider(name, YamlSubset.parse(yaml), Map.of());
    }

    /**
     * A provider block from YAML text with placeholders replaced from {@code environment}.
     *
     * @param name        the provider name
     * @param yaml        the block's keys
     * @param environment variable names to values
     * @return the block
     */
    public static TestConfig provider(String name, String yaml, Map<String, String> environment) {
        return provider(name, YamlSubset.parse(yaml), environment);
    }

    /**
     * The entry {@code gateway.middleware[index]}, with {@code type} marked read.
     *
     * @param index  the entry's position in the list
     * @param values the entry
     * @return the block
     */
    public static TestConfig middleware(int index, Map<String, ?> values) {
        TestConfig config = new TestConfig("gateway.middleware[" + index + "]", "middleware[" + index + "]",
                (Block) tree(values, Map.of()), new Reads());
        return config.readAsServer(List.of("type"), false);
    }

    /**
     * The entry {@code gateway.middleware[index]} from YAML text.
     *
     * @param index the entry's position
     * @param yaml  the entry's keys
     * @return the block
     */
    public static TestConfig middleware(int index, String yaml) {
        return middleware(index, YamlSubset.parse(yaml));
    }

    /**
     * The block {@code gateway.state}, given to a state store factory, with {@code type} marked read.
     *
     * @param values the block
     * @return the block
     */
    public static TestConfig state(Map<String, ?> values) {
        return of("gateway.state", values).readAsServer(List.of("type"), false);
    }

    /**
     * The block {@code gateway.state} from YAML text.
     *
     * @param yaml the block's keys
     * @return the block
     */
    public static TestConfig state(String yaml) {
        return state(YamlSubset.parse(yaml));
    }

    /**
     * An ordered map from alternating keys and values, for blocks and nested blocks:
     * {@code mapOf("requests", 10, "per", "1m")}.
     *
     * @param keysAndValues key, value, key, value…
     * @return a mutable map in the given order
     * @throws IllegalArgumentException for an odd count or a key that is not a string
     */
    public static Map<String, Object> mapOf(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("mapOf() takes key, value pairs; got " + keysAndValues.length
                    + " arguments");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (!(keysAndValues[i] instanceof String key)) {
                throw new IllegalArgumentException("argument " + i + " of mapOf() must be a key (a String)");
            }
            map.put(key, keysAndValues[i + 1]);
        }
        return map;
    }

    private TestConfig readAsServer(List<String> keys, boolean providerKeys) {
        for (String key : keys) {
            reads.whole.add(full(key));
        }
        if (providerKeys && node.fields().get("keys") instanceof Items items) {
            reads.blocks.add(full("keys"));
            for (int i = 0; i < items.items().size(); i++) {
                String item = full("keys") + "[" + i + "]";
                reads.blocks.add(item);
                for (String key : SERVER_KEY_KEYS) {
                    reads.whole.add(item + "." + key);
                }
                reads.secrets.add(item + ".value");
            }
        } else if (providerKeys) {
            reads.whole.add(full("keys"));
        }
        return this;
    }

    private static Node tree(Object value, Map<String, String> environment) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Node> fields = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                fields.put(String.valueOf(entry.getKey()), tree(entry.getValue(), environment));
            }
            return new Block(Collections.unmodifiableMap(fields));
        }
        if (value instanceof List<?> list) {
            List<Node> items = new ArrayList<>(list.size());
            for (Object item : list) {
                items.add(tree(item, environment));
            }
            return new Items(List.copyOf(items));
        }
        if (value instanceof Object[] array) {
            return tree(List.of(array), environment);
        }
        if (value == null) {
            return new Value("", null);
        }
        String raw = String.valueOf(value);
        return new Value(Placeholders.substitute(raw, environment), Placeholders.firstUnset(raw, environment));
    }

    private static String lastSegment(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    // ---------------------------------------------------------------- unread keys

    /**
     * The keys of this block (and of the blocks it handed out) that nobody read, in file order: what
     * the server would refuse at start-up as {@code unknown key ...}.
     *
     * @return full keys
     */
    public List<String> unreadKeys() {
        List<String> result = new ArrayList<>();
        collectUnread(path, node, result);
        return result;
    }

    private void collectUnread(String at, Node current, List<String> result) {
        if (current instanceof Block block) {
            for (Map.Entry<String, Node> field : block.fields().entrySet()) {
                String child = at + "." + field.getKey();
                if (reads.whole.contains(child)) {
                    continue;
                }
                if (reads.blocks.contains(child)) {
                    collectUnread(child, field.getValue(), result);
                } else {
                    result.add(child);
                }
            }
        } else if (current instanceof Items items) {
            for (int i = 0; i < items.items().size(); i++) {
                String child = at + "[" + i + "]";
                if (reads.blocks.contains(child)) {
                    collectUnread(child, items.items().get(i), result);
                }
            }
        }
    }

    /**
     * Fails when a key was not read, with the message the server stops with.
     *
     * @throws AssertionError naming the first unread key
     */
    public void assertAllRead() {
        List<String> unread = unreadKeys();
        if (!unread.isEmpty()) {
            throw new AssertionError("unknown key " + unread.get(0)
                    + ": remove it or fix its spelling (docs/configuration.md lists every key)"
                    + (unread.size() > 1 ? "; also unread: " + unread.subList(1, unread.size()) : ""));
        }
    }

    /**
     * Whether a key was read with {@link #secret}, so the server would redact it in
     * {@code /admin/config}.
     *
     * @param key a direct key
     * @return {@code true} if read as a secret
     */
    public boolean readAsSecret(String key) {
        return reads.secrets.contains(full(key));
    }

    // ---------------------------------------------------------------- PluginConfig

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

    private static String kind(Node value) {
        return switch (value) {
            case Block block -> "block of keys";
            case Items items -> "list";
            case Value scalar -> "value";
        };
    }

    private Optional<Value> scalar(String key) {
        Node value = node.fields().get(key);
        reads.whole.add(full(key));
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Value scalar) {
            return Optional.of(scalar);
        }
        if (value instanceof Block block && block.fields().isEmpty()) {
            return Optional.empty();
        }
        throw invalid(key, "expected a single value, found a " + kind(value));
    }

    @Override
    public Optional<String> string(String key) {
        return scalar(key).map(Value::value).map(String::trim).filter(s -> !s.isEmpty());
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
                throw new NumberFormatException(value.get());
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
     * Reads a duration as the server does: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h},
     * {@code 1d}, a bare number of seconds, or ISO-8601 ({@code PT30S}).
     *
     * @param text the text
     * @return the duration, or {@code null} when it is none
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
            double millis = switch (value.substring(unitStart).trim()) {
                case "ms" -> amount;
                case "", "s" -> amount * 1000;
                case "m", "min" -> amount * 60_000;
                case "h" -> amount * 3_600_000;
                case "d" -> amount * 86_400_000;
                default -> Double.NaN;
            };
            return Double.isNaN(millis) ? null : Duration.ofMillis(Math.round(millis));
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
     * Reads a size as the server does: {@code 512}, {@code 64KB}, {@code 32MB}, {@code 1GB} (binary
     * multiples; {@code KiB} forms too).
     *
     * @param text the text
     * @return bytes, or -1 when it is none
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
        Node value = node.fields().get(key);
        reads.whole.add(full(key));
        if (value == null) {
            return List.of();
        }
        if (value instanceof Value scalar) {
            return scalar.value().isBlank() ? List.of() : List.of(scalar.value().trim());
        }
        if (value instanceof Items list) {
            List<String> result = new ArrayList<>(list.items().size());
            for (Node item : list.items()) {
                if (!(item instanceof Value scalar)) {
                    throw invalid(key, "expected a list of values, found a " + kind(item) + " in it");
                }
                result.add(scalar.value().trim());
            }
            return List.copyOf(result);
        }
        if (value instanceof Block block && block.fields().isEmpty()) {
            return List.of();
        }
        throw invalid(key, "expected a list such as [\"a\", \"b\"], found a " + kind(value));
    }

    @Override
    public Map<String, String> map(String key) {
        Node value = node.fields().get(key);
        reads.whole.add(full(key));
        if (value == null || value instanceof Value scalar && scalar.value().isBlank()) {
            return Map.of();
        }
        if (!(value instanceof Block block)) {
            throw invalid(key, "expected a block of name: value pairs, found a " + kind(value));
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : block.fields().entrySet()) {
            if (!(entry.getValue() instanceof Value scalar)) {
                throw invalid(key + "." + entry.getKey(), "expected a single value");
            }
            result.put(entry.getKey(), scalar.value());
        }
        return Collections.unmodifiableMap(result);
    }

    @Override
    public Secret secret(String key) {
        reads.secrets.add(full(key));
        return scalar(key).map(v -> Secret.of(v.value().trim())).orElse(Secret.empty());
    }

    /**
     * The environment variable a value refers to without a default that the test's environment lacks,
     * as the server reports for an empty key value.
     *
     * @param key a direct key
     * @return the variable name, or empty
     */
    public Optional<String> unsetVariable(String key) {
        return node.fields().get(key) instanceof Value scalar ? Optional.ofNullable(scalar.unsetVariable())
                : Optional.empty();
    }

    @Override
    public Optional<PluginConfig> child(String key) {
        return block(key).map(PluginConfig.class::cast);
    }

    /**
     * A nested block as a {@code TestConfig}, sharing this block's read record.
     *
     * @param key a direct key
     * @return the block, or empty when absent or empty
     */
    public Optional<TestConfig> block(String key) {
        Node value = node.fields().get(key);
        if (value == null || value instanceof Value scalar && scalar.value().isBlank()) {
            reads.whole.add(full(key));
            return Optional.empty();
        }
        if (!(value instanceof Block block)) {
            throw invalid(key, "expected a block of keys, found a " + kind(value));
        }
        reads.blocks.add(full(key));
        return Optional.of(new TestConfig(full(key), key, block, reads));
    }

    @Override
    public List<PluginConfig> children(String key) {
        return List.copyOf(blocks(key));
    }

    /**
     * A list of blocks as {@code TestConfig}s, sharing this block's read record.
     *
     * @param key a direct key
     * @return the blocks, empty when absent
     */
    public List<TestConfig> blocks(String key) {
        Node value = node.fields().get(key);
        if (value == null || value instanceof Value scalar && scalar.value().isBlank()
                || value instanceof Block empty && empty.fields().isEmpty()) {
            reads.whole.add(full(key));
            return List.of();
        }
        if (!(value instanceof Items list)) {
            throw invalid(key, "expected a list of blocks (each item starting with '- '), found a " + kind(value));
        }
        reads.blocks.add(full(key));
        List<TestConfig> result = new ArrayList<>(list.items().size());
        for (int i = 0; i < list.items().size(); i++) {
            Node item = list.items().get(i);
            String itemPath = full(key) + "[" + i + "]";
            if (!(item instanceof Block block)) {
                throw new IllegalArgumentException(itemPath + ": expected a block of keys, found a " + kind(item));
            }
            reads.blocks.add(itemPath);
            result.add(new TestConfig(itemPath, key + "[" + i + "]", block, reads));
        }
        return result;
    }

    @Override
    public String toString() {
        return "TestConfig[" + path + "]";
    }
}
