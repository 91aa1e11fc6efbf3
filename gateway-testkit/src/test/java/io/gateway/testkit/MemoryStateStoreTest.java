package io.gateway.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The store keeps the state-store contract, with expiry on the test's clock. */
class MemoryStateStoreTest {

    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final MemoryStateStore store = new MemoryStateStore(clock);

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void entriesExpireWhenTheClockPassesTheirTimeToLive() {
        store.put("a", bytes("1"), Duration.ofSeconds(10));
        store.put("forever", bytes("2"), null);
        clock.advance(Duration.ofSeconds(9));
        assertArrayEquals(bytes("1"), store.get("a").orElseThrow());
        assertEquals(Duration.ofSeconds(1), store.timeToLive("a").orElseThrow());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(store.get("a").isEmpty());
        assertFalse(store.delete("a"), "an expired entry is gone");
        assertEquals(Duration.ZERO, store.timeToLive("forever").orElseThrow());
    }

    @Test
    void theAtomicOperationsKeepTheirContract() {
        assertTrue(store.putIfAbsent("k", bytes("a"), Duration.ofSeconds(5)));
        assertFalse(store.putIfAbsent("k", bytes("b"), null));
        assertFalse(store.compareAndSet("k", bytes("x"), bytes("c"), null));
        assertTrue(store.compareAndSet("k", bytes("a"), bytes("c"), Duration.ofMinutes(1)));
        assertEquals("c", store.value("k").orElseThrow());
        assertEquals(Duration.ofMinutes(1), store.createdWithTtl("k").orElseThrow());
        clock.advance(Duration.ofMinutes(2));
        assertFalse(store.compareAndSet("k", bytes("c"), bytes("d"), null), "an expired entry cannot be swapped");
        assertTrue(store.putIfAbsent("k", bytes("e"), null), "an expired entry counts as absent");
        assertTrue(store.delete("k"));
    }

    @Test
    void countersKeepTheTimeToLiveOfTheirFirstIncrement() {
        assertEquals(5, store.increment("c", 5, Duration.ofMinutes(1)));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(3, store.increment("c", -2, Duration.ofHours(1)));
        assertEquals(Duration.ofMinutes(1), store.createdWithTtl("c").orElseThrow());
        assertEquals(Duration.ofSeconds(30), store.timeToLive("c").orElseThrow());
        assertEquals(Map.of("c", 3L), store.counters());
        clock.advance(Duration.ofSeconds(30));
        assertEquals(0, store.counter("c"));
        assertEquals(1, store.increment("c", 1, null), "a new window starts at zero");
    }

    @Test
    void incrementingSomethingThatIsNotANumberIsAnInternalError() {
        store.put("text", bytes("garbage"), null);
        GatewayException e = assertThrows(GatewayException.class, () -> store.increment("text", 1, null));
        assertEquals(ErrorCode.INTERNAL, e.errorCode());
        assertEquals(Map.of(), store.counters(), "counters() lists numbers only");
    }

    @Test
    void aFailingStoreAnswers503ToEveryCall() {
        store.put("k", bytes("v"), null);
        store.failing(true);
        for (Runnable call : List.<Runnable>of(() -> store.get("k"), () -> store.put("k", bytes("v"), null),
                () -> store.putIfAbsent("k", bytes("v"), null), () -> store.compareAndSet("k", bytes("v"), bytes("w"), null),
                () -> store.increment("n", 1, null), () -> store.delete("k"))) {
            GatewayException e = assertThrows(GatewayException.class, call::run);
            assertEquals(ErrorCode.STORE_UNAVAILABLE, e.errorCode());
        }
        assertEquals("v", store.value("k").orElseThrow(), "inspection still works");
        store.failing(false);
        assertTrue(store.get("k").isPresent());
    }

    @Test
    void incrementsFromManyThreadsAreNotLost() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        store.increment("hits", 1, Duration.ofHours(1));
                        store.compareAndSet("never", bytes("x"), bytes("y"), null);
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        }
        assertEquals(8000, store.counter("hits"));
    }

    // ---------------------------------------------------------------- holds

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void holdsCountUntilSettledAndCountersShowTheSettledValueOnly() {
        store.increment("tok", 30, MINUTE);
        assertTrue(store.reserve("tok", "r1", 50, 100, MINUTE));
        assertFalse(store.reserve("tok", "r2", 21, 100, MINUTE));
        assertTrue(store.reserve("tok", "r2", 20, 100, MINUTE));
        assertEquals(70, store.reserved("tok"));
        assertEquals(Map.of("r1", 50L, "r2", 20L), store.holds("tok"));
        assertEquals(Map.of("tok", 30L), store.counters());

        assertEquals(40, store.settle("tok", "r1", 10, MINUTE));
        assertEquals(105, store.settle("tok", "r2", 65, MINUTE));
        assertEquals(0, store.reserved("tok"));
        assertEquals(0, store.settle("usd", "r9", 0, MINUTE), "a release creates no counter");
        assertEquals(Map.of("tok", 105L), store.counters());
    }

    @Test
    void holdsRenewAndExpireOnTheTestsClock() {
        assertTrue(store.reserve("tok", "r1", 100, 100, Duration.ofSeconds(30)));
        clock.advance(Duration.ofSeconds(20));
        assertTrue(store.reserve("tok", "r1", 100, 100, Duration.ofSeconds(30)), "renewed, not counted twice");
        clock.advance(Duration.ofSeconds(20));
        assertEquals(100, store.reserved("tok"), "renewed at 20 s, it lives until 50 s");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(0, store.reserved("tok"));
        assertTrue(store.holds("tok").isEmpty());
        assertTrue(store.reserve("tok", "r2", 100, 100, MINUTE));
    }

    @Test
    void holdsFailWithTheStoreAndCheckTheirArguments() {
        store.failing(true);
        assertEquals(503, assertThrows(GatewayException.class, () -> store.reserve("tok", "r1", 1, 10, MINUTE))
                .status());
        assertEquals(503, assertThrows(GatewayException.class, () -> store.settle("tok", "r1", 1, MINUTE)).status());
        store.failing(false);
        assertThrows(IllegalArgumentException.class, () -> store.reserve("tok", "a b", 1, 10, MINUTE));
        assertThrows(IllegalArgumentException.class, () -> store.reserve("tok", "r1", 1, 10, Duration.ZERO));
    }
}
