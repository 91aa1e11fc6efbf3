package io.gateway.plugins.governance;

import java.time.Duration;

/**
 * A limit per fixed window: at most {@code limit} units (requests or tokens) in each window of length
 * {@code per}, windows aligned to the epoch so every replica agrees on where one ends.
 *
 * @param limit the most units per window, &gt; 0
 * @param per   the window length, a whole number of seconds
 */
record RateLimit(long limit, Duration per) {

    /**
     * The index of the window holding an instant; the same on every replica for the same clock time.
     *
     * @param nowMillis epoch milliseconds
     * @return the window index
     */
    long window(long nowMillis) {
        return Math.floorDiv(nowMillis, per.toMillis());
    }

    /**
     * When a window ends.
     *
     * @param window a window index
     * @return epoch milliseconds of its end
     */
    long windowEnd(long window) {
        return (window + 1) * per.toMillis();
    }

    /**
     * Whole seconds until the window holding {@code nowMillis} ends, rounded up and at least 1, for
     * {@code retry-after}.
     *
     * @param nowMillis epoch milliseconds
     * @return seconds
     */
    long secondsLeft(long nowMillis) {
        long left = windowEnd(window(nowMillis)) - nowMillis;
        return Math.max(1, (left + 999) / 1000);
    }

    /**
     * The window length in seconds, for the usage report.
     *
     * @return seconds
     */
    long windowSeconds() {
        return per.toSeconds();
    }

    /**
     * The window length the way configuration writes it: {@code 1m}, {@code 1h}, {@code 90s}.
     *
     * @return the text
     */
    String perText() {
        long seconds = per.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
