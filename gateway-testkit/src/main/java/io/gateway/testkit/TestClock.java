package io.gateway.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until the test moves it: give it to a plugin through {@link TestContext}
 * and {@link #advance} it to cross a rate-limit window or a budget period, or {@link #set} it to the
 * last millisecond of a month. The {@link MemoryStateStore} of the same context measures expiry on it.
 *
 * <p>Thread-safe: the time is one atomic value, read and moved from any thread. Copies made with
 * {@link #withZone} share it.
 */
public final class TestClock extends Clock {

    /** Where {@link #create()} starts: {@code 2025-01-01T00:00:00Z}. */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private TestClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /**
     * A clock at {@link #DEFAULT_START}, in UTC.
     *
     * @return the clock
     */
    public static TestClock create() {
        return at(DEFAULT_START);
    }

    /**
     * A clock at an instant, in UTC.
     *
     * @param start the instant
     * @return the clock
     */
    public static TestClock at(Instant start) {
        return new TestClock(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    /**
     * A clock at an ISO-8601 instant such as {@code 2026-11-24T02:00:10Z}, in UTC.
     *
     * @param start the instant
     * @return the clock
     * @throws java.time.format.DateTimeParseException if it is not an instant
     */
    public static TestClock at(String start) {
        return at(Instant.parse(start));
    }

    /**
     * Moves the clock to an instant (backwards too).
     *
     * @param instant the new time
     * @return this clock
     */
    public TestClock set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
        return this;
    }

    /**
     * Moves the clock to an ISO-8601 instant.
     *
     * @param instant the new time, e.g. {@code 2026-11-30T23:59:59.999Z}
     * @return this clock
     */
    public TestClock set(String instant) {
        return set(Instant.parse(instant));
    }

    /**
     * Moves the clock forward (or back, for a negative amount).
     *
     * @param amount how far
     * @return this clock
     */
    public TestClock advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        now.updateAndGet(current -> current.plus(amount));
        return this;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /**
     * The same moving time seen in another zone.
     *
     * @param newZone the zone
     * @return a clock sharing this one's time
     */
    @Override
    public TestClock withZone(ZoneId newZone) {
        return newZone.equals(zone) ? this : new TestClock(now, newZone);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public long millis() {
        return now.get().toEpochMilli();
    }

    @Override
    public String toString() {
        return "TestClock[" + now.get() + "]";
    }
}
