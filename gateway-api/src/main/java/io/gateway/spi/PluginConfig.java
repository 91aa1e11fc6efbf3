package io.gateway.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only, typed view of one plugin's configuration block.
 *
 * <p>{@code ${NAME}} placeholders are already replaced by environment values. Every accessor that
 * finds a value of the wrong form throws an {@link IllegalArgumentException} whose message names the
 * full key and the expected form, which stops start-up with that one line. The server records which
 * keys were read: a key in the block that no one read is reported as unknown. Implementations are
 * thread-safe; read everything in your factory's {@code create}.
 */
public interface PluginConfig {

    /**
     * The full path of this block, e.g. {@code gateway.providers.openai}.
     *
     * @return the path
     */
    String path();

    /**
     * The last segment of the path: the provider name for provider blocks.
     *
     * @return the name
     */
    String name();

    /**
     * The keys directly in this block.
     *
     * @return the keys
     */
    Set<String> keys();

    /**
     * Whether the block has a key.
     *
     * @param key a direct key
     * @return {@code true} if present
     */
    boolean has(String key);

    /**
     * A string value.
     *
     * @param key a direct key
     * @return the value, or empty when absent
     */
    Optional<String> string(String key);

    /**
     * A string value with a default.
     *
     * @param key          a direct key
     * @param defaultValue used when absent
     * @return the value
     */
    default String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    /**
     * An integer value.
     *
     * @param key          a direct key
     * @param defaultValue used when absent
     * @return the value
     * @throws IllegalArgumentException if not an integer
     */
    int integer(String key, int defaultValue);

    /**
     * A number value.
     *
     * @param key          a direct key
     * @param defaultValue used when absent
     * @return the value
     * @throws IllegalArgumentException if not a number
     */
    double number(String key, double defaultValue);

    /**
     * A boolean value ({@code true} or {@code false}).
     *
     * @param key          a direct key
     * @param defaultValue used when absent
     * @return the value
     * @throws IllegalArgumentException if not a boolean
     */
    boolean bool(String key, boolean defaultValue);

    /**
     * A duration such as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, or ISO-8601 {@code PT30S}.
     *
     * @param key          a direct key
     * @param defaultValue used when absent
     * @return the value
     * @throws IllegalArgumentException if not a duration
     */
    Duration duration(String key, Duration defaultValue);

    /**
     * A size in bytes such as {@code 512}, {@code 64KB}, {@code 32MB}, {@code 1GB}.
     *
     * @param key          a direct key
     * @param defaultValue used when absent
     * @return the value in bytes
     * @throws IllegalArgumentException if not a size
     */
    long size(String key, long defaultValue);

    /**
     * A list of strings; a single string counts as a list of one.
     *
     * @param key a direct key
     * @return the values, empty when absent
     */
    List<String> strings(String key);

    /**
     * A map of string values, e.g. {@code extra-headers}.
     *
     * @param key a direct key
     * @return the entries in file order, empty when absent
     */
    Map<String, String> map(String key);

    /**
     * A secret value: like {@link #string(String)}, but never logged and redacted in
     * {@code /admin/config}.
     *
     * @param key a direct key
     * @return the secret, {@link Secret#empty()} when absent or its variable is unset
     */
    Secret secret(String key);

    /**
     * A nested block.
     *
     * @param key a direct key
     * @return the block, or empty when absent
     */
    Optional<PluginConfig> child(String key);

    /**
     * A list of blocks, e.g. {@code keys}.
     *
     * @param key a direct key
     * @return the blocks, empty when absent
     */
    List<PluginConfig> children(String key);

    /**
     * An exception for a bad value, naming the full key, for a factory to throw.
     *
     * @param key    the key at fault
     * @param reason what is wrong and how to fix it
     * @return the exception to throw
     */
    default IllegalArgumentException invalid(String key, String reason) {
        return new IllegalArgumentException(path() + "." + key + ": " + reason);
    }
}
