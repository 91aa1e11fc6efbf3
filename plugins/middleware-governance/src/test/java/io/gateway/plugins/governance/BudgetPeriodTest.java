package io.gateway.plugins.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BudgetPeriodTest {

    private static final Instant NOW = Instant.parse("2026-11-24T02:30:15Z");

    @Test
    void idsNameThePeriodReadably() {
        assertEquals("2026-11-24T02", BudgetPeriod.HOUR.id(NOW));
        assertEquals("2026-11-24", BudgetPeriod.DAY.id(NOW));
        assertEquals("2026-W48", BudgetPeriod.WEEK.id(NOW));
        assertEquals("2026-11", BudgetPeriod.MONTH.id(NOW));
    }

    @Test
    void periodsEndOnCalendarBoundaries() {
        assertEquals(Instant.parse("2026-11-24T03:00:00Z"), BudgetPeriod.HOUR.end(NOW));
        assertEquals(Instant.parse("2026-11-25T00:00:00Z"), BudgetPeriod.DAY.end(NOW));
        assertEquals(Instant.parse("2026-11-30T00:00:00Z"), BudgetPeriod.WEEK.end(NOW), "next Monday");
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), BudgetPeriod.MONTH.end(NOW));
        assertEquals(Instant.parse("2026-11-23T00:00:00Z"), BudgetPeriod.WEEK.start(NOW), "this Monday");
    }

    @Test
    void monthsHaveTheirOwnLengths() {
        assertEquals(Instant.parse("2027-03-01T00:00:00Z"), BudgetPeriod.MONTH.end(Instant.parse("2027-02-14T00:00:00Z")));
        assertEquals(Instant.parse("2028-03-01T00:00:00Z"), BudgetPeriod.MONTH.end(Instant.parse("2028-02-29T23:59:59Z")));
        assertEquals("2027-01", BudgetPeriod.MONTH.id(Instant.parse("2027-01-01T00:00:00Z")));
        assertEquals("2026-12", BudgetPeriod.MONTH.id(Instant.parse("2026-12-31T23:59:59.999Z")));
    }

    @Test
    void isoWeeksBelongToTheirWeekBasedYear() {
        assertEquals("2026-W53", BudgetPeriod.WEEK.id(Instant.parse("2027-01-03T12:00:00Z")));
        assertEquals("2027-W01", BudgetPeriod.WEEK.id(Instant.parse("2027-01-04T00:00:00Z")));
        assertEquals("2025-W01", BudgetPeriod.WEEK.id(Instant.parse("2024-12-30T00:00:00Z")));
        assertEquals(Instant.parse("2027-01-04T00:00:00Z"), BudgetPeriod.WEEK.end(Instant.parse("2026-12-31T12:00:00Z")));
    }

    @Test
    void parsesOnlyTheFourPeriods() {
        assertEquals(BudgetPeriod.MONTH, BudgetPeriod.parse("1M"));
        assertEquals(BudgetPeriod.WEEK, BudgetPeriod.parse("1w"));
        assertEquals(BudgetPeriod.DAY, BudgetPeriod.parse("1d"));
        assertEquals(BudgetPeriod.HOUR, BudgetPeriod.parse("1h"));
        assertNull(BudgetPeriod.parse("1m"));
        assertNull(BudgetPeriod.parse("30d"));
    }
}
