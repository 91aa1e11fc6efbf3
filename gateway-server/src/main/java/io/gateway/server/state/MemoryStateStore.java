package io.gateway.server.state;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.state.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single-node {@link StateStore}: a concurrent map with per-entry expiry, bounded in entries.
 * Expired entries vanish on access and in {@link #sweep()}, which the server runs periodically.
 * When the bound is reached after a sweep, writes of new keys fail with 503 rather than silently
 * evicting state someone relies on (an async job, a budget counter).
 */
public final class MemoryStateStore implements StateStore {

    private record Entry(byte[] value, long expiresAt) {
        boolean expired(long now) {
            return expiresAt != 0 && now >= expiresAt;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int maxEntries;

    /**
     * A store.
     *
     * @param clock      the clock expiry is measured with
     * @param maxEntries the most entries it holds
     */
    public MemoryStateStore(Clock clock, int maxEntries) {
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    private long expiry(Duration ttl) {
        if (ttl == null || ttl.isZero() || ttl.isNegative()) {
            return 0;
        }
        return clock.millis() + ttl.toMillis();
    }

    private void ensureRoom(String key) {
        if (entries.size() >= maxEntries && !entries.containsKey(key)) {
            sweep();
            if (entries.size() >= maxEntries) {
                throw GatewayException.of(ErrorCode.STORE_UNAVAILABLE, "the in-memory state store is full ("
                        + maxEntries + " entries); raise gateway.state.max-entries or use the redis store");
            }
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (entry.expired(clock.millis())) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.value().clone());
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) {
        ensureRoom(key);
        entries.put(key, new Entry(value.clone(), expiry(ttl)));
    }

    @Override
    public boolean putIfAbsent(String key, byte[] value, Duration ttl) {
        ensureRoom(key);
        long now = clock.millis();
        Entry fresh = new Entry(value.clone(), expiry(ttl));
        boolean[] written = {false};
        entries.compute(key, (k, current) -> {
            if (current == null || current.expired(now)) {
                written[0] = true;
                return fresh;
            }
            return current;
        });
        return written[0];
    }

    @Override
    public boolean compareAndSet(String key, byte[] expected, byte[] value, Duration ttl) {
        long now = clock.millis();
        Entry fresh = new Entry(value.clone(), expiry(ttl));
        boolean[] written = {false};
        entries.computeIfPresent(key, (k, current) -> {
            if (!current.expired(now) && Arrays.equals(current.value(), expected)) {
                written[0] = true;
                return fresh;
            }
            return current.expired(now) ? null : current;
        });
        return written[0];
    }

    @Override
    public long increment(String key, long delta, Duration ttl) {
        ensureRoom(key);
        long now = clock.millis();
        long[] result = new long[1];
        entries.compute(key, (k, current) -> {
            long base = 0;
            long expiresAt;
            if (current == null || current.expired(now)) {
                expiresAt = expiry(ttl);
            } else {
                base = decode(current.value());
                expiresAt = current.expiresAt();
            }
            result[0] = base + delta;
            return new Entry(Long.toString(result[0]).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    expiresAt);
        });
        return result[0];
    }

    private static long decode(byte[] value) {
        try {
            return Long.parseLong(new String(value, java.nio.charset.StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw GatewayException.of(ErrorCode.INTERNAL, "a state entry used as a counter is not a number");
        }
    }

    @Override
    public boolean delete(String key) {
        Entry removed = entries.remove(key);
        return removed != null && !removed.expired(clock.millis());
    }

    /**
     * Removes expired entries.
     *
     * @return how many were removed
     */
    public int sweep() {
        long now = clock.millis();
        int removed = 0;
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue().expired(now)) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    /**
     * How many entries are held, expired ones not yet swept included.
     *
     * @return the count
     */
    public int size() {
        return entries.size();
    }
}
