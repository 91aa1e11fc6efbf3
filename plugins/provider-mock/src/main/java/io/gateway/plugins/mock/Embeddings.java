package io.gateway.plugins.mock;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * {@code embeddings}: one unit-length vector per input, the same vector for the same input.
 *
 * <p>Stability is what makes the mock useful for testing caches, deduplication and vector-store
 * plumbing; unit length is what real embedding models return, so cosine and dot product agree.
 * Vectors are short by default ({@value #DEFAULT_DIMENSIONS}) to keep test output readable;
 * {@code dimensions} asks for another length. With {@code encoding_format: "base64"} each vector is
 * the base64 of its little-endian float32 values, exactly the floats the default format lists.
 */
final class Embeddings {

    static final int DEFAULT_DIMENSIONS = 8;
    static final int MAX_DIMENSIONS = 4096;

    private Embeddings() {
    }

    static JsonObject body(MockCall mock) {
        JsonObject body = mock.body();
        JsonValue input = body.get("input");
        if (input == null) {
            throw GatewayException.invalidRequest("'input' is required", "input");
        }
        List<Prompts.Item> items = Prompts.items(input, "input", false);
        int dimensions = RequestFields.integer(body, "dimensions", 1, MAX_DIMENSIONS, DEFAULT_DIMENSIONS);
        boolean base64 = "base64".equals(RequestFields.choice(body, "encoding_format", "float", "float", "base64"));
        JsonArrayBuilder data = Json.array();
        int tokens = 0;
        for (int i = 0; i < items.size(); i++) {
            Prompts.Item item = items.get(i);
            tokens += item.tokens();
            float[] vector = vector(item.key(), dimensions);
            JsonValue embedding = base64 ? Json.string(base64(vector)) : floats(vector);
            data.add(Json.object()
                    .add("object", "embedding")
                    .add("index", i)
                    .add("embedding", embedding));
        }
        return Json.object()
                .add("object", "list")
                .add("data", data)
                .add("model", mock.model())
                .add("usage", Usage.embedding(tokens))
                .build();
    }

    /**
     * A unit vector seeded from the input alone.
     *
     * <p>SplitMix64 is written out here rather than taken from {@code java.util.Random} so that the
     * vectors can never change with the JDK.
     *
     * @param key        identifies the input
     * @param dimensions the vector length
     * @return the vector, of Euclidean length 1 (within float precision)
     */
    static float[] vector(String key, int dimensions) {
        long state = ByteBuffer.wrap(MockCall.sha256(key)).getLong();
        double[] values = new double[dimensions];
        double sumOfSquares = 0;
        for (int i = 0; i < dimensions; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            values[i] = (z >>> 11) * 0x1.0p-53 * 2 - 1;
            sumOfSquares += values[i] * values[i];
        }
        float[] vector = new float[dimensions];
        if (sumOfSquares == 0) {
            vector[0] = 1;
            return vector;
        }
        double norm = Math.sqrt(sumOfSquares);
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) (values[i] / norm);
        }
        return vector;
    }

    static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : vector) {
            bytes.putFloat(value);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    /** Shortest decimal that reads back as the same float, so both encodings carry identical values. */
    private static JsonValue floats(float[] vector) {
        JsonArrayBuilder array = Json.array();
        for (float value : vector) {
            array.add(new BigDecimal(Float.toString(value)));
        }
        return array.build();
    }
}
