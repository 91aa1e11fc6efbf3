package io.gateway.spi.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The default {@code reserve}/{@code settle}/{@code reserved} of {@link StateStore}, on a store that
 * implements only the 2.0 operations (as a store plugin built before 2.1 does).
 */
class StateStoreHoldsTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    /** A store with only the 2.0 operations, atomic per key, without expiry (holds expire by their own time). */
    private static final class PlainStore implements StateStore {
        final ConcurrentHashMap<String, byte[]> values = new ConcurrentHashMap<>();

        @Override
        public Optional<byte[]> get(String key) {
            return Optional.ofNullable(values.get(key));
        }

        @Override
        public void put(String key, byte[] value, Duration ttl) {
            values.put(key, value);
        }

        @Override
        public boolean putIfAbsent(String key, byte[] value, Duration ttl) {
            return values.putIfAbsent(key, value) == null;
        }

        @Override
        public boolean compareAndSet(String key, byte[] expected, byte[] value, Duration ttl) {
            AtomicReference<Boolean> replaced = new AtomicReference<>(false);
            values.computeIfPresent(key, (k, current) -> {
                if (Arrays.equals(current, expected)) {
                    replaced.set(true);
                    return value;
                }
                return current;
            });
            return replaced.get();
        }

        @Override
        public long increment(String key, long delta, Duration ttl) {
            byte[] next = values.merge(key, Long.toString(delta).getBytes(StandardCharsets.US_ASCII),
                    (current, d) -> Long.toString(Long.parseLong(new String(current, StandardCharsets.US_ASCII))
                            + delta).getBytes(StandardCharsets.US_ASCII));
            return Long.parseLong(new String(next, StandardCharsets.US_ASCII));
        }

        @Override
        public boolean delete(String key) {
            return values.remove(key) != null;
        }
    }

    @Test
    void aHoldCountsUntilSettledAndTheCounterSeesOnlyWhatWasSettled() {
        PlainStore store = new PlainStore();
        store.increment("tok", 30, MINUTE);

        assertTrue(store.reserve("tok", "r1", 50, 100, MINUTE));
        assertFalse(store.reserve("tok", "r2", 21, 100, MINUTE), "30 settled + 50 held + 21 > 100");
        assertTrue(store.reserve("tok", "r2", 20, 100, MINUTE), "30 + 50 + 20 = 100 fits");
        assertEquals(70, store.reserved("tok"));
        assertEquals("30", new String(store.get("tok").orElseThrow(), StandardCharsets.US_ASCII));

        assertEquals(40, store.settle("tok", "r1", 10, MINUTE), "settled below the hold: 40 left free again");
        assertEquals(20, store.reserved("tok"));
        assertTrue(store.reserve("tok", "r3", 40, 100, MINUTE));
        assertEquals(105, store.settle("tok", "r2", 65, MINUTE), "settled above the hold: the counter takes it all");
        assertEquals(40, store.reserved("tok"));
        assertEquals(105, store.settle("tok", "r3", 0, MINUTE), "0 only releases");
        assertEquals(0, store.reserved("tok"));
        assertFalse(store.reserve("tok", "r4", 0, 100, MINUTE), "nothing fits once the settled value passed the limit");
    }

    @Test
    void reservingAHeldIdRenewsItWithoutCountingItTwice() {
        PlainStore store = new PlainStore();
        assertTrue(store.reserve("usd", "r1", 60, 100, MINUTE));
        assertTrue(store.reserve("usd", "r1", 60, 100, MINUTE), "a renewal fits whatever the limit");
        assertEquals(60, store.reserved("usd"));
        assertEquals(0, store.settle("usd", "r1", 0, null));
        assertEquals(0, store.reserved("usd"));
        assertTrue(store.get("usd").isEmpty(), "releasing creates no counter");
        assertEquals(0, store.settle("usd", "never-held", 0, null), "settling an unknown hold changes nothing");
    }

    @Test
    void aHoldWhoseHolderVanishedExpires() throws InterruptedException {
        PlainStore store = new PlainStore();
        assertTrue(store.reserve("tok", "gone", 100, 100, Duration.ofMillis(30)));
        assertFalse(store.reserve("tok", "r2", 1, 100, MINUTE));
        Thread.sleep(80);
        assertEquals(0, store.reserved("tok"));
        assertTrue(store.reserve("tok", "r2", 100, 100, MINUTE), "the expired hold no longer counts");
        assertEquals(100, store.settle("tok", "gone", 100, MINUTE), "a late settlement still adds what was used");
    }

    @Test
    void concurrentReservationsNeverPassTheLimit() throws Exception {
        PlainStore store = new PlainStore();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 40; i++) {
                String id = "r" + i;
                results.add(threads.submit(() -> {
                    go.await();
                    return store.reserve("tok", id, 10, 50, MINUTE);
                }));
            }
            go.countDown();
        }
        int held = 0;
        for (Future<Boolean> result : results) {
            held += result.get() ? 1 : 0;
        }
        assertEquals(5, held);
        assertEquals(50, store.reserved("tok"));
    }

    @Test
    void invalidArgumentsAreRefused() {
        PlainStore store = new PlainStore();
        assertThrows(IllegalArgumentException.class, () -> store.reserve("k", "has space", 1, 1, MINUTE));
        assertThrows(IllegalArgumentException.class, () -> store.reserve("k", "", 1, 1, MINUTE));
        assertThrows(IllegalArgumentException.class, () -> store.reserve("k", "id", -1, 1, MINUTE));
        assertThrows(IllegalArgumentException.class, () -> store.reserve("k", "id", 1, -1, MINUTE));
        assertThrows(IllegalArgumentException.class, () -> store.reserve("k", "id", 1, 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> store.settle("k", "a\nb", 1, MINUTE));
        assertFalse(store.reserve("k", "id", Long.MAX_VALUE, Long.MAX_VALUE, MINUTE) && store.reserve("k", "id2", 1,
                Long.MAX_VALUE, MINUTE), "an overflowing sum never fits");
    }
}
