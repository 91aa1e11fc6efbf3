package io.gateway.bench;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.util.Map;
import java.util.Set;
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
 * The request body's way through the gateway for a pass-through chat call, step by step.
 *
 * <p>{@code RequestBodies} and {@code Router.forwardBody} are package-private, so their steps are
 * mirrored here through the public API, line for line:
 * <ul>
 *   <li>{@link #parseBody} mirrors {@code io.gateway.server.http.RequestBodies.parse(byte[])} (one
 *       {@code JsonReader} from {@code JsonBodies.provider()} over the bytes, {@code readValue()}, object check);</li>
 *   <li>the model lookup mirrors {@code InferenceRoutes.handle}: {@code JsonBodies.string(body, "model")}
 *       then {@code ModelRef.parse};</li>
 *   <li>{@link #forwardBody} mirrors {@code io.gateway.server.routing.Router.forwardBody(JsonObject, String)}
 *       (a new object builder, {@code model} replaced by the bare name, {@code Router.GATEWAY_FIELDS} dropped);</li>
 *   <li>{@code serialize} is what {@code OpenAiProvider.call} does with the forwarded body:
 *       {@code JsonBodies.toBytes(call.body())} (public, called as is).</li>
 * </ul>
 * {@code RequestBodies.validate} (the field checks) is not mirrored. {@link #parseAndSpliceModel} is
 * not in the server: it is a candidate replacement for rewrite + serialize, measured beside them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BodyRewriteBenchmark {

    /** Mirrors {@code Router.GATEWAY_FIELDS}. */
    private static final Set<String> GATEWAY_FIELDS = Set.of("fallbacks");

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
        byte[] spliced = ModelSplice.forward(request, parsed);
        if (spliced == null || !JsonBodies.parse(spliced).equals(JsonBodies.parse(JsonBodies.toBytes(forwarded)))) {
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
        return ModelSplice.forward(request, parsed);
    }

    /**
     * Candidate: parse once (middleware and validation still see a {@code JsonObject}), then forward
     * the client's own bytes with only the {@code model} value replaced.
     *
     * @return the bytes sent upstream
     */
    @Benchmark
    public byte[] parseAndSpliceModel() {
        JsonObject body = parseBody(request);
        return ModelSplice.forward(request, body);
    }

    /** Mirror of {@code RequestBodies.parse(byte[])}. */
    static JsonObject parseBody(byte[] bytes) {
        if (bytes.length == 0) {
            throw GatewayException.invalidRequest("the request body is empty; send a JSON object", null);
        }
        try (JsonReader reader = JsonBodies.provider().createReader(new ByteArrayInputStream(bytes))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw GatewayException.invalidRequest("the request body must be a JSON object", null);
            }
            return value.asJsonObject();
        }
    }

    /** Mirror of {@code Router.forwardBody(JsonObject, String)}. */
    static JsonObject forwardBody(JsonObject body, String model) {
        JsonObjectBuilder builder = JsonBodies.provider().createObjectBuilder();
        for (Map.Entry<String, JsonValue> field : body.entrySet()) {
            String name = field.getKey();
            if (name.equals("model")) {
                builder.add("model", model);
            } else if (!GATEWAY_FIELDS.contains(name)) {
                builder.add(name, field.getValue());
            }
        }
        return builder.build();
    }
}
