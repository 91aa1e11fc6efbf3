package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import jakarta.json.JsonArrayBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the response cache's integration tests share: an embeddings upstream whose vectors reflect word
 * overlap, the cache's counters read from {@code /metrics}, and raw answers.
 */
final class CacheSupport {

    private static final Pattern COUNTER = Pattern.compile("(?m)^gateway_cache_(\\w+)_total\\{([^}]*)\\} (\\S+)$");

    private CacheSupport() {
    }

    /**
     * An OpenAI embeddings answer whose vector is a bag of the input's words over 256 buckets: texts
     * sharing most words are similar, texts sharing none orthogonal.
     *
     * @param request the embeddings request
     * @return the reply
     */
    static Reply wordOverlapEmbedding(RecordedRequest request) {
        String input = request.bodyJson().getString("input");
        double[] vector = new double[256];
        for (String word : input.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (!word.isEmpty()) {
                vector[Math.floorMod(word.hashCode(), vector.length)] += 1;
            }
        }
        JsonArrayBuilder values = JsonBodies.provider().createArrayBuilder();
        for (double value : vector) {
            values.add(value);
        }
        return Reply.json(200, JsonBodies.provider().createObjectBuilder()
                .add("object", "list")
                .add("data", JsonBodies.provider().createArrayBuilder().add(JsonBodies.provider().createObjectBuilder()
                        .add("object", "embedding").add("index", 0).add("embedding", values)))
                .add("model", "text-embedding-3-small")
                .add("usage", JsonBodies.provider().createObjectBuilder().add("prompt_tokens", 3).add("total_tokens", 3))
                .build());
    }

    /**
     * A cache counter as {@code /metrics} shows it, summed over the plugin's series with the given label.
     *
     * @param gateway the gateway
     * @param name    e.g. {@code stored}
     * @param label   e.g. {@code type="direct"}, or empty for every series
     * @return the value
     */
    static double counter(TestGateway gateway, String name, String label) {
        HttpResponse<String> metrics = Http.get(gateway.uri("/metrics"));
        assertEquals(200, metrics.statusCode());
        double total = 0;
        Matcher matcher = COUNTER.matcher(metrics.body());
        while (matcher.find()) {
            if (matcher.group(1).equals(name) && matcher.group(2).contains(label)) {
                total += Double.parseDouble(matcher.group(3));
            }
        }
        return total;
    }

    /** Waits until the cache has stored {@code expected} answers in all (its writes run off the request's path). */
    static void awaitStored(TestGateway gateway, String type, double expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double seen;
        do {
            seen = counter(gateway, "stored", "type=\"" + type + "\"");
            if (seen >= expected) {
                return;
            }
            RedisServer.sleep(10);
        } while (System.nanoTime() < deadline);
        fail("the cache stored " + seen + " " + type + " answers within 10 s, expected " + expected);
    }

    /** A streamed answer's body, read to its end, with the response. */
    record Raw(HttpResponse<InputStream> response, byte[] body) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    static Raw stream(TestGateway gateway, String path, String json, String... headers) {
        HttpResponse<InputStream> response = Http.postStream(gateway.uri(path), json, headers);
        try (InputStream in = response.body()) {
            return new Raw(response, in.readAllBytes());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
