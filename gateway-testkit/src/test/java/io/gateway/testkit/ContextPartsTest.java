package io.gateway.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The clock, logger, metrics and context a test lends a plugin. */
class ContextPartsTest {

    @Test
    void theClockMovesOnlyWhenTold() {
        TestClock clock = TestClock.at("2026-11-30T23:59:59.999Z");
        assertEquals(Instant.parse("2026-11-30T23:59:59.999Z"), clock.instant());
        clock.advance(Duration.ofMillis(1));
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), clock.instant());
        TestClock paris = clock.withZone(ZoneId.of("Europe/Paris"));
        clock.set("2027-01-01T00:00:00Z");
        assertEquals(clock.instant(), paris.instant(), "zone copies share the time");
    }

    @Test
    void theLoggerKeepsMessagesAtOrAboveItsThreshold() {
        RecordingLogger logger = new RecordingLogger("test", System.Logger.Level.INFO);
        logger.log(System.Logger.Level.DEBUG, "hidden");
        logger.log(System.Logger.Level.WARNING, "key {0} has no value", "team-a");
        logger.log(System.Logger.Level.ERROR, "failed", new IllegalStateException("boom"));
        assertEquals(List.of("key team-a has no value", "failed"), logger.lines());
        assertEquals(List.of("key team-a has no value"), logger.warnings());
        assertEquals("WARNING key team-a has no value\nERROR failed java.lang.IllegalStateException: boom",
                logger.text());
        assertTrue(!logger.isLoggable(System.Logger.Level.DEBUG));
    }

    @Test
    void metricsKeepEveryCountAndTiming() {
        RecordingMetrics metrics = new RecordingMetrics();
        metrics.count("cache.hits", 1, "kind", "chat");
        metrics.count("cache.hits", 2, "kind", "chat");
        metrics.time("lookup", Duration.ofMillis(3));
        assertEquals(List.of("cache.hits kind=chat", "cache.hits kind=chat"), metrics.counts());
        assertEquals(3.0, metrics.total("cache.hits", "kind", "chat"));
        assertEquals(Duration.ofMillis(3), metrics.timings().get(0).duration());
        assertThrows(IllegalArgumentException.class, () -> metrics.count("x", -1));
        assertThrows(IllegalArgumentException.class, () -> metrics.count("x", 1, "odd"));
    }

    @Test
    void theContextHandsOutItsParts() {
        ScriptedUpstream upstream = new ScriptedUpstream();
        TestContext context = TestContext.builder().upstream(upstream).clock(TestClock.at("2026-01-01T00:00:00Z"))
                .build();
        assertSame(upstream, context.upstream());
        context.state().put("k", new byte[] {1}, Duration.ofSeconds(1));
        context.clock().advance(Duration.ofSeconds(1));
        assertTrue(context.state().get("k").isEmpty(), "the store measures expiry on the context's clock");
        assertThrows(IllegalStateException.class, () -> TestContext.create().upstream());
        assertThrows(IllegalStateException.class, () -> TestContext.builder().withoutState().build().state());
    }
}
