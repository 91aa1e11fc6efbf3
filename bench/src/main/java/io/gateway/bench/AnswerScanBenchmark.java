package io.gateway.bench;

import io.gateway.server.routing.AnswerScanner;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
 * What checking an upstream's answer costs: {@link AnswerScanner#scan} (one streaming pass that
 * validates the JSON and builds only its {@code usage} object) on a chat completion answer of 1 KB and
 * 100 KB, beside building the whole tree ({@code JsonBodies.parse}, what a middleware reading
 * {@code body()} pays), and {@link AnswerScanner#scanEvent} on one chat chunk. {@code viaString} and
 * {@code viaStream} are the two ways to feed Parsson's parser, measured to choose the server's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AnswerScanBenchmark {

    /** Answer size. */
    @Param({"1KB", "100KB"})
    public String size;

    private static final JsonParserFactory PARSERS = JsonBodies.provider().createParserFactory(Map.of());

    private byte[] answer;

    /** Builds the answer. */
    @Setup
    public void setUp() {
        answer = Payloads.chatAnswer(Payloads.bytes(size));
        if (scan() == null || !scan().equals(tree().getJsonObject("usage"))) {
            throw new IllegalStateException("the scan did not find the answer's usage");
        }
    }

    /** The server's check: validate and pick {@code usage} out. */
    @Benchmark
    public JsonObject scan() {
        return AnswerScanner.scan(answer, "bench");
    }

    /** The whole tree, for comparison. */
    @Benchmark
    public JsonObject tree() {
        return JsonBodies.parse(answer);
    }

    /** Parsson's parser over a String decoded first. */
    @Benchmark
    public int viaString() {
        try (JsonParser parser = PARSERS.createParser(new StringReader(new String(answer, StandardCharsets.UTF_8)))) {
            return walk(parser);
        }
    }

    /** Parsson's parser over the bytes as a stream. */
    @Benchmark
    public int viaStream() {
        try (JsonParser parser = PARSERS.createParser(new ByteArrayInputStream(answer), StandardCharsets.UTF_8)) {
            return walk(parser);
        }
    }

    /** One chat chunk event's data checked. */
    @Benchmark
    public JsonObject scanEvent() {
        return AnswerScanner.scanEvent(Payloads.CHAT_CHUNK, "bench");
    }

    private static int walk(JsonParser parser) {
        int events = 0;
        while (parser.hasNext()) {
            parser.next();
            events++;
        }
        return events;
    }
}
