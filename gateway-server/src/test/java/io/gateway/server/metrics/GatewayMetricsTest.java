package io.gateway.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The registry's function counters, as {@code /metrics} shows them. */
class GatewayMetricsTest {

    @Test
    void aFunctionCounterFollowsItsSourceAfterAGarbageCollection() {
        GatewayMetrics metrics = new GatewayMetrics();
        AtomicLong total = new AtomicLong();
        // a method reference made for the call, as the server registers its counters: nothing else holds it
        metrics.counter("probe.things", "things seen", total::get, "result", "seen");
        total.set(5);
        assertEquals("5.0", value(metrics));

        collectGarbage();
        total.set(9);
        assertEquals("9.0", value(metrics), "the counter still reads its source after a collection");
    }

    /** Runs collections until an object nothing holds is gone, so weakly held sources would be too. */
    private static void collectGarbage() {
        WeakReference<Object> canary = new WeakReference<>(new Object());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (canary.get() != null && System.nanoTime() < deadline) {
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertNull(canary.get(), "no garbage collection ran within 10 s");
    }

    private static String value(GatewayMetrics metrics) {
        for (String line : metrics.scrape().split("\n")) {
            if (line.startsWith("probe_things_total{result=\"seen\"}")) {
                return line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        throw new AssertionError("no probe_things_total in the scrape:\n" + metrics.scrape());
    }
}
