package io.gateway.testkit;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A {@link StateStore} in memory with the contract of the server's stores: the atomic operations are
 * atomic (each runs inside one {@link ConcurrentHashMap#compute}), expiry is measured on a clock the
 * test controls (the {@link TestClock} of its {@link TestContext}), counters are kept as decimal text
 * as Redis keeps them, and incrementing an entry that is not a number fails with 500, as the server's
 * stores do.
 *
 * <p>{@link #failing(boolean)} makes every call fail with 503 {@code store_unavailable}, as an
 * unreachable back end does, so a plugin's behaviour during an outage can be tested. The inspection
 * methods ({@link #counter}, {@link #counters}, {@link #value}, {@link #timeToLive}, {@link #holds}) are
 * not affected.
 *
 * <p>Holds ({@link #reserve}, {@link #settle}, {@link #reserved}) are kept beside the counters, as the
 * server's stores keep them: {@link #counter} and {@link #counters} show settled values only, and the
 * holds expire on the same clock.
 *
 * <p>Thread-safe. Keys are used as given: the store adds no prefix.
 */
public final class MemoryStateStore implements StateStore {

    /** A value, when it expires (0 for never), and the time to live it was created with. */
    private record Entry(byte[] value, long expiresAt, Duration ttl) {
        boolean expired(long now) {
            return expiresAt != 0 && now >= expiresAt;
        }
    }

    private static final Pattern HOLD_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** One hold: what it holds and when it expires. */
    private record Hold(long amount, long expiresAt) {
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /** Each counter's holds by id; a map is only changed inside a {@code compute} of its counter's key. */
    private final ConcurrentHashMap<String, Map<String, Hold>> holds = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile boolean failing;

    /**
     * A store measuring expiry on a clock.
     *
     * @param clock the clock, usually the context's {@link TestClock}
     */
    public MemoryStateStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Makes every later call fail with 503 {@code store_unavailable} (or work again).
     *
     * @param down {@code true} to fail
     * @return this store
     */
    public MemoryStateStore failing(boolean down) {
        this.failing = down;
        return this;
    }

    private void check() {
        if (failing) {
            throw GatewayException.of(ErrorCode.STORE_UNAVAILABLE,
                    "the state store cannot be reached (the test made it fail)");
        }
    }

    private static Duration ttlOf(Duration ttl) {
        return ttl == null || ttl.isNegative() ? Duration.ZERO : ttl;
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
        entries.put(Objects.requireNonNull(key, "key"), new Entry(value.clone(), expiry(ttl), ttlOf(ttl)));
    }

    @Override
    public boolean putIfAbsent(String key, byte[] value, Duration ttl) {
        check();
        long now = clock.millis();
        Entry fresh = new Entry(value.clone(), expiry(ttl), ttlOf(ttl));
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
        check();
        long now = clock.millis();
        Entry fresh = new Entry(value.clone(), expiry(ttl), ttlOf(ttl));
        boolean[] written = {false};
        entries.computeIfPresent(key, (k, current) -> {
            if (current.expired(now)) {
                return null;
            }
            if (Arrays.equals(current.value(), expected)) {
                written[0] = true;
                return fresh;
            }
            return current;
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
            Duration createdWith;
            if (current == null || current.expired(now)) {
                expiresAt = expiry(ttl);
                createdWith = ttlOf(ttl);
            } else {
                base = decode(current.value());
                expiresAt = current.expiresAt();
                createdWith = current.ttl();
            }
            result[0] = base + delta;
            return new Entry(Long.toString(result[0]).getBytes(StandardCharsets.US_ASCII), expiresAt, createdWith);
        });
        return result[0];
    }

    @Override
    public boolean delete(String key) {
        check();
        Entry removed = entries.remove(key);
        return removed != null && !removed.expired(clock.millis());
    }

    @Override
    public boolean reserve(String key, String id, long amount, long limit, Duration holdTtl) {
        check();
        checkHold(id);
        if (amount < 0 || limit < 0) {
            throw new IllegalArgumentException("a hold's amount and limit must not be negative: " + amount + ", " + limit);
        }
        if (holdTtl == null || holdTtl.isZero() || holdTtl.isNegative()) {
            throw new IllegalArgumentException("a hold needs a positive time to live: " + holdTtl);
        }
        long now = clock.millis();
        long expiresAt = now + holdTtl.toMillis();
        boolean[] held = {false};
        holds.compute(key, (k, current) -> {
            Map<String, Hold> live = live(current, now);
            Hold existing = live.get(id);
            if (existing != null) {
                live.put(id, new Hold(existing.amount(), Math.max(existing.expiresAt(), expiresAt)));
                held[0] = true;
            } else if (fits(settled(key, now), total(live), amount, limit)) {
                live.put(id, new Hold(amount, expiresAt));
                held[0] = true;
            }
            return live.isEmpty() ? null : live;
        });
        return held[0];
    }

    @Override
    public long settle(String key, String id, long amount, Duration ttl) {
        check();
        checkHold(id);
        long now = clock.millis();
        long[] settled = new long[1];
        holds.compute(key, (k, current) -> {
            settled[0] = amount != 0 ? increment(key, amount, ttl) : settled(key, now);
            Map<String, Hold> live = live(current, now);
            live.remove(id);
            return live.isEmpty() ? null : live;
        });
        return settled[0];
    }

    @Override
    public long reserved(String key) {
        check();
        return holds(key).values().stream().mapToLong(Long::longValue).sum();
    }

    private static Map<String, Hold> live(Map<String, Hold> current, long now) {
        Map<String, Hold> live = new TreeMap<>();
        if (current != null) {
            current.forEach((id, hold) -> {
                if (hold.expiresAt() > now) {
                    live.put(id, hold);
                }
            });
        }
        return live;
    }

    private static long total(Map<String, Hold> live) {
        return live.values().stream().mapToLong(Hold::amount).sum();
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

    private static long decode(byte[] value) {
        try {
            return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw GatewayException.of(ErrorCode.INTERNAL, "a state entry used as a counter is not a number");
        }
    }

    // ---------------------------------------------------------------- inspection (never fails)

    /**
     * A live counter's value.
     *
     * @param key the key
     * @return the value, 0 when absent or expired
     * @throws NumberFormatException if the entry is not a number
     */
    public long counter(String key) {
        return value(key).map(Long::parseLong).orElse(0L);
    }

    /**
     * Every live entry whose value is a decimal number, by key in sorted order.
     *
     * @return a snapshot
     */
    public Map<String, Long> counters() {
        long now = clock.millis();
        Map<String, Long> result = new TreeMap<>();
        entries.forEach((key, entry) -> {
            if (!entry.expired(now)) {
                try {
                    result.put(key, Long.parseLong(new String(entry.value(), StandardCharsets.US_ASCII)));
                } catch (NumberFormatException notACounter) {
                    // not a counter
                }
            }
        });
        return result;
    }

    /**
     * A live entry's value as UTF-8 text.
     *
     * @param key the key
     * @return the text, or empty when absent or expired
     */
    public Optional<String> value(String key) {
        Entry entry = entries.get(key);
        if (entry == null || entry.expired(clock.millis())) {
            return Optional.empty();
        }
        return Optional.of(new String(entry.value(), StandardCharsets.UTF_8));
    }

    /**
     * How long a live entry has left.
     *
     * @param key the key
     * @return the time left, {@link Duration#ZERO} for an entry without expiry, empty when absent or
     *         expired
     */
    public Optional<Duration> timeToLive(String key) {
        Entry entry = entries.get(key);
        long now = clock.millis();
        if (entry == null || entry.expired(now)) {
            return Optional.empty();
        }
        return Optional.of(entry.expiresAt() == 0 ? Duration.ZERO : Duration.ofMillis(entry.expiresAt() - now));
    }

    /**
     * The time to live a live entry was created with (a counter keeps the one of its first increment;
     * a {@code put} or a successful {@code compareAndSet} sets a new one).
     *
     * @param key the key
     * @return the time to live, {@link Duration#ZERO} for none, empty when absent or expired
     */
    public Optional<Duration> createdWithTtl(String key) {
        Entry entry = entries.get(key);
        if (entry == null || entry.expired(clock.millis())) {
            return Optional.empty();
        }
        return Optional.of(entry.ttl());
    }

    /**
     * The live holds on a counter: amount by hold id.
     *
     * @param key the counter
     * @return a snapshot, sorted by id; empty when nothing is held
     */
    public Map<String, Long> holds(String key) {
        long now = clock.millis();
        Map<String, Long> result = new TreeMap<>();
        Map<String, Hold> current = holds.get(key);
        if (current != null) {
            current.forEach((id, hold) -> {
                if (hold.expiresAt() > now) {
                    result.put(id, hold.amount());
                }
            });
        }
        return result;
    }

    /**
     * The keys of the live entries, sorted.
     *
     * @return a snapshot
     */
    public java.util.SortedSet<String> keys() {
        long now = clock.millis();
        java.util.SortedSet<String> result = new java.util.TreeSet<>();
        entries.forEach((key, entry) -> {
            if (!entry.expired(now)) {
                result.add(key);
            }
        });
        return result;
    }

    @Override
    public String toString() {
        return "MemoryStateStore[" + entries.size() + " entries" + (failing ? ", failing" : "") + "]";
    }
}
