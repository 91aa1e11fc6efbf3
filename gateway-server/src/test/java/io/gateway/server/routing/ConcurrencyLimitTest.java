package io.gateway.server.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {

    private static final long MB = 1024L * 1024;

    @Test
    void theDefaultIsWhatTheHeapHoldsInStreams() {
        // (256 MB - 32 MB) / 96 KB = 2,389 streams, rounded down to hundreds
        assertEquals(2_300, ConcurrencyLimit.defaultMaxConcurrency(256 * MB), "the launcher's -Xmx256m");
        assertEquals(10_500, ConcurrencyLimit.defaultMaxConcurrency(1024 * MB));
        assertEquals(100, ConcurrencyLimit.defaultMaxConcurrency(16 * MB), "never below 100");
        assertEquals(1_000_000, ConcurrencyLimit.defaultMaxConcurrency(Long.MAX_VALUE));
    }

    @Test
    void aNodeAtTheDefaultKeepsAQuarterOfItsHeapForEverythingElse() {
        // measured with bench/long-streams.sh on -Xmx256m: 11 MB live without streams, 74 KB per open stream
        long used = 11 * MB + ConcurrencyLimit.defaultMaxConcurrency(256 * MB) * 74L * 1024;
        assertEquals(true, used < 256 * MB * 3 / 4, used / MB + " MB of 256 at the default");
    }
}
