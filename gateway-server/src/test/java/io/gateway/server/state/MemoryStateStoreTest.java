package io.gateway.server.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class MemoryStateStoreTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void valuesExpire() {
        ManualClock clock = new ManualClock();
        MemoryStateStore store = new MemoryStateStore(clock, 100);
        store.put("a", b("1"), Duration.ofSeconds(10));
        store.put("forever", b("2"), null);
        assertArrayEquals(b("1"), store.get("a").orElseThrow());
        clock.advance(Duration.ofSeconds(10));
        assertTrue(store.get("a").isEmpty());
        assertArrayEquals(b("2"), store.get("forever").orElseThrow());
    }

    @Test
    void putIfAbsentAndCompareAndSet() {
        MemoryStateStore store = new MemoryStateStore(new ManualClock(), 100);
        assertTrue(store.putIfAbsent("k", b("v1"), null));
        assertFalse(store.putIfAbsent("k", b("v2"), null));
        assertFalse(store.compareAndSet("k", b("other"), b("v3"), null));
        assertTrue(store.compareAndSet("k", b("v1"), b("v3"), null));
        assertArrayEquals(b("v3"), store.get("k").orElseThrow());
        assertFalse(store.compareAndSet("missing", b("x"), b("y"), null));
        assertTrue(store.delete("k"));
        assertFalse(store.delete("k"));
    }

    @Test
    void countersAreAtomicAndKeepTheirWindow() throws Exception {
        ManualClock clock = new ManualClock();
        MemoryStateStore store = new MemoryStateStore(clock, 100);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 10_000; i++) {
                pool.submit(() -> store.increment("c", 1, Duration.ofMinutes(1)));
            }
        }
        assertEquals(10_001, store.increment("c", 1, Duration.ofMinutes(1)));
        clock.advance(Duration.ofSeconds(59));
        assertEquals(10_002, store.increment("c", 1, Duration.ofMinutes(1)));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, store.increment("c", 1, Duration.ofMinutes(1)));
    }

    @Test
    void fullStoreRefusesNewKeysButNotUpdates() {
        ManualClock clock = new ManualClock();
        MemoryStateStore store = new MemoryStateStore(clock, 2);
        store.put("a", b("1"), Duration.ofSeconds(1));
        store.put("b", b("1"), null);
        store.put("b", b("2"), null);
        GatewayException full = assertThrows(GatewayException.class, () -> store.put("c", b("1"), null));
        assertEquals(503, full.status());
        clock.advance(Duration.ofSeconds(1));
        store.put("c", b("1"), null); // the expired entry was swept to make room
        assertEquals(2, store.size());
    }

    // ---------------------------------------------------------------- holds: reserve, then settle

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void aHoldCountsUntilSettledAndTheCounterSeesOnlyWhatWasSettled() {
        MemoryStateStore store = new MemoryStateStore(new ManualClock(), 100);
        store.increment("tok", 30, MINUTE);

        assertTrue(store.reserve("tok", "r1", 50, 100, MINUTE));
        assertFalse(store.reserve("tok", "r2", 21, 100, MINUTE), "30 settled + 50 held + 21 > 100");
        assertTrue(store.reserve("tok", "r2", 20, 100, MINUTE), "30 + 50 + 20 = 100 fits");
        assertEquals(70, store.reserved("tok"));
        assertArrayEquals(b("30"), store.get("tok").orElseThrow(), "get sees the settled value only");

        assertEquals(40, store.settle("tok", "r1", 10, MINUTE), "settled below its hold: the rest is free again");
        assertEquals(20, store.reserved("tok"));
        assertTrue(store.reserve("tok", "r3", 40, 100, MINUTE));
        assertEquals(105, store.settle("tok", "r2", 65, MINUTE), "settled above its hold: the counter takes it all");
        assertEquals(40, store.reserved("tok"));
        assertEquals(105, store.settle("tok", "r3", 0, MINUTE), "0 only releases");
        assertEquals(0, store.reserved("tok"));
        assertFalse(store.reserve("tok", "r4", 0, 100, MINUTE), "nothing fits once the settled value passed the limit");
        assertEquals(1, store.size(), "no hold set is left behind");
    }

    @Test
    void reservingAHeldIdRenewsItAndReleasingCreatesNoCounter() {
        ManualClock clock = new ManualClock();
        MemoryStateStore store = new MemoryStateStore(clock, 100);
        assertTrue(store.reserve("usd", "r1", 60, 100, MINUTE));
        clock.advance(Duration.ofSeconds(50));
        assertTrue(store.reserve("usd", "r1", 60, 100, MINUTE), "a renewal fits whatever the limit");
        assertEquals(60, store.reserved("usd"), "a renewal does not count twice");
        clock.advance(Duration.ofSeconds(50));
        assertEquals(60, store.reserved("usd"), "renewed at 50 s, the hold lives until 110 s");
        assertEquals(0, store.settle("usd", "r1", 0, null));
        assertTrue(store.get("usd").isEmpty(), "releasing creates no counter");
        assertEquals(0, store.size());
    }

    @Test
    void aHoldWhoseHolderVanishedExpiresAndALateSettlementStillCounts() {
        ManualClock clock = new ManualClock();
        MemoryStateStore store = new MemoryStateStore(clock, 100);
        assertTrue(store.reserve("tok", "gone", 100, 100, Duration.ofSeconds(30)));
        assertFalse(store.reserve("tok", "r2", 1, 100, MINUTE));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(0, store.reserved("tok"));
        assertTrue(store.reserve("tok", "r2", 100, 100, MINUTE), "the expired hold no longer counts");
        assertEquals(100, store.settle("tok", "gone", 100, MINUTE), "what was used is added all the same");
    }

    @Test
    void theSweepDropsExpiredHolds() {
        ManualClock clock = new ManualClock();
        MemoryStateStore store = new MemoryStateStore(clock, 100);
        store.reserve("a", "r1", 1, 10, Duration.ofSeconds(1));
        store.reserve("b", "r1", 1, 10, MINUTE);
        assertEquals(2, store.size());
        clock.advance(Duration.ofSeconds(1));
        store.sweep();
        assertEquals(1, store.size());
    }

    @Test
    void concurrentReservationsAndSettlementsNeverPassTheLimit() throws Exception {
        MemoryStateStore store = new MemoryStateStore(new ManualClock(), 1000);
        java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 2000; i++) {
                String id = "r" + i;
                pool.submit(() -> {
                    if (store.reserve("tok", id, 10, 5_000, MINUTE)) {
                        held.incrementAndGet();
                        long seen = Long.parseLong(new String(store.get("tok").orElse(b("0")), StandardCharsets.UTF_8))
                                + store.reserved("tok");
                        peak.accumulateAndGet(seen, Math::max);
                        store.settle("tok", id, 9, MINUTE);
                    }
                });
            }
        }
        // each of 2,000 requests holds 10 and uses 9: at least 500 fit 5,000, and at most 555 once settled lower
        assertTrue(held.get() >= 500 && held.get() <= 555, "held " + held.get());
        assertEquals(9L * held.get(), Long.parseLong(new String(store.get("tok").orElseThrow(), StandardCharsets.UTF_8)));
        assertTrue(peak.get() <= 5_000, "settled + held reached " + peak.get());
        assertEquals(0, store.reserved("tok"));
    }

    @Test
    void aFullStoreRefusesAHoldOnANewCounter() {
        MemoryStateStore store = new MemoryStateStore(new ManualClock(), 1);
        store.put("x", b("1"), null);
        assertEquals(503, assertThrows(GatewayException.class, () -> store.reserve("tok", "r1", 1, 10, MINUTE)).status());
        assertThrows(IllegalArgumentException.class, () -> store.reserve("x", "bad id", 1, 10, MINUTE));
        assertThrows(IllegalArgumentException.class, () -> store.reserve("x", "id", -1, 10, MINUTE));
        assertThrows(IllegalArgumentException.class, () -> store.reserve("x", "id", 1, 10, Duration.ZERO));
    }
}
