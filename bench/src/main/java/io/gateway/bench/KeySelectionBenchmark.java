package io.gateway.bench;

import io.gateway.server.routing.WeightedKeySelector;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.Secret;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link WeightedKeySelector#select} over three keys with weights 1, 2 and 3, called the way
 * {@code Router.attempt} calls it on a first attempt: with the (empty) set of keys excluded so far
 * and {@link ThreadLocalRandom}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeySelectionBenchmark {

    private WeightedKeySelector allModels;
    private WeightedKeySelector listedModels;
    private final Set<String> none = new HashSet<>();

    /** Builds the keys. */
    @Setup
    public void setUp() {
        allModels = new WeightedKeySelector(List.of(key("a", 1, "*"), key("b", 2, "*"), key("c", 3, "*")));
        listedModels = new WeightedKeySelector(List.of(
                key("a", 1, "gpt-4o", "gpt-4.1", "gpt-4o-mini"),
                key("b", 2, "o3", "gpt-4o-mini"),
                key("c", 3, "gpt-4.1-nano", "text-embedding-3-small", "gpt-4o-mini")));
    }

    private static ApiKey key(String name, double weight, String... models) {
        return new ApiKey(name, Secret.of("sk-" + name), weight, List.of(models));
    }

    /**
     * Three keys that all allow {@code *}.
     *
     * @return the key
     */
    @Benchmark
    public ApiKey selectWildcard() {
        return allModels.select(Payloads.BARE_MODEL, none, ThreadLocalRandom.current());
    }

    /**
     * Three keys with model lists of three names each (the wanted model listed last).
     *
     * @return the key
     */
    @Benchmark
    public ApiKey selectListed() {
        return listedModels.select(Payloads.BARE_MODEL, none, ThreadLocalRandom.current());
    }

    /**
     * As {@code Router.attempt} does per request: two fresh {@code HashSet}s (dead, rate limited), then select.
     *
     * @return the key
     */
    @Benchmark
    public ApiKey selectAsRouterDoes() {
        Set<String> dead = new HashSet<>();
        Set<String> rateLimited = new HashSet<>();
        return allModels.select(Payloads.BARE_MODEL, union(dead, rateLimited), ThreadLocalRandom.current());
    }

    /** Mirror of {@code Router.union}. */
    private static Set<String> union(Set<String> a, Set<String> b) {
        if (b.isEmpty()) {
            return a;
        }
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
