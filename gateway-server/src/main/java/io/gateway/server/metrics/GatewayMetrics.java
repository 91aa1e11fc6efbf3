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
    private final ModelLabels models = new ModelLabels();
    private final ConcurrentHashMap<String, Timer> genAiTimers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, io.micrometer.core.instrument.DistributionSummary> tokenSummaries =
            new ConcurrentHashMap<>();
    /**
     * The sources of {@link #counter}, held here: Micrometer keeps a function counter's object only weakly,
     * and a method reference made for the call has no other owner, so without this list the counter would
     * stop following its source (and repeat its last value) after the next garbage collection.
     */
    private final java.util.List<java.util.function.LongSupplier> counterSources =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The GenAI conventions' buckets for operation durations and time to first chunk, in seconds. */
    private static final Duration[] DURATION_BUCKETS = java.util.stream.DoubleStream.of(0.01, 0.02, 0.04, 0.08, 0.16,
            0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
            .mapToObj(s -> Duration.ofNanos((long) (s * 1e9))).toArray(Duration[]::new);
    /** The GenAI conventions' buckets for token counts. */
    private static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
        4194304, 16777216, 67108864};

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
     * Model names as bounded label values.
     *
     * @return the labels
     */
    public ModelLabels models() {
        return models;
    }

    /**
     * Records one upstream operation's duration ({@code gen_ai.client.operation.duration}).
     *
     * @param operation    {@code gen_ai.operation.name}
     * @param provider     {@code gen_ai.provider.name}
     * @param model        {@code gen_ai.request.model}, a bounded label value
     * @param errorType    {@code error.type} when it failed, else empty
     * @param nanos        the duration
     */
    public void genAiDuration(String operation, String provider, String model, String errorType, long nanos) {
        // Prometheus needs one set of labels per metric: a success has an empty error.type
        genAiTimer("gen_ai.client.operation.duration", "GenAI operation duration.", operation, provider, model,
                errorType == null ? "" : errorType).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Records the time to a stream's first chunk ({@code gen_ai.client.operation.time_to_first_chunk}).
     *
     * @param operation {@code gen_ai.operation.name}
     * @param provider  {@code gen_ai.provider.name}
     * @param model     {@code gen_ai.request.model}, a bounded label value
     * @param nanos     the time
     */
    public void genAiTimeToFirstChunk(String operation, String provider, String model, long nanos) {
        genAiTimer("gen_ai.client.operation.time_to_first_chunk",
                "Time to receive the first chunk of a stream, from when the request was sent.", operation, provider,
                model, null).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Records an answer's tokens ({@code gen_ai.client.token.usage}), input and output.
     *
     * @param operation {@code gen_ai.operation.name}
     * @param provider  {@code gen_ai.provider.name}
     * @param model     {@code gen_ai.request.model}, a bounded label value
     * @param input     input tokens
     * @param output    output tokens
     */
    public void genAiTokens(String operation, String provider, String model, long input, long output) {
        tokenSummary(operation, provider, model, "input").record(input);
        tokenSummary(operation, provider, model, "output").record(output);
    }

    /**
     * Records one MCP tool call: {@code gateway_mcp_tool_calls_total} and the duration
     * {@code gateway_mcp_tool_call_seconds}, by server, tool and outcome.
     *
     * @param server  the MCP server's configured name ({@code _unknown} when no server has the tool)
     * @param tool    the tool's name on its server, a bounded label value (only tools the server lists)
     * @param outcome {@code ok}, {@code tool_error} (the result's {@code isError}), or a failure such as
     *                {@code unavailable}, {@code timeout}, {@code forbidden}
     * @param nanos   how long the call took
     */
    public void toolCall(String server, String tool, String outcome, long nanos) {
        count("gateway.mcp.tool.calls", 1, "server", server, "tool", tool, "outcome", outcome);
        String key = "mcp|" + server + '|' + tool + '|' + outcome;
        Timer timer = requestTimers.get(key);
        if (timer == null) {
            timer = requestTimers.computeIfAbsent(key, k -> Timer.builder("gateway.mcp.tool.call")
                    .description("MCP tool calls the gateway made, by server, tool and outcome")
                    .tags("server", server, "tool", tool, "outcome", outcome)
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Adds to {@code gateway_cost_usd_total}.
     *
     * @param provider   the provider name
     * @param model      the model, a bounded label value
     * @param virtualKey the virtual key's name, or empty without governance
     * @param usd        the cost
     */
    public void cost(String provider, String model, String virtualKey, double usd) {
        count("gateway.cost.usd", usd, "provider", provider, "model", model, "virtual_key", virtualKey);
    }

    private Timer genAiTimer(String name, String description, String operation, String provider, String model,
                             String errorType) {
        String key = name + '|' + operation + '|' + provider + '|' + model + '|' + errorType;
        Timer timer = genAiTimers.get(key);
        if (timer == null) {
            timer = genAiTimers.computeIfAbsent(key, k -> {
                Timer.Builder builder = Timer.builder(name).description(description)
                        .serviceLevelObjectives(DURATION_BUCKETS)
                        .tag("gen_ai.operation.name", operation)
                        .tag("gen_ai.provider.name", provider)
                        .tag("gen_ai.request.model", model);
                if (errorType != null) {
                    builder.tag("error.type", errorType);
                }
                return builder.register(registry);
            });
        }
        return timer;
    }

    private io.micrometer.core.instrument.DistributionSummary tokenSummary(String operation, String provider,
                                                                          String model, String type) {
        String key = operation + '|' + provider + '|' + model + '|' + type;
        var summary = tokenSummaries.get(key);
        if (summary == null) {
            summary = tokenSummaries.computeIfAbsent(key, k -> io.micrometer.core.instrument.DistributionSummary
                    .builder("gen_ai.client.token.usage")
                    .description("Number of input and output tokens used.")
                    .baseUnit("tokens")
                    .serviceLevelObjectives(TOKEN_BUCKETS)
                    .tag("gen_ai.operation.name", operation)
                    .tag("gen_ai.provider.name", provider)
                    .tag("gen_ai.request.model", model)
                    .tag("gen_ai.token.type", type)
                    .register(registry));
        }
        return summary;
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
     * A counter whose value is read from {@code source} at each scrape. The registry holds the source for
     * as long as it lives, so a lambda or method reference made for the call is fine.
     *
     * @param name        metric name
     * @param description what it counts
     * @param source      the current total
     * @param tags        alternating tag names and values
     */
    public void counter(String name, String description, java.util.function.LongSupplier source, String... tags) {
        counterSources.add(source);
        io.micrometer.core.instrument.FunctionCounter.builder(name, source, s -> s.getAsLong())
                .description(description).tags(tags).register(registry);
    }

    /**
     * A gauge whose value is read from {@code source} at each scrape; held as long as the registry.
     *
     * @param name        metric name
     * @param description what it shows
     * @param source      the current value
     * @param tags        alternating tag names and values
     */
    public void gauge(String name, String description, java.util.function.LongSupplier source, String... tags) {
        counterSources.add(source);
        io.micrometer.core.instrument.Gauge.builder(name, source, s -> s.getAsLong())
                .description(description).tags(tags).strongReference(true).register(registry);
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
