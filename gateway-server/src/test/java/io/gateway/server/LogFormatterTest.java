package io.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.TimeZone;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.XMLFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link LogFormatter} writes exactly what {@link SimpleFormatter} writes with the default pattern. */
class LogFormatterTest {

    private static final String PROPERTY = "java.util.logging.SimpleFormatter.format";

    private String formatBefore;
    private TimeZone zoneBefore;

    @BeforeEach
    void defaultPattern() {
        formatBefore = System.getProperty(PROPERTY);
        zoneBefore = TimeZone.getDefault();
        // SimpleFormatter reads the property when it is created
        System.setProperty(PROPERTY, LogFormatter.DEFAULT_FORMAT);
    }

    @AfterEach
    void restore() {
        if (formatBefore == null) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, formatBefore);
        }
        TimeZone.setDefault(zoneBefore);
    }

    private static LogRecord record(Level level, String message, Instant instant) {
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName("gateway.plugin.middleware-request-log");
        record.setInstant(instant);
        return record;
    }

    private static void assertSameLine(LogRecord record) {
        assertEquals(new SimpleFormatter().format(record), new LogFormatter().format(record));
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata", "Pacific/Chatham"})
    void matchesSimpleFormatterInEveryZone(String zone) {
        TimeZone.setDefault(TimeZone.getTimeZone(zone));
        List<Instant> instants = List.of(
                Instant.parse("2026-11-24T03:03:43.405Z"),
                Instant.parse("2026-01-01T00:00:00.000Z"),
                Instant.parse("2026-07-09T23:59:59.999Z"),
                Instant.parse("2026-03-29T01:30:00.007Z"),   // around a daylight-saving change in Europe
                Instant.parse("2026-10-25T00:59:59.050Z"),
                Instant.parse("0999-02-03T04:05:06.789Z"));
        for (Instant instant : instants) {
            assertSameLine(record(Level.INFO, "request_id=abc route=chat_completion status=200", instant));
        }
    }

    @Test
    void eachLevelAndParametersAndNullMessage() {
        Instant instant = Instant.parse("2026-11-24T03:03:43.405Z");
        for (Level level : List.of(Level.SEVERE, Level.WARNING, Level.INFO, Level.CONFIG, Level.FINE, Level.FINEST)) {
            assertSameLine(record(level, "plain", instant));
        }
        LogRecord withParameters = record(Level.INFO, "redis state store at {0}, database {1}", instant);
        withParameters.setParameters(new Object[] {"127.0.0.1:6379", 0});
        assertSameLine(withParameters);
        assertSameLine(record(Level.INFO, null, instant));
    }

    @Test
    void aThrowableFollowsOnTheNextLines() {
        LogRecord failed = record(Level.SEVERE, "request r-1 failed unexpectedly", Instant.parse("2026-11-24T03:03:43Z"));
        failed.setThrown(new IllegalStateException("boom", new RuntimeException("cause")));
        assertSameLine(failed);
        assertTrue(new LogFormatter().format(failed).contains("Caused by: java.lang.RuntimeException: cause"));
    }

    @Test
    void consecutiveRecordsInOneSecondAndTheNext() {
        LogFormatter formatter = new LogFormatter();
        SimpleFormatter reference = new SimpleFormatter();
        Instant start = Instant.parse("2026-11-24T03:03:43.001Z");
        for (int i = 0; i < 2500; i += 7) {
            LogRecord record = record(Level.INFO, "n=" + i, start.plusMillis(i));
            assertEquals(reference.format(record), formatter.format(record));
        }
    }

    @Test
    void installReplacesOnlyPlainSimpleFormattersAndOnlyWithTheDefaultPattern() {
        Logger root = Logger.getLogger("");
        Handler plain = new ConsoleHandler();
        plain.setFormatter(new SimpleFormatter());
        Handler xml = new ConsoleHandler();
        xml.setFormatter(new XMLFormatter());
        root.addHandler(plain);
        root.addHandler(xml);
        try {
            System.setProperty(PROPERTY, "%5$s%n");
            LogFormatter.install();
            assertSame(SimpleFormatter.class, plain.getFormatter().getClass(), "a pattern of the user's own stays");

            System.setProperty(PROPERTY, LogFormatter.DEFAULT_FORMAT);
            LogFormatter.install();
            assertSame(LogFormatter.class, plain.getFormatter().getClass());
            assertSame(XMLFormatter.class, xml.getFormatter().getClass(), "another formatter stays");
        } finally {
            root.removeHandler(plain);
            root.removeHandler(xml);
        }
    }

    @Test
    void setDefaultFormatKeepsAPatternGiven() {
        System.setProperty(PROPERTY, "%5$s%n");
        LogFormatter.setDefaultFormat();
        assertEquals("%5$s%n", System.getProperty(PROPERTY));
        System.clearProperty(PROPERTY);
        LogFormatter.setDefaultFormat();
        assertEquals(LogFormatter.DEFAULT_FORMAT, System.getProperty(PROPERTY));
    }
}
