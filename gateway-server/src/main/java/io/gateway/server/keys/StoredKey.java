package io.gateway.server.keys;

import io.gateway.spi.middleware.ManagedVirtualKey;
import java.time.Instant;
import java.util.Objects;

/**
 * One managed virtual key as its row holds it: its rules, the digest of its value and, while the
 * grace of its last rotation lasts, the digest of the value before. Immutable; never a value.
 *
 * @param key           the rules, as the directory hands them to middleware
 * @param valueHash     SHA-256 of the current value, hex
 * @param previousHash  SHA-256 of the value before the last rotation, or {@code null}
 * @param previousUntil until when (epoch millis) the previous value still works; 0 without one
 * @param updatedAt     the last change
 */
record StoredKey(ManagedVirtualKey key, String valueHash, String previousHash, long previousUntil,
                 Instant updatedAt) {

    /** Checks the required parts. */
    StoredKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(valueHash, "valueHash");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /**
     * The name.
     *
     * @return the key's name
     */
    String name() {
        return key.name();
    }

    /**
     * Whether the previous value still works at an instant.
     *
     * @param nowMillis epoch millis
     * @return {@code true} during the grace of the last rotation
     */
    boolean previousValid(long nowMillis) {
        return previousHash != null && nowMillis < previousUntil;
    }

    @Override
    public String toString() {
        return "StoredKey[" + key.name() + "]";
    }
}
