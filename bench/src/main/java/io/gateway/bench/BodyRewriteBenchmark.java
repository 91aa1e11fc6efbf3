package io.gateway.bench;

import io.gateway.server.http.RequestBodies;
import io.gateway.server.routing.ModelSplice;
import io.gateway.server.routing.ForwardBody;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import jakarta.json.JsonObject;
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
 * The request body's way through the gateway for a pass-through chat call, step by step, calling the
 * server's own code: {@code RequestBodies.parse}, {@code Router.forwardBody}, {@code ModelSplice} and
 * {@code JsonBodies.toBytes} (what {@code OpenAiProvider.call} does with the forwarded body).
 *
 * <p>Two paths: the <em>rebuild</em> path (the body object is rebuilt with the new model and
 * serialized again: what the server does when it does not know the client's bytes, e.g. after a
 * middleware replaced the body, and what it did for every request before the splice) and the
 * <em>splice</em> path ({@link #serverPath}: the parsed body remembers the client's bytes and only the
 * {@code model} value is replaced in them). {@code RequestBodies.validate} (the field checks) is not
 * included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BodyRewriteBenchmark {

    /** Request body size. */
    @Param({"1KB", "100KB"})
    public String size;

    private byte[] request;
    private JsonObject parsed;
    private JsonObject forwarded;

    /** Builds the body and its parsed and forwarded forms. */
    @Setup
    public void setUp() {
        request = Payloads.chatRequest(Payloads.bytes(size));
        parsed = parseBody(request);
        forwarded = forwardBody(parsed, Payloads.BARE_MODEL);
        byte[] spliced = ModelSplice.replaceModel(request, Payloads.BARE_MODEL);
        if (spliced == null || !java.util.Arrays.equals(spliced, serverPath())
                || !JsonBodies.parse(spliced).equals(JsonBodies.parse(JsonBodies.toBytes(forwarded)))) {
            throw new IllegalStateException("the splice candidate does not forward the same body");
        }
    }

    /**
     * Parse only.
     *
     * @return the body
     */
    @Benchmark
    public JsonObject parse() {
        return parseBody(request);
    }

    /**
     * Rewrite only, on an already parsed body.
     *
     * @return the forwarded body
     */
    @Benchmark
    public JsonObject rewrite() {
        return forwardBody(parsed, Payloads.BARE_MODEL);
    }

    /**
     * Serialize only, the forwarded body to bytes.
     *
     * @return the bytes sent upstream
     */
    @Benchmark
    public byte[] serialize() {
        return JsonBodies.toBytes(forwarded);
    }

    /**
     * Parse, read the model, rewrite: the server's parse + model rewrite.
     *
     * @return the forwarded body
     */
    @Benchmark
    public JsonObject parseAndRewrite() {
        JsonObject body = parseBody(request);
        ModelRef model = ModelRef.parse(JsonBodies.string(body, "model"));
        return forwardBody(body, model.model());
    }

    /**
     * Everything the body costs on a pass-through: parse, rewrite, serialize for the upstream.
     *
     * @return the bytes sent upstream
     */
    @Benchmark
    public byte[] parseRewriteSerialize() {
        JsonObject body = parseBody(request);
        ModelRef model = ModelRef.parse(JsonBodies.string(body, "model"));
        return JsonBodies.toBytes(forwardBody(body, model.model()));
    }

    /**
     * Rewrite and serialize an already parsed body: what the candidate below replaces.
     *
     * @return the bytes sent upstream
     */
    @Benchmark
    public byte[] rewriteAndSerialize() {
        return JsonBodies.toBytes(forwardBody(parsed, Payloads.BARE_MODEL));
    }

    /**
     * Candidate, the replacing step alone: splice the bare model into the client's bytes.
     *
     * @return the bytes sent upstream
     */
    @Benchmark
    public byte[] spliceModel() {
        return ModelSplice.replaceModel(request, Payloads.BARE_MODEL);
    }

    /**
     * The server's path: parse once (middleware and validation see the {@code JsonObject}; the client's
     * bytes ride beside it), read the model, forward with only the {@code model} value replaced in
     * those bytes, and the provider's {@code ProviderCall.bodyBytes()} (a copy of them).
     *
     * @return the bytes sent upstream
     */
    @Benchmark
    public byte[] serverPath() {
        JsonObject body = parseBody(request);
        ModelRef model = ModelRef.parse(JsonBodies.string(body, "model"));
        ForwardBody.Forwarded forwarded = ForwardBody.forward(body, request, model.model());
        return forwarded.raw() != null ? forwarded.raw().clone() : JsonBodies.toBytes(forwarded.body());
    }

    static JsonObject parseBody(byte[] bytes) {
        return RequestBodies.parse(bytes);
    }

    /** The rebuild path: the parsed body knows no bytes, so the object is rebuilt. */
    static JsonObject forwardBody(JsonObject body, String model) {
        return ForwardBody.forward(body, null, model).body();
    }
}
