package io.gateway.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The gateway's log line, {@code 2026-11-24T03:03:43.405+0000 INFO logger: message}, written without
 * {@link java.util.Formatter}.
 *
 * <p>The output is exactly what {@link SimpleFormatter} writes with {@link #DEFAULT_FORMAT}, but
 * {@code String.format} with seven date conversions costs several microseconds per record, which the
 * request log pays on every request. The date and time up to the second and the zone offset are
 * computed once per second and reused. Thread-safe: the cache is one immutable object.
 */
public final class LogFormatter extends java.util.logging.Formatter {

    /** The {@link SimpleFormatter} pattern this formatter reproduces, the gateway's default. */
    public static final String DEFAULT_FORMAT = "%1$tY-%1$tm-%1$tdT%1$tH:%1$tM:%1$tS.%1$tL%1$tz %4$s %3$s: %5$s%6$s%n";

    private static final String FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";

    /** The text before and after the milliseconds for one second in one zone. */
    private record Second(long epochSecond, ZoneId zone, String head, String offset) {
    }

    private volatile Second second = new Second(Long.MIN_VALUE, null, "", "");

    /** Creates the formatter. */
    public LogFormatter() {
    }

    /**
     * Sets {@link #DEFAULT_FORMAT} as {@link SimpleFormatter}'s pattern unless one was given, so that
     * loggers configured before {@link #install()} write the same line.
     */
    static void setDefaultFormat() {
        if (System.getProperty(FORMAT_PROPERTY) == null) {
            System.setProperty(FORMAT_PROPERTY, DEFAULT_FORMAT);
        }
    }

    /**
     * Puts this formatter in place of every plain {@link SimpleFormatter} on the root logger's
     * handlers, when the pattern in force is the default one: a pattern of the user's own
     * ({@code -Djava.util.logging.SimpleFormatter.format}) or a formatter of another class from a
     * logging configuration is left alone.
     */
    static void install() {
        if (JsonLogFormatter.chosen()) {
            JsonLogFormatter.install();
            return;
        }
        if (!DEFAULT_FORMAT.equals(System.getProperty(FORMAT_PROPERTY))) {
            return;
        }
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            if (handler.getFormatter() != null && handler.getFormatter().getClass() == SimpleFormatter.class) {
                handler.setFormatter(new LogFormatter());
            }
        }
    }

    @Override
    public String format(LogRecord record) {
        Instant instant = record.getInstant();
        Second current = second(instant.getEpochSecond(), ZoneId.systemDefault());
        String message = formatMessage(record);
        StringBuilder line = new StringBuilder(48 + (message == null ? 4 : message.length()));
        line.append(current.head());
        int millis = instant.getNano() / 1_000_000;
        if (millis < 100) {
            line.append('0');
        }
        if (millis < 10) {
            line.append('0');
        }
        line.append(millis).append(current.offset()).append(' ')
                .append(record.getLevel().getLocalizedName()).append(' ')
                .append(record.getLoggerName()).append(": ")
                .append(message);
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            try (PrintWriter out = new PrintWriter(trace)) {
                out.println();
                record.getThrown().printStackTrace(out);
            }
            line.append(trace);
        }
        return line.append(System.lineSeparator()).toString();
    }

    private Second second(long epochSecond, ZoneId zone) {
        Second cached = second;
        if (cached.epochSecond() == epochSecond && zone.equals(cached.zone())) {
            return cached;
        }
        ZonedDateTime time = ZonedDateTime.ofInstant(Instant.ofEpochSecond(epochSecond), zone);
        StringBuilder head = new StringBuilder(20);
        int year = time.getYear();
        if (year < 0) {
            head.append('-');
            year = -year;
        }
        pad(head, year, 4).append('-');
        pad(head, time.getMonthValue(), 2).append('-');
        pad(head, time.getDayOfMonth(), 2).append('T');
        pad(head, time.getHour(), 2).append(':');
        pad(head, time.getMinute(), 2).append(':');
        pad(head, time.getSecond(), 2).append('.');
        int offsetMinutes = time.getOffset().getTotalSeconds() / 60;
        StringBuilder offset = new StringBuilder(5).append(offsetMinutes < 0 ? '-' : '+');
        offsetMinutes = Math.abs(offsetMinutes);
        pad(offset, offsetMinutes / 60, 2);
        pad(offset, offsetMinutes % 60, 2);
        Second fresh = new Second(epochSecond, zone, head.toString(), offset.toString());
        second = fresh;
        return fresh;
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
    }
}
