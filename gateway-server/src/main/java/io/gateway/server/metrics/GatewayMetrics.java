package io.gateway.server.metrics;

import io.gateway.spi.PluginMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's Micrometer registry, scraped at {@code /metrics} in the Prometheus text format.
 * Meters are cached by name and tags so the request path does not rebuild them.
 */
public final class GatewayMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, Timer> requestTimers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final Timer overhead;

    /** Creates the registry and the fixed meters. */
    public GatewayMetrics() {
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        overhead = Timer.builder("gateway.overhead")
                .description("Time spent in the gateway per request, excluding the time waiting for the provider")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(1))
                .register(registry);
    }

    /**
     * Records a finished request.
     *
     * @param route    operation wire name
     * @param provider provider name, or {@code none}
     * @param status   HTTP status
     * @param stream   whether it was streamed
     * @param nanos    total duration
     */
    public void request(String route, String provider, int status, boolean stream, long nanos) {
        String key = route + '|' + provider + '|' + status + '|' + stream;
        Timer timer = requestTimers.get(key);
        if (timer == null) {
            timer = requestTimers.computeIfAbsent(key, k -> Timer.builder("gateway.requests")
                    .description("Client requests by route, provider and status")
                    .tags(Tags.of("route", route, "provider", provider, "status", Integer.toString(status),
                            "stream", Boolean.toString(stream)))
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Records the gateway's own share of a request.
     *
     * @param nanos duration excluding upstream waiting
     */
    public void overhead(long nanos) {
        overhead.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /**
     * Increments a counter.
     *
     * @param name   metric name
     * @param amount amount
     * @param tags   alternating tag names and values
     */
    public void count(String name, double amount, String... tags) {
        String key = name + '|' + String.join("|", tags);
        Counter counter = counters.get(key);
        if (counter == null) {
            counter = counters.computeIfAbsent(key, k -> Counter.builder(name).tags(tags).register(registry));
        }
        counter.increment(amount);
    }

    /**
     * A counter whose value is read from {@code source} at each scrape.
     *
     * @param name        metric name
     * @param description what it counts
     * @param source      the current total
     * @param tags        alternating tag names and values
     */
    public void counter(String name, String description, java.util.function.LongSupplier source, String... tags) {
        io.micrometer.core.instrument.FunctionCounter.builder(name, source, s -> s.getAsLong())
                .description(description).tags(tags).register(registry);
    }

    /**
     * The Prometheus text exposition.
     *
     * @return the scrape
     */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * A {@link PluginMetrics} view for one plugin; its meters carry a {@code plugin} tag.
     *
     * @param pluginId the plugin id
     * @return the view
     */
    public PluginMetrics forPlugin(String pluginId) {
        return new PluginMetrics() {
            @Override
            public void count(String name, double amount, String... tags) {
                GatewayMetrics.this.count(name, amount, withPlugin(tags));
            }

            @Override
            public void time(String name, Duration duration, String... tags) {
                Timer.builder(name).tags(withPlugin(tags)).register(registry).record(duration);
            }

            private String[] withPlugin(String[] tags) {
                if (tags.length % 2 != 0) {
                    throw new IllegalArgumentException("tags must be name/value pairs");
                }
                String[] all = java.util.Arrays.copyOf(tags, tags.length + 2);
                all[tags.length] = "plugin";
                all[tags.length + 1] = pluginId;
                return all;
            }
        };
    }
}
