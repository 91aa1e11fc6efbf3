package io.gateway.server.routing;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Retry delays: {@code min(initial × 2^retry, max) × jitter} with jitter uniform in [0.8, 1.2), or the
 * upstream's {@code Retry-After} when it asked for one, capped by {@code max}.
 *
 * @param initial the first delay
 * @param max     the largest delay
 */
public record Backoff(Duration initial, Duration max) {

    /**
     * The delay before retry number {@code retry} (0 for the first retry).
     *
     * @param retry      retries made so far
     * @param retryAfter the upstream's requested delay, or {@code null}
     * @param random     the jitter source
     * @return the delay
     */
    public Duration delay(int retry, Duration retryAfter, RandomGenerator random) {
        if (retryAfter != null && !retryAfter.isNegative()) {
            return retryAfter.compareTo(max) > 0 ? max : retryAfter;
        }
        double base = initial.toNanos() * Math.pow(2, Math.min(retry, 40));
        double capped = Math.min(base, (double) max.toNanos());
        double jitter = 0.8 + 0.4 * random.nextDouble();
        return Duration.ofNanos((long) (capped * jitter));
    }
}
