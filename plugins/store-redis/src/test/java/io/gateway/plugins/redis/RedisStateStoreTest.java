package io.gateway.plugins.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.state.StateStore;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.RecordingLogger;

/** Every operation of the store against a real Redis, with the semantics of the in-memory store. */
class RedisStateStoreTest {

    private static TestRedis redis;
    private static String prefix;
    private static StateStore store;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<byte[], byte[]> rawConnection;
    private static RedisCommands<byte[], byte[]> raw;

    @BeforeAll
    static void start() {
        redis = TestRedis.open();
        // a prefix of its own, so an external Redis shared with other runs is no problem
        prefix = "store-redis-test:" + UUID.randomUUID() + ":";
        store = new RedisStateStoreFactory().create(RedisConfigs.state("url", redis.url(), "key-prefix", prefix),
                RedisConfigs.context(new RecordingLogger()));
        rawClient = RedisClient.create(redis.url());
        rawConnection = rawClient.connect(ByteArrayCodec.INSTANCE);
        raw = rawConnection.sync();
    }

    @AfterAll
    static void stop() {
        try {
            if (raw != null) {
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    KeyScanCursor<byte[]> page = raw.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
                    if (!page.getKeys().isEmpty()) {
                        raw.del(page.getKeys().toArray(new byte[0][]));
                    }
                    cursor = page;
                } while (!cursor.isFinished());
                rawConnection.close();
                rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            if (store != null) {
                store.close();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Optional<byte[]> value) {
        return value.map(v -> new String(v, StandardCharsets.UTF_8)).orElse(null);
    }

    private static String key(String name) {
        return name + ":" + UUID.randomUUID();
    }

    private static long pttl(String key) {
        return raw.pttl(bytes(prefix + key));
    }

    @Test
    void getOfAbsentKeyIsEmpty() {
        assertTrue(store.get(key("absent")).isEmpty());
    }

    @Test
    void putThenGetThenDelete() {
        String key = key("put");
        store.put(key, bytes("one"), null);
        assertEquals("one", text(store.get(key)));
        store.put(key, bytes("two"), Duration.ZERO);
        assertEquals("two", text(store.get(key)));
        assertEquals(-1, pttl(key), "zero ttl means no expiry");
        assertTrue(store.delete(key));
        assertTrue(store.get(key).isEmpty());
        assertFalse(store.delete(key), "a second delete finds nothing");
    }

    @Test
    void putReplacesTheTtl() {
        String key = key("put-ttl");
        store.put(key, bytes("a"), Duration.ofMinutes(5));
        long ttl = pttl(key);
        assertTrue(ttl > 290_000 && ttl <= 300_000, "ttl was " + ttl);
        store.put(key, bytes("b"), null);
        assertEquals(-1, pttl(key), "a put without ttl replaces the entry, expiry included");
        store.put(key, bytes("c"), Duration.ofSeconds(30));
        ttl = pttl(key);
        assertTrue(ttl > 29_000 && ttl <= 30_000, "ttl was " + ttl);
    }

    @Test
    void entriesExpire() {
        String put = key("expire-put");
        String absent = key("expire-pia");
        String cas = key("expire-cas");
        String counter = key("expire-counter");
        String deleted = key("expire-delete");
        Duration ttl = Duration.ofMillis(300);
        store.put(put, bytes("v"), ttl);
        assertTrue(store.putIfAbsent(absent, bytes("v"), ttl));
        store.put(cas, bytes("old"), null);
        assertTrue(store.compareAndSet(cas, bytes("old"), bytes("new"), ttl));
        assertEquals(5, store.increment(counter, 5, ttl));
        store.put(deleted, bytes("v"), ttl);
        assertEquals("v", text(store.get(put)));
        assertEquals("new", text(store.get(cas)));

        RedisServerProcess.sleep(700);

        assertTrue(store.get(put).isEmpty());
        assertTrue(store.get(absent).isEmpty());
        assertTrue(store.get(cas).isEmpty());
        assertTrue(store.get(counter).isEmpty());
        assertFalse(store.delete(deleted), "an expired entry does not count as existing");
        assertFalse(store.compareAndSet(cas, bytes("new"), bytes("newer"), null), "expired entries do not compare");
        assertTrue(store.putIfAbsent(absent, bytes("again"), null), "an expired entry counts as absent");
        assertEquals(2, store.increment(counter, 2, null), "an expired counter starts again at 0");
    }

    @Test
    void binaryValuesWithZeroBytesRoundTrip() {
        byte[] all = new byte[512];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        String key = key("binary");
        store.put(key, all, null);
        assertArrayEquals(all, store.get(key).orElseThrow());
        byte[] zeros = new byte[16];
        assertTrue(store.putIfAbsent(key("zeros"), zeros, null));

        // values that are equal up to a zero byte: a C-string comparison would call them equal
        byte[] stored = {1, 0, 2};
        byte[] sameUpToZero = {1, 0, 3};
        byte[] empty = {};
        String cas = key("binary-cas");
        store.put(cas, stored, null);
        assertFalse(store.compareAndSet(cas, sameUpToZero, empty, null));
        assertFalse(store.compareAndSet(cas, new byte[] {1}, empty, null), "a prefix is not equal");
        assertArrayEquals(stored, store.get(cas).orElseThrow());
        assertTrue(store.compareAndSet(cas, stored.clone(), empty, null));
        assertArrayEquals(empty, store.get(cas).orElseThrow(), "an empty value is a value, not an absence");
        assertTrue(store.compareAndSet(cas, empty, zeros, null));
        assertArrayEquals(zeros, store.get(cas).orElseThrow());
    }

    @Test
    void largeValueRoundTrips() {
        byte[] large = new byte[2 * 1024 * 1024];
        new java.util.Random(42).nextBytes(large);
        String key = key("large");
        store.put(key, large, Duration.ofMinutes(1));
        assertArrayEquals(large, store.get(key).orElseThrow());
    }

    @Test
    void putIfAbsentWritesOnlyOnce() {
        String key = key("pia");
        assertTrue(store.putIfAbsent(key, bytes("first"), Duration.ofMinutes(1)));
        assertFalse(store.putIfAbsent(key, bytes("second"), null));
        assertEquals("first", text(store.get(key)));
        long ttl = pttl(key);
        assertTrue(ttl > 50_000 && ttl <= 60_000, "the losing call leaves the ttl alone, was " + ttl);
        String noTtl = key("pia-no-ttl");
        assertTrue(store.putIfAbsent(noTtl, bytes("x"), null));
        assertEquals(-1, pttl(noTtl));
    }

    @Test
    void compareAndSetReplacesOnlyTheExpectedValue() {
        String key = key("cas");
        assertFalse(store.compareAndSet(key, bytes("x"), bytes("y"), null), "an absent key never compares");
        assertTrue(store.get(key).isEmpty(), "and is not created");

        store.put(key, bytes("v1"), null);
        assertFalse(store.compareAndSet(key, bytes("other"), bytes("v2"), null));
        assertEquals("v1", text(store.get(key)));

        assertTrue(store.compareAndSet(key, bytes("v1"), bytes("v2"), Duration.ofMinutes(2)));
        assertEquals("v2", text(store.get(key)));
        long ttl = pttl(key);
        assertTrue(ttl > 110_000 && ttl <= 120_000, "ttl was " + ttl);

        assertTrue(store.compareAndSet(key, bytes("v2"), bytes("v3"), null));
        assertEquals(-1, pttl(key), "a compareAndSet without ttl leaves a value without expiry");
        assertFalse(store.compareAndSet(key, bytes("v2"), bytes("v4"), null), "the old value no longer matches");
        assertEquals("v3", text(store.get(key)));
    }

    @Test
    void compareAndSetIsAtomicUnderContention() throws Exception {
        String key = key("cas-race");
        store.put(key, bytes("0"), null);
        int threads = 8;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> wins = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                wins.add(pool.submit(() -> {
                    int won = 0;
                    for (int i = 0; i < perThread; i++) {
                        while (true) {
                            byte[] current = store.get(key).orElseThrow();
                            long next = Long.parseLong(new String(current, StandardCharsets.US_ASCII)) + 1;
                            if (store.compareAndSet(key, current, bytes(Long.toString(next)), null)) {
                                won++;
                                break;
                            }
                        }
                    }
                    return won;
                }));
            }
            int total = 0;
            for (Future<Integer> win : wins) {
                total += win.get(60, TimeUnit.SECONDS);
            }
            assertEquals(threads * perThread, total);
            assertEquals(Integer.toString(threads * perThread), text(store.get(key)));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void incrementCreatesAtZeroAndAdds() {
        String key = key("counter");
        assertEquals(3, store.increment(key, 3, null));
        assertEquals(10, store.increment(key, 7, null));
        assertEquals(-5, store.increment(key, -15, null));
        assertEquals(-5, store.increment(key, 0, null));
        assertEquals("-5", text(store.get(key)), "counters are stored as decimal text, like the memory store");
        assertEquals(-1, pttl(key));

        String big = key("counter-big");
        long large = (1L << 53) + 1; // not representable as a double
        assertEquals(large, store.increment(big, large, null));
        assertEquals(large + 2, store.increment(big, 2, null));
        assertEquals(Long.MAX_VALUE, store.increment(key("counter-max"), Long.MAX_VALUE, null));
    }

    @Test
    void incrementSetsTheWindowTtlOnlyWhenItCreatesTheCounter() {
        String key = key("window");
        assertEquals(1, store.increment(key, 1, Duration.ofSeconds(10)));
        long first = pttl(key);
        assertTrue(first > 9_000 && first <= 10_000, "ttl was " + first);
        RedisServerProcess.sleep(300);
        assertEquals(2, store.increment(key, 1, Duration.ofSeconds(60)));
        long second = pttl(key);
        assertTrue(second <= first - 200, "the window must not be extended: " + first + " then " + second);

        // a counter that exists without expiry keeps it even when a later call passes a ttl
        String forever = key("window-none");
        store.increment(forever, 1, null);
        store.increment(forever, 1, Duration.ofSeconds(10));
        assertEquals(-1, pttl(forever));

        // created by this call although the result is not the delta's first value: still gets the ttl
        String fresh = key("window-zero");
        assertEquals(0, store.increment(fresh, 0, Duration.ofSeconds(10)));
        assertTrue(pttl(fresh) > 9_000);
    }

    @Test
    void incrementOfANonNumberIsAnInternalError() {
        String key = key("not-a-number");
        store.put(key, bytes("hello"), null);
        GatewayException e = assertThrows(GatewayException.class, () -> store.increment(key, 1, null));
        assertEquals(ErrorCode.INTERNAL, e.errorCode());
        assertEquals("hello", text(store.get(key)), "the entry is left as it was");

        String max = key("overflow");
        store.increment(max, Long.MAX_VALUE, null);
        GatewayException overflow = assertThrows(GatewayException.class, () -> store.increment(max, 1, null));
        assertEquals(ErrorCode.INTERNAL, overflow.errorCode());
    }

    @Test
    void concurrentIncrementsSumExactly() throws Exception {
        String key = key("concurrent");
        int threads = 16;
        int total = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ConcurrentLinkedQueue<Long> results = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int share = total / threads + (t < total % threads ? 1 : 0);
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < share; i++) {
                        results.add(store.increment(key, 1, Duration.ofMinutes(1)));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(total, results.size());
        Set<Long> distinct = new TreeSet<>(results);
        assertEquals(total, distinct.size(), "every call saw its own value");
        assertEquals(1L, ((TreeSet<Long>) distinct).first());
        assertEquals((long) total, ((TreeSet<Long>) distinct).last());
        assertEquals(Integer.toString(total), text(store.get(key)));
        assertTrue(pttl(key) > 0, "the counter got its window ttl");
    }

    // ---------------------------------------------------------------- holds: reserve, then settle

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void aHoldCountsUntilSettledAndTheCounterSeesOnlyWhatWasSettled() {
        String tok = key("holds");
        store.increment(tok, 30, MINUTE);

        assertTrue(store.reserve(tok, "r1", 50, 100, MINUTE));
        assertFalse(store.reserve(tok, "r2", 21, 100, MINUTE), "30 settled + 50 held + 21 > 100");
        assertTrue(store.reserve(tok, "r2", 20, 100, MINUTE), "30 + 50 + 20 = 100 fits");
        assertEquals(70, store.reserved(tok));
        assertEquals("30", text(store.get(tok)), "GET sees the settled value only");

        assertEquals(40, store.settle(tok, "r1", 10, MINUTE), "settled below its hold: the rest is free again");
        assertEquals(20, store.reserved(tok));
        assertTrue(store.reserve(tok, "r3", 40, 100, MINUTE));
        assertEquals(105, store.settle(tok, "r2", 65, MINUTE), "settled above its hold: the counter takes it all");
        assertEquals(40, store.reserved(tok));
        assertEquals(105, store.settle(tok, "r3", 0, MINUTE), "0 only releases");
        assertEquals(0, store.reserved(tok));
        assertFalse(store.reserve(tok, "r4", 0, 100, MINUTE), "nothing fits once the settled value passed the limit");
        assertEquals(0, raw.exists(bytes(prefix + tok + "#holds")), "no hold set is left behind");
    }

    @Test
    void aSettlementCreatesTheCounterWithItsTtlAndAReleaseCreatesNone() {
        String usd = key("settle-ttl");
        assertTrue(store.reserve(usd, "r1", 60, 100, MINUTE));
        assertTrue(store.reserve(usd, "r1", 60, 100, MINUTE), "a renewal fits whatever the limit");
        assertEquals(60, store.reserved(usd), "a renewal does not count twice");
        long holdTtl = raw.pttl(bytes(prefix + usd + "#holds"));
        assertTrue(holdTtl > 50_000 && holdTtl <= 60_000, "the hold set lives as long as its hold: " + holdTtl);
        assertEquals(0, store.settle(usd, "r1", 0, MINUTE));
        assertTrue(store.get(usd).isEmpty(), "releasing creates no counter");
        assertTrue(store.reserve(usd, "r2", 60, 100, MINUTE));
        assertEquals(55, store.settle(usd, "r2", 55, Duration.ofSeconds(30)));
        long ttl = pttl(usd);
        assertTrue(ttl > 25_000 && ttl <= 30_000, "created with the settlement's TTL: " + ttl);
        assertEquals(110, store.settle(usd, "never-held", 55, MINUTE), "an unknown hold only adds");
        assertTrue(pttl(usd) <= 30_000, "an existing counter keeps its TTL");
    }

    @Test
    void aHoldWhoseHolderVanishedExpiresOnRedissClock() throws InterruptedException {
        String tok = key("expiry");
        assertTrue(store.reserve(tok, "gone", 100, 100, Duration.ofMillis(200)));
        assertTrue(store.reserve(tok, "stays", 0, 100, MINUTE));
        assertFalse(store.reserve(tok, "r2", 1, 100, MINUTE));
        Thread.sleep(400);
        assertEquals(0, store.reserved(tok));
        assertTrue(store.reserve(tok, "r2", 100, 100, MINUTE), "the expired hold no longer counts");
        assertEquals(100, store.settle(tok, "gone", 100, MINUTE), "a late settlement still adds what was used");
        assertEquals(100, store.reserved(tok));
    }

    @Test
    void holdsAreExactUnderContentionFromTwoConnections() throws Exception {
        String tok = key("contention");
        try (StateStore second = new RedisStateStoreFactory().create(RedisConfigs.state("url", redis.url(),
                "key-prefix", prefix), RedisConfigs.context(new RecordingLogger()))) {
            List<Future<Boolean>> results = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService threads = Executors.newFixedThreadPool(16)) {
                for (int i = 0; i < 200; i++) {
                    StateStore which = i % 2 == 0 ? store : second;
                    String id = "r" + i;
                    results.add(threads.submit(() -> {
                        go.await();
                        return which.reserve(tok, id, 7, 350, MINUTE);
                    }));
                }
                go.countDown();
            }
            int held = 0;
            for (Future<Boolean> result : results) {
                held += result.get() ? 1 : 0;
            }
            assertEquals(50, held, "exactly 350 / 7 holds fit");
            assertEquals(350, second.reserved(tok));
        }
    }

    @Test
    void largeAmountsStayExact() {
        String usd = key("large");
        long big = 4_000_000_000_000_000L; // beyond 10^14, where Lua would print exponents
        assertTrue(store.reserve(usd, "r1", big, 2 * big, MINUTE));
        assertTrue(store.reserve(usd, "r2", big, 2 * big, MINUTE));
        assertFalse(store.reserve(usd, "r3", 1, 2 * big, MINUTE));
        assertEquals(2 * big, store.reserved(usd));
        assertEquals(big - 1, store.settle(usd, "r1", big - 1, null));
        assertEquals(big, store.reserved(usd));
    }

    @Test
    void aHoldOnANonNumberIsAnInternalError() {
        String key = key("not-a-number");
        store.put(key, bytes("abc"), MINUTE);
        GatewayException e = assertThrows(GatewayException.class, () -> store.reserve(key, "r1", 1, 10, MINUTE));
        assertEquals(ErrorCode.INTERNAL, e.errorCode());
        assertThrows(IllegalArgumentException.class, () -> store.reserve(key, "bad id", 1, 10, MINUTE));
    }

    @Test
    void keysCarryThePrefix() {
        String key = key("prefixed");
        store.put(key, bytes("mine"), null);
        assertArrayEquals(bytes("mine"), raw.get(bytes(prefix + key)));
        assertNull(raw.get(bytes(key)), "nothing is written without the prefix");

        String foreign = key("foreign");
        raw.set(bytes(foreign), bytes("theirs"));
        try {
            assertTrue(store.get(foreign).isEmpty(), "keys outside the prefix are invisible");
            assertFalse(store.delete(foreign));
            assertArrayEquals(bytes("theirs"), raw.get(bytes(foreign)));
        } finally {
            raw.del(bytes(foreign));
        }

        String unicode = key("ключ-键-🔑");
        store.put(unicode, bytes("utf8"), null);
        assertArrayEquals(bytes("utf8"), raw.get((prefix + unicode).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void defaultPrefixIsGatewayColon() {
        StateStore plain = new RedisStateStoreFactory().create(RedisConfigs.state("url", redis.url()),
                RedisConfigs.context(new RecordingLogger()));
        String key = "store-redis-test-default:" + UUID.randomUUID();
        try {
            plain.put(key, bytes("x"), Duration.ofMinutes(1));
            assertArrayEquals(bytes("x"), raw.get(bytes("gateway:" + key)));
            assertTrue(plain.delete(key));
        } finally {
            raw.del(bytes("gateway:" + key));
            plain.close();
        }
    }

    @Test
    void returnedValuesAreCopies() {
        String key = key("copies");
        byte[] value = bytes("abc");
        store.put(key, value, null);
        value[0] = 'X';
        byte[] read = store.get(key).orElseThrow();
        assertArrayEquals(bytes("abc"), read);
        read[0] = 'Y';
        assertArrayEquals(bytes("abc"), store.get(key).orElseThrow());
    }

    @Test
    void closeIsQuickAndLaterCallsFailWith503() {
        StateStore closing = new RedisStateStoreFactory().create(RedisConfigs.state("url", redis.url(),
                "key-prefix", prefix), RedisConfigs.context(new RecordingLogger()));
        closing.put(key("closing"), bytes("x"), Duration.ofMinutes(1));
        long started = System.nanoTime();
        closing.close();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(millis < 3000, "close took " + millis + " ms");
        closing.close();
        GatewayException e = assertThrows(GatewayException.class, () -> closing.get("anything"));
        assertEquals(ErrorCode.STORE_UNAVAILABLE, e.errorCode());
    }

    /** Measures one put and one get round trip; the numbers go to the test's output file. */
    @Test
    void roundTripLatency() {
        byte[] value = bytes("{\"status\":\"queued\",\"id\":\"job-123\"}");
        String key = key("latency");
        for (int i = 0; i < 2000; i++) { // warm-up: JIT, scripts, connection
            store.put(key, value, Duration.ofMinutes(1));
            store.get(key);
        }
        int rounds = 10_000;
        long putNanos = 0;
        long getNanos = 0;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            store.put(key, value, Duration.ofMinutes(1));
            long t1 = System.nanoTime();
            assertTrue(store.get(key).isPresent());
            long t2 = System.nanoTime();
            putNanos += t1 - t0;
            getNanos += t2 - t1;
        }
        long incrementNanos = 0;
        String counter = key("latency-counter");
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            store.increment(counter, 1, Duration.ofMinutes(1));
            incrementNanos += System.nanoTime() - t0;
        }
        long reserveNanos = 0;
        long settleNanos = 0;
        String held = key("latency-holds");
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            assertTrue(store.reserve(held, "r" + (i % 50), 10, Long.MAX_VALUE / 4, Duration.ofMinutes(1)));
            long t1 = System.nanoTime();
            store.settle(held, "r" + (i % 50), 9, Duration.ofMinutes(1));
            reserveNanos += t1 - t0;
            settleNanos += System.nanoTime() - t1;
        }
        System.out.printf("store-redis latency over %d rounds against %s: put %.1f us, get %.1f us, "
                        + "increment (Lua) %.1f us, reserve (Lua) %.1f us, settle (Lua) %.1f us%n", rounds,
                redis.url().replaceAll("//[^@/]*@", "//"), putNanos / 1000.0 / rounds, getNanos / 1000.0 / rounds,
                incrementNanos / 1000.0 / rounds, reserveNanos / 1000.0 / rounds, settleNanos / 1000.0 / rounds);
        assertEquals(rounds, store.increment(counter, 0, null));
    }
}
