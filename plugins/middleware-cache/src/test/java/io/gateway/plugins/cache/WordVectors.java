package io.gateway.plugins.cache;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Exchange;
import jakarta.json.JsonArrayBuilder;
import java.util.Locale;

/**
 * An embedding model for tests whose vectors reflect word overlap: a bag of words over 256 buckets,
 * so that texts sharing most words are similar and texts sharing none are orthogonal.
 */
final class WordVectors {

    private WordVectors() {
    }

    static double[] vector(String text) {
        double[] vector = new double[256];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!word.isEmpty()) {
                vector[Math.floorMod(word.hashCode(), vector.length)] += 1;
            }
        }
        return vector;
    }

    /** An OpenAI embeddings answer for the exchange's {@code input}. */
    static Response answer(Exchange exchange) {
        JsonArrayBuilder values = JsonBodies.provider().createArrayBuilder();
        for (double value : vector(exchange.body().getString("input"))) {
            values.add(value);
        }
        return Response.Complete.ok(JsonBodies.provider().createObjectBuilder()
                .add("object", "list")
                .add("data", JsonBodies.provider().createArrayBuilder().add(JsonBodies.provider().createObjectBuilder()
                        .add("object", "embedding").add("index", 0).add("embedding", values)))
                .add("model", "text-embedding-3-small")
                .build());
    }
}
