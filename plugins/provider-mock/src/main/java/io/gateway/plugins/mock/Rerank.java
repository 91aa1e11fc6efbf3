package io.gateway.plugins.mock;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code rerank}: every document scored by the share of the query's distinct words it contains, the
 * results ordered by that score (ties in document order), cut to {@code top_n}, with the document's text
 * when {@code return_documents} is set. Deterministic, so a test can say which document wins.
 */
final class Rerank {

    private Rerank() {
    }

    static JsonObject body(MockCall mock) {
        JsonObject body = mock.body();
        String query = RequestFields.optionalString(body, "query", "query");
        if (query == null || query.isBlank()) {
            throw GatewayException.invalidRequest("'query' must be a non-empty string", "query");
        }
        JsonArray documents = RequestFields.optionalArray(body, "documents", "documents");
        if (documents == null || documents.isEmpty()) {
            throw GatewayException.invalidRequest("'documents' must be a non-empty array", "documents");
        }
        Integer topN = RequestFields.optionalInteger(body, "top_n", 1, Integer.MAX_VALUE);
        boolean returnDocuments = body.get("return_documents") == JsonValue.TRUE;
        Set<String> wanted = words(query);
        List<Scored> scored = new ArrayList<>(documents.size());
        int tokens = Reply.tokens(query);
        for (int i = 0; i < documents.size(); i++) {
            String text = text(documents.get(i), i);
            tokens += Reply.tokens(text);
            Set<String> present = words(text);
            long hits = wanted.stream().filter(present::contains).count();
            double score = wanted.isEmpty() ? 0 : (double) hits / wanted.size();
            scored.add(new Scored(i, text, BigDecimal.valueOf(score).setScale(6, RoundingMode.HALF_EVEN)));
        }
        scored.sort(Comparator.comparing(Scored::score).reversed().thenComparingInt(Scored::index));
        JsonArrayBuilder results = Json.array();
        int count = topN == null ? scored.size() : Math.min(topN, scored.size());
        for (Scored result : scored.subList(0, count)) {
            JsonObjectBuilder item = Json.object().add("index", result.index()).add("relevance_score", result.score());
            if (returnDocuments) {
                item.add("document", Json.object().add("text", result.text()));
            }
            results.add(item);
        }
        return Json.object()
                .add("id", "rerank-" + mock.digest())
                .add("model", mock.model())
                .add("results", results)
                .add("usage", Usage.embedding(tokens))
                .build();
    }

    private record Scored(int index, String text, BigDecimal score) {
    }

    private static String text(JsonValue document, int index) {
        if (document instanceof JsonString string) {
            return string.getString();
        }
        if (document instanceof JsonObject object && object.get("text") instanceof JsonString string) {
            return string.getString();
        }
        throw GatewayException.invalidRequest("'documents[" + index + "]' must be a string or an object with a"
                + " string 'text'", "documents");
    }

    /** The lower-cased runs of letters and digits of a text. */
    private static Set<String> words(String text) {
        Set<String> words = new HashSet<>();
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }
}
