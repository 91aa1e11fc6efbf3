package io.gateway.plugins.cache;

import io.gateway.server.state.MemoryStateStore;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.PluginMetrics;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the response cache's own steps cost on a request, without the HTTP around them: the exact
 * path's key ({@link RequestKeys#direct}: canonical text and SHA-256 of a chat request), reading and
 * decoding a stored answer from the in-memory store, and the semantic path's brute-force scan
 * ({@link SemanticIndex#nearest}: one token read, then a dot product with every vector of the scope) at
 * 1,536 dimensions over 16, 256 and 1,024 entries. In the package of the plugin to reach its
 * package-private parts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CacheLookupBenchmark {

    /** Entries in the scanned scope. */
    @Param({"16", "256", "1024"})
    public int entries;

    private static final int DIMENSIONS = 1536;

    private JsonObject chat;
    private MemoryStateStore store;
    private SemanticIndex index;
    private float[] query;
    private String directKey;

    /** Fills the store: one stored answer, one scope of {@link #entries} random unit vectors. */
    @Setup
    public void setUp() {
        chat = JsonBodies.parse(("{\"model\":\"openai/gpt-4o-mini\",\"temperature\":0.2,\"max_tokens\":300,"
                + "\"messages\":[{\"role\":\"system\",\"content\":\"You answer questions about geography in one "
                + "sentence.\"},{\"role\":\"user\",\"content\":\"What is the capital of France, and which river "
                + "flows through it?\"}]}").getBytes(StandardCharsets.UTF_8));
        store = new MemoryStateStore(Clock.systemUTC(), 1_000_000);
        directKey = RequestKeys.direct("bench", Operation.CHAT_COMPLETION, chat);
        byte[] answer = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + "Paris, on the Seine. "
                .repeat(40) + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":"
                + "200,\"total_tokens\":240}}").getBytes(StandardCharsets.UTF_8);
        store.put(directKey, new CachedAnswer(answer, AnswerForms.eventsFromJson(Operation.CHAT_COMPLETION,
                JsonBodies.parse(answer))).encode(), Duration.ofHours(1));
        index = new SemanticIndex(store, Clock.systemUTC(), entries, entries, PluginMetrics.none());
        Random random = new Random(42);
        for (int i = 0; i < entries; i++) {
            index.add("cache:s:bench", "cache:d:" + i, unit(random), Duration.ofHours(1));
        }
        query = unit(random);
        if (index.nearest("cache:s:bench", query, -1) == null || decode() == null) {
            throw new IllegalStateException("the benchmark's store is not set up");
        }
    }

    private static float[] unit(Random random) {
        float[] vector = new float[DIMENSIONS];
        double norm = 0;
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] = (float) random.nextGaussian();
            norm += vector[i] * vector[i];
        }
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] /= (float) Math.sqrt(norm);
        }
        return vector;
    }

    /** The exact path's key of a 300-byte chat request. */
    @Benchmark
    public String directKey() {
        return RequestKeys.direct("bench", Operation.CHAT_COMPLETION, chat);
    }

    /** A direct hit's store read and decoding (about 1 KB body plus its events). */
    @Benchmark
    public Object decode() {
        return CachedAnswer.decode(store.get(directKey).orElseThrow());
    }

    /** The semantic scan of a loaded scope: a token read and one dot product per entry. */
    @Benchmark
    public Object scan() {
        return index.nearest("cache:s:bench", query, -1);
    }
}
