package io.gateway.server.state;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.state.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The single-node {@link StateStore}: a concurrent map with per-entry expiry, bounded in entries.
 * Expired entries vanish on access and in {@link #sweep()}, which the server runs periodically.
 * When the bound is reached after a sweep, writes of new keys fail with 503 rather than silently
 * evicting state someone relies on (an async job, a budget counter).
 *
 * <p>Holds ({@link #reserve}) live in a second map beside the counters, one set per counter; every
 * operation on a counter's holds, settling included, runs inside one {@link ConcurrentHashMap#compute}
 * of that set, so reservations and settlements of a counter are atomic with respect to each other.
 * A set counts as one entry against the bound.
 */
public final class MemoryStateStore implements StateStore {

    private static final Pattern HOLD_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private record Entry(byte[] value, long expiresAt) {
        boolean expired(long now) {
            return expiresAt != 0 && now >= expiresAt;
        }
    }

    /** The live holds of one counter; only touched inside a {@code compute} of its key. */
    private static final class HoldSet {
        /** id → {amount, expiresAt}. */
        final HashMap<String, long[]> holds = new HashMap<>(4);
        long total;
        long earliest = Long.MAX_VALUE;

        /** Drops the expired holds, scanning only when the earliest expiry has passed. */
        void purge(long now) {
            if (earliest > now) {
                return;
            }
            earliest = Long.MAX_VALUE;
            Iterator<Map.Entry<String, long[]>> it = holds.entrySet().iterator();
            while (it.hasNext()) {
                long[] hold = it.next().getValue();
                if (hold[1] <= now) {
                    total -= hold[0];
                    it.remove();
                } else {
                    earliest = Math.min(earliest, hold[1]);
                }
            }
        }

        void add(String id, long amount, long expiresAt) {
            holds.put(id, new long[] {amount, expiresAt});
            total += amount;
            earliest = Math.min(earliest, expiresAt);
        }

        void remove(String id) {
            long[] hold = holds.remove(id);
            if (hold != null) {
                total -= hold[0];
            }
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, HoldSet> holds = new ConcurrentHashMap<>();
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
        if (entries.size() + holds.size() >= maxEntries && !entries.containsKey(key)) {
            // only the entries: this may run inside a compute of the holds, which must not be swept here
            sweepEntries();
            if (entries.size() + holds.size() >= maxEntries) {
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
    public boolean reserve(String key, String id, long amount, long limit, Duration holdTtl) {
        checkHold(id);
        if (amount < 0 || limit < 0) {
            throw new IllegalArgumentException("a hold's amount and limit must not be negative: " + amount + ", " + limit);
        }
        if (holdTtl == null || holdTtl.isZero() || holdTtl.isNegative()) {
            throw new IllegalArgumentException("a hold needs a positive time to live: " + holdTtl);
        }
        if (!holds.containsKey(key)) {
            ensureRoom(key);
        }
        long now = clock.millis();
        long expiresAt = now + holdTtl.toMillis();
        boolean[] held = {false};
        holds.compute(key, (k, set) -> {
            HoldSet current = set == null ? new HoldSet() : set;
            current.purge(now);
            long[] existing = current.holds.get(id);
            if (existing != null) {
                existing[1] = Math.max(existing[1], expiresAt);
                held[0] = true;
            } else if (fits(settled(key, now), current.total, amount, limit)) {
                current.add(id, amount, expiresAt);
                held[0] = true;
            }
            return current.holds.isEmpty() ? null : current;
        });
        return held[0];
    }

    @Override
    public long settle(String key, String id, long amount, Duration ttl) {
        checkHold(id);
        long now = clock.millis();
        long[] settled = new long[1];
        holds.compute(key, (k, set) -> {
            settled[0] = amount != 0 ? increment(key, amount, ttl) : settled(key, now);
            if (set == null) {
                return null;
            }
            set.purge(now);
            set.remove(id);
            return set.holds.isEmpty() ? null : set;
        });
        return settled[0];
    }

    @Override
    public long reserved(String key) {
        long now = clock.millis();
        long[] total = new long[1];
        holds.computeIfPresent(key, (k, set) -> {
            set.purge(now);
            total[0] = set.total;
            return set.holds.isEmpty() ? null : set;
        });
        return total[0];
    }

    private long settled(String key, long now) {
        Entry entry = entries.get(key);
        return entry == null || entry.expired(now) ? 0 : decode(entry.value());
    }

    private static boolean fits(long settled, long held, long amount, long limit) {
        try {
            return Math.addExact(Math.addExact(settled, held), amount) <= limit;
        } catch (ArithmeticException overflow) {
            return false;
        }
    }

    private static void checkHold(String id) {
        if (id == null || !HOLD_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a hold's id is 1 to 128 letters, digits, '-', '_', '.' or ':': " + id);
        }
    }

    @Override
    public boolean delete(String key) {
        Entry removed = entries.remove(key);
        return removed != null && !removed.expired(clock.millis());
    }

    /**
     * Removes expired entries and holds.
     *
     * @return how many entries were removed (holds not counted)
     */
    public int sweep() {
        long now = clock.millis();
        for (String key : holds.keySet()) {
            holds.computeIfPresent(key, (k, set) -> {
                set.purge(now);
                return set.holds.isEmpty() ? null : set;
            });
        }
        return sweepEntries();
    }

    private int sweepEntries() {
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
     * How many entries are held, expired ones not yet swept included; each counter with holds counts
     * once more.
     *
     * @return the count
     */
    public int size() {
        return entries.size() + holds.size();
    }
}
