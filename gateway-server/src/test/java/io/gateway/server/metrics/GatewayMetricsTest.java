package io.gateway.server.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

    @Test
    void aFunctionCounterKeepsCountingAfterGarbageCollection() throws InterruptedException {
        GatewayMetrics metrics = new GatewayMetrics();
        AtomicLong total = new AtomicLong(41);
        // a method reference, held by nothing but the registration, as the server passes them
        metrics.counter("test.things", "things", total::get, "kind", "probe");
        total.incrementAndGet();

        collectGarbage();

        assertTrue(metrics.scrape().contains("test_things_total{kind=\"probe\"} 42.0"), metrics.scrape());
    }

    /** Runs collections until an object reachable only weakly is gone (bounded). */
    private static void collectGarbage() throws InterruptedException {
        WeakReference<Object> probe = new WeakReference<>(new Object());
        for (int i = 0; i < 50 && probe.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(probe.get() == null, "the JVM did not collect garbage; the test proves nothing");
    }
}
