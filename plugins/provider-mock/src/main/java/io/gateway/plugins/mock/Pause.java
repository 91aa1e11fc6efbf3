package io.gateway.plugins.mock;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits that end early when their latch opens and never outlast a limit.
 *
 * <p>Waiting on a latch instead of {@code Thread.sleep} is what lets {@link PacedEventStream#close()}
 * from another thread stop a slow stream at once. Waiting only up to the limit, then failing, is how a
 * real upstream that is too slow looks to the router: a timeout at the deadline, not a late answer.
 */
final class Pause {

    private Pause() {
    }

    /**
     * The time left until a deadline, negative once it has passed.
     *
     * @param clock    the context clock the router's deadlines are based on
     * @param deadline the deadline
     * @return the time left
     */
    static Duration until(Clock clock, Instant deadline) {
        return Duration.between(clock.instant(), deadline);
    }

    /**
     * Waits {@code delay}, unless {@code cancelled} opens first.
     *
     * @param cancelled      opens to end the wait early
     * @param delay          how long to wait
     * @param limit          the longest wait allowed; a longer delay waits this long and then fails
     * @param timeoutMessage the client-facing message of that failure
     * @return {@code true} if the latch opened (the caller should stop), {@code false} after the delay
     * @throws GatewayException 504 {@link ErrorCode#TIMEOUT} if the delay exceeds the limit
     */
    static boolean await(CountDownLatch cancelled, Duration delay, Duration limit, String timeoutMessage) {
        if (delay.isZero()) {
            return cancelled.getCount() == 0;
        }
        boolean tooLong = delay.compareTo(limit) > 0;
        Duration wait = tooLong ? (limit.isNegative() ? Duration.ZERO : limit) : delay;
        try {
            if (cancelled.await(nanos(wait), TimeUnit.NANOSECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorCode.INTERNAL, "the mock provider was interrupted while waiting",
                    null, null, e);
        }
        if (tooLong) {
            throw GatewayException.of(ErrorCode.TIMEOUT, timeoutMessage);
        }
        return false;
    }

    private static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            // Only centuries overflow; waiting "forever" is what such a configuration means.
            return Long.MAX_VALUE;
        }
    }
}
