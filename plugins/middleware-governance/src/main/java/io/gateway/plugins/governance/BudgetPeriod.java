package io.gateway.plugins.governance;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/**
 * The calendar periods a budget covers, all in UTC. Unlike rate windows they follow the calendar, so
 * a monthly budget resets on the first of the month whatever its length, and a weekly one on Monday.
 */
enum BudgetPeriod {
    /** A clock hour. */
    HOUR("1h"),
    /** A calendar day. */
    DAY("1d"),
    /** An ISO week, Monday to Sunday. */
    WEEK("1w"),
    /** A calendar month. */
    MONTH("1M");

    private final String text;

    BudgetPeriod(String text) {
        this.text = text;
    }

    /**
     * The period for configuration text, which is case-sensitive: {@code 1M} is a month, and
     * {@code 1m} (a minute everywhere else in the configuration) is refused rather than guessed at.
     *
     * @param text the configured value
     * @return the period, or {@code null} if the text names none
     */
    static BudgetPeriod parse(String text) {
        for (BudgetPeriod period : values()) {
            if (period.text.equals(text)) {
                return period;
            }
        }
        return null;
    }

    /**
     * The configuration text.
     *
     * @return {@code 1h}, {@code 1d}, {@code 1w} or {@code 1M}
     */
    String text() {
        return text;
    }

    /**
     * When the period holding an instant began.
     *
     * @param now the instant
     * @return the start
     */
    Instant start(Instant now) {
        ZonedDateTime time = now.atZone(ZoneOffset.UTC);
        return switch (this) {
            case HOUR -> time.truncatedTo(ChronoUnit.HOURS).toInstant();
            case DAY -> time.truncatedTo(ChronoUnit.DAYS).toInstant();
            case WEEK -> time.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                    .atStartOfDay(ZoneOffset.UTC).toInstant();
            case MONTH -> time.toLocalDate().withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        };
    }

    /**
     * When the period holding an instant ends (the next one begins).
     *
     * @param now the instant
     * @return the end
     */
    Instant end(Instant now) {
        ZonedDateTime start = start(now).atZone(ZoneOffset.UTC);
        return switch (this) {
            case HOUR -> start.plusHours(1).toInstant();
            case DAY -> start.plusDays(1).toInstant();
            case WEEK -> start.plusWeeks(1).toInstant();
            case MONTH -> start.plusMonths(1).toInstant();
        };
    }

    /**
     * A readable id of the period holding an instant, used in store keys and the usage report:
     * {@code 2026-11-24T02}, {@code 2026-11-24}, {@code 2026-W48} (ISO week-based year, which differs
     * from the calendar year around New Year) or {@code 2026-11}.
     *
     * @param now the instant
     * @return the id
     */
    String id(Instant now) {
        ZonedDateTime time = now.atZone(ZoneOffset.UTC);
        LocalDate date = time.toLocalDate();
        return switch (this) {
            case HOUR -> String.format(Locale.ROOT, "%sT%02d", date, time.getHour());
            case DAY -> date.toString();
            case WEEK -> String.format(Locale.ROOT, "%04d-W%02d", date.get(IsoFields.WEEK_BASED_YEAR),
                    date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case MONTH -> String.format(Locale.ROOT, "%04d-%02d", date.getYear(), date.getMonthValue());
        };
    }
}
