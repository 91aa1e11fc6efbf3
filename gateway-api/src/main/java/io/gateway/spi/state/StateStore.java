package io.gateway.spi.state;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;

import java.time.Duration;
import java.util.Optional;

/**
 * Shared key-value state with expiry: async jobs, rate-limit and budget counters, cache entries.
 *
 * <p>On one node the server uses an in-memory store; in a cluster a store plugin (Redis) makes the
 * same state visible to every replica. Keys are plain strings (the store adds its own prefix);
 * values are bytes. A {@code ttl} of {@code null} or zero means no expiry. Implementations are
 * thread-safe, and the operations documented as atomic are atomic across all replicas.
 *
 * <p>Every method throws {@link GatewayException} with {@link ErrorCode#STORE_UNAVAILABLE} (503) when
 * the back end cannot be reached.
 */
public interface StateStore extends AutoCloseable {

    /**
     * Reads a value.
     *
     * @param key the key
     * @return the value, or empty when absent or expired
     */
    Optional<byte[]> get(String key);

    /**
     * Writes a value, replacing any earlier one.
     *
     * @param key   the key
     * @param value the value
     * @param ttl   time to live, or {@code null} for none
     */
    void put(String key, byte[] value, Duration ttl);

    /**
     * Writes a value only if the key is absent. Atomic.
     *
     * @param key   the key
     * @param value the value
     * @param ttl   time to live, or {@code null} for none
     * @return {@code true} if written
     */
    boolean putIfAbsent(String key, byte[] value, Duration ttl);

    /**
     * Replaces the value only if it currently equals {@code expected}. Atomic.
     *
     * @param key      the key
     * @param expected the current value
     * @param value    the new value
     * @param ttl      time to live of the new value, or {@code null} for none
     * @return {@code true} if replaced
     */
    boolean compareAndSet(String key, byte[] expected, byte[] value, Duration ttl);

    /**
     * Adds to a counter, creating it at 0 first. Atomic. {@code ttl} applies when the counter is
     * created, so a window counter expires at the end of its window.
     *
     * @param key   the key
     * @param delta amount to add (may be negative)
     * @param ttl   time to live when created, or {@code null} for none
     * @return the new value
     */
    long increment(String key, long delta, Duration ttl);

    /**
     * Deletes a key.
     *
     * @param key the key
     * @return {@code true} if it existed
     */
    boolean delete(String key);

    /** Releases connections at shutdown. The default does nothing. */
    @Override
    default void close() {
    }
}
