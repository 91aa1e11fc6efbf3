package io.gateway.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret string (an API key, a token) that never shows itself in logs or messages.
 *
 * <p>{@link #toString()} always answers {@code "****"}; call {@link #reveal()} only where the value
 * must go on the wire. Instances are immutable and thread-safe.
 */
public final class Secret {

    private static final Secret EMPTY = new Secret("");

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /**
     * Wraps a value.
     *
     * @param value the secret, may be empty (an unset key)
     * @return the secret
     */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "value");
        return value.isEmpty() ? EMPTY : new Secret(value);
    }

    /**
     * The empty secret, standing for "not configured".
     *
     * @return the empty secret
     */
    public static Secret empty() {
        return EMPTY;
    }

    /**
     * The clear value, for the wire only.
     *
     * @return the value
     */
    public String reveal() {
        return value;
    }

    /**
     * Whether no value is configured (for example, the environment variable was unset).
     *
     * @return {@code true} if empty
     */
    public boolean isEmpty() {
        return value.isEmpty();
    }

    /**
     * Whether the value starts with a prefix, such as a key format's marker ({@code sk-bf-}); the
     * value itself stays hidden.
     *
     * @param prefix the prefix
     * @return {@code true} if the value starts with it
     */
    public boolean startsWith(String prefix) {
        return value.startsWith(Objects.requireNonNull(prefix, "prefix"));
    }

    /**
     * Compares with a candidate in time independent of where they differ.
     *
     * @param candidate a value received from a client, may be {@code null}
     * @return {@code true} if equal and this secret is not empty
     */
    public boolean matches(String candidate) {
        if (candidate == null || value.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret
                && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                secret.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    /**
     * Never the value.
     *
     * @return {@code "****"}, or {@code ""} when empty
     */
    @Override
    public String toString() {
        return value.isEmpty() ? "" : "****";
    }
}
