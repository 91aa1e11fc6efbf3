package io.gateway.plugins.cache;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Clock;

/**
 * Embeds a request's text through the gateway's router ({@link io.gateway.spi.PluginContext#router()}):
 * one {@code embeddings} request to the configured model, with that provider's keys, retries and
 * deadline, outside the middleware chain (so it is charged to no virtual key). Returns the vector
 * scaled to length 1, so that cosine similarity is a dot product. Thread-safe.
 */
final class Embedder {

    private final Chain router;
    private final ModelRef model;
    private final Clock clock;

    Embedder(Chain router, ModelRef model, Clock clock) {
        this.router = router;
        this.model = model;
        this.clock = clock;
    }

    /**
     * The unit vector of a text.
     *
     * @param requestId the request this embedding is for (its id, suffixed, names the embedding call)
     * @param text      the text
     * @return the vector, length 1
     * @throws GatewayException when the call fails or the answer holds no usable vector
     */
    float[] embed(String requestId, String text) {
        JsonObject body = Json.object().add("model", model.toString()).add("input", text).build();
        Response response = router.proceed(Exchange.create(requestId + "-cache-embedding", Operation.EMBEDDING, body,
                Headers.empty(), clock.instant()));
        if (!(response instanceof Response.Complete complete)) {
            closeQuietly(response);
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the embedding model " + model
                    + " did not answer with JSON");
        }
        JsonArray data = Json.arrayField(complete.body(), "data");
        JsonObject first = data == null || data.isEmpty() || !(data.get(0) instanceof JsonObject item) ? null : item;
        JsonArray vector = first == null ? null : Json.arrayField(first, "embedding");
        if (vector == null || vector.isEmpty()) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the embedding model " + model
                    + " answered without data[0].embedding as an array of numbers");
        }
        float[] values = new float[vector.size()];
        double norm = 0;
        for (int i = 0; i < values.length; i++) {
            JsonValue value = vector.get(i);
            if (!(value instanceof JsonNumber number)) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the embedding model " + model
                        + " answered an embedding that is not all numbers");
            }
            values[i] = (float) number.doubleValue();
            norm += (double) values[i] * values[i];
        }
        if (norm == 0 || Double.isNaN(norm) || Double.isInfinite(norm)) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the embedding model " + model
                    + " answered a zero or non-finite vector");
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < values.length; i++) {
            values[i] *= scale;
        }
        return values;
    }

    private static void closeQuietly(Response response) {
        try {
            if (response instanceof Response.Streaming streaming) {
                streaming.events().close();
            } else if (response instanceof Response.Binary binary) {
                binary.body().close();
            }
        } catch (RuntimeException ignored) {
            // nothing more to release
        }
    }

    /**
     * The cosine similarity of two unit vectors.
     *
     * @param a a unit vector
     * @param b a unit vector
     * @return the similarity, -1 to 1; -1 when their lengths differ (another model wrote one)
     */
    static double similarity(float[] a, float[] b) {
        if (a.length != b.length) {
            return -1;
        }
        // eight independent sums: one running sum is a chain of dependent additions the JIT may not
        // reorder (floating-point addition is not associative); eight keep the multipliers busy
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int n = a.length;
        int i = 0;
        for (; i + 7 < n; i += 8) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
            s4 += a[i + 4] * b[i + 4];
            s5 += a[i + 5] * b[i + 5];
            s6 += a[i + 6] * b[i + 6];
            s7 += a[i + 7] * b[i + 7];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return (double) ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
