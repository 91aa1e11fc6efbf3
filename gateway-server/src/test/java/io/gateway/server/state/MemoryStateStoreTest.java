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
}
