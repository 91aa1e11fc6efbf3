package io.gateway.bench;

import io.gateway.server.mcp.McpGateway;
import io.gateway.server.mcp.McpSettings;
import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.telemetry.Telemetry;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import java.time.Instant;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the MCP link costs an ordinary chat request (no MCP headers): the rest of the chain called
 * directly, against the same call through {@link McpGateway#link}, with the headers an OpenAI SDK sends.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class McpLinkBenchmark {

    private McpGateway gateway;
    private Chain next;
    private Chain link;
    private Exchange chat;

    /** Builds the link and a chat request. */
    @Setup
    public void setUp() {
        gateway = McpGateway.start(McpSettings.none(), new GatewayMetrics(), Telemetry.off());
        Response answer = Response.Complete.ok(JsonBodies.parse("{\"id\":\"chatcmpl-1\"}"));
        next = exchange -> answer;
        link = gateway.link(next);
        chat = Exchange.create("r1", Operation.CHAT_COMPLETION, JsonBodies.parse(
                "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                Headers.of("content-type", "application/json", "accept", "application/json",
                        "authorization", "Bearer sk-bf-0123456789", "user-agent", "OpenAI/Java 4.1.0",
                        "x-stainless-lang", "java", "x-stainless-os", "Linux", "x-stainless-arch", "amd64",
                        "x-stainless-runtime", "JRE", "x-stainless-retry-count", "0", "host", "localhost:8080"),
                Instant.EPOCH);
    }

    /** Stops the gateway's MCP side. */
    @TearDown
    public void tearDown() {
        gateway.close();
    }

    /**
     * The rest of the chain, called directly.
     *
     * @return the answer
     */
    @Benchmark
    public Response direct() {
        return next.proceed(chat);
    }

    /**
     * The same call through the MCP link.
     *
     * @return the answer
     */
    @Benchmark
    public Response throughLink() {
        return link.proceed(chat);
    }
}
