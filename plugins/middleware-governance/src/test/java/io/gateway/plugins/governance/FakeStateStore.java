package io.gateway.plugins.governance;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory store with the contract of the real ones: atomic operations (through
 * {@link ConcurrentHashMap#compute}), expiry measured on a clock the test controls, counters stored as
 * decimal text as Redis keeps them, and a switch that makes every call fail with 503 like an
 * unreachable back end.
 */
final class FakeStateStore implements StateStore {

    private record Entry(byte[] value, long expiresAt) {
        boolean expired(long now) {
            return expiresAt != 0 && now >= expiresAt;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Duration> creationTtls = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile boolean down;

    FakeStateStore(Clock clock) {
        this.clock = clock;
    }

    /** Makes every later call fail (or succeed again). */
    void down(boolean down) {
        this.down = down;
    }

    /** The live counters, by key. */
    Map<String, Long> counters() {
        long now = clock.millis();
        Map<String, Long> result = new TreeMap<>();
        entries.forEach((key, entry) -> {
            if (!entry.expired(now)) {
                result.put(key, decode(entry.value()));
            }
        });
        return result;
    }

    /** A live counter, or 0. */
    long counter(String key) {
        return counters().getOrDefault(key, 0L);
    }

    /** The TTL a key was given when its counter was created. */
    Duration creationTtl(String key) {
        return creationTtls.get(key);
    }

    private void check() {
        if (down) {
            throw GatewayException.of(ErrorCode.STORE_UNAVAILABLE, "the state store cannot be reached");
        }
    }

    private long expiry(Duration ttl) {
        return ttl == null || ttl.isZero() || ttl.isNegative() ? 0 : clock.millis() + ttl.toMillis();
    }

    @Override
    public Optional<byte[]> get(String key) {
        check();
        Entry entry = entries.get(key);
        if (entry == null || entry.expired(clock.millis())) {
            return Optional.empty();
        }
        return Optional.of(entry.value().clone());
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) {
        check();
        entries.put(key, new Entry(value.clone(), expiry(ttl)));
    }

    @Override
    public boolean putIfAbsent(String key, byte[] value, Duration ttl) {
        check();
        long now = clock.millis();
        boolean[] written = {false};
        entries.compute(key, (k, current) -> {
            if (current == null || current.expired(now)) {
                written[0] = true;
                return new Entry(value.clone(), expiry(ttl));
            }
            return current;
        });
        return written[0];
    }

    @Override
    public boolean compareAndSet(String key, byte[] expected, byte[] value, Duration ttl) {
        check();
        long now = clock.millis();
        boolean[] written = {false};
        entries.computeIfPresent(key, (k, current) -> {
            if (!current.expired(now) && Arrays.equals(current.value(), expected)) {
                written[0] = true;
                return new Entry(value.clone(), expiry(ttl));
            }
            return current.expired(now) ? null : current;
        });
        return written[0];
    }

    @Override
    public long increment(String key, long delta, Duration ttl) {
        check();
        long now = clock.millis();
        long[] result = new long[1];
        entries.compute(key, (k, current) -> {
            long base = 0;
            long expiresAt;
            if (current == null || current.expired(now)) {
                expiresAt = expiry(ttl);
                if (ttl == null) {
                    creationTtls.remove(key);
                } else {
                    creationTtls.put(key, ttl);
                }
            } else {
                base = decode(current.value());
                expiresAt = current.expiresAt();
            }
            result[0] = base + delta;
            return new Entry(Long.toString(result[0]).getBytes(StandardCharsets.US_ASCII), expiresAt);
        });
        return result[0];
    }

    @Override
    public boolean delete(String key) {
        check();
        Entry removed = entries.remove(key);
        return removed != null && !removed.expired(clock.millis());
    }

    private static long decode(byte[] value) {
        return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
    }
}
