package io.gateway.spi;

import java.time.Duration;

/**
 * Counters and timers a plugin can export at {@code /metrics}. Names are dotted
 * ({@code cache.hits}); tags come as alternating names and values and must have low cardinality
 * (never ids, keys or prompts). Thread-safe.
 */
public interface PluginMetrics {

    /**
     * Adds to a counter.
     *
     * @param name   metric name
     * @param amount amount to add, &ge; 0
     * @param tags   alternating tag names and values
     */
    void count(String name, double amount, String... tags);

    /**
     * Records a duration in a timer (a histogram in Prometheus).
     *
     * @param name     metric name
     * @param duration the duration
     * @param tags     alternating tag names and values
     */
    void time(String name, Duration duration, String... tags);

    /**
     * Metrics that go nowhere, for contexts without a registry (unit tests).
     *
     * @return a no-op instance
     */
    static PluginMetrics none() {
        return new PluginMetrics() {
            @Override
            public void count(String name, double amount, String... tags) {
            }

            @Override
            public void time(String name, Duration duration, String... tags) {
            }
        };
    }
}
