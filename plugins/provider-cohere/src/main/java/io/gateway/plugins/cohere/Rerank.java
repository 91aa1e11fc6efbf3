package io.gateway.plugins.cohere;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Response;
import io.gateway.spi.TokenUsage;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import io.gateway.toolkit.openai.OpenAiUsage;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rerank} through Cohere's {@code /v2/rerank}: {@code query}, {@code documents} as texts (an object's
 * {@code text}), {@code top_n} and {@code max_tokens_per_doc} passed on. Cohere answers indexes and
 * scores; with {@code return_documents} the gateway adds each result's {@code document.text} from the
 * request, as Jina and Cohere's v1 did. The answer is {@code {"id","model","results","usage"}}, with
 * Cohere's billed search units beside the token counts in {@code usage.search_units}.
 */
final class Rerank {

    private Rerank() {
    }

    static Response call(CohereProvider provider, ProviderCall call) {
        JsonObject body = call.body();
        String query = RequestFields.optionalString(body, "query", "query");
        if (query == null || query.isBlank()) {
            throw GatewayException.invalidRequest("'query' must be a non-empty string", "query");
        }
        JsonArray documents = RequestFields.optionalArray(body, "documents", "documents");
        if (documents == null || documents.isEmpty()) {
            throw GatewayException.invalidRequest("'documents' must be a non-empty array", "documents");
        }
        List<String> texts = new ArrayList<>(documents.size());
        JsonArrayBuilder sent = Json.array();
        for (int i = 0; i < documents.size(); i++) {
            JsonValue document = documents.get(i);
            String text = document instanceof JsonString string ? string.getString()
                    : document instanceof JsonObject object ? Json.text(object, "text") : null;
            if (text == null) {
                throw GatewayException.invalidRequest("'documents[" + i + "]' must be a string or an object with a"
                        + " string 'text'", "documents");
            }
            texts.add(text);
            sent.add(text);
        }
        JsonObjectBuilder request = Json.object().add("model", call.model()).add("query", query).add("documents", sent);
        Integer topN = RequestFields.optionalInteger(body, "top_n", 1, Integer.MAX_VALUE);
        if (topN != null) {
            request.add("top_n", topN);
        }
        Integer maxTokens = RequestFields.optionalInteger(body, "max_tokens_per_doc", 1, Integer.MAX_VALUE);
        if (maxTokens != null) {
            request.add("max_tokens_per_doc", maxTokens);
        }
        boolean returnDocuments = body.get("return_documents") == JsonValue.TRUE;

        Answer<JsonObject> answer = provider.rerank(call, request.build());
        JsonArray results = Json.arrayField(answer.body(), "results");
        if (results == null) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "cohere answered no rerank results");
        }
        JsonArrayBuilder out = Json.array();
        for (JsonValue value : results) {
            JsonObject result = value instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
            if (!(result.get("index") instanceof JsonNumber index) || !index.isIntegral() || index.intValue() < 0
                    || index.intValue() >= texts.size() || !(result.get("relevance_score") instanceof JsonNumber score)) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "cohere answered a rerank result without"
                        + " a valid index and relevance_score");
            }
            JsonObjectBuilder item = Json.object().add("index", index).add("relevance_score", score);
            if (returnDocuments) {
                item.add("document", Json.object().add("text", texts.get(index.intValue())));
            }
            out.add(item);
        }
        JsonObject meta = Json.objectField(answer.body(), "meta");
        JsonObject tokens = Json.objectField(meta, "tokens");
        JsonObjectBuilder usage = OpenAiUsage.embeddings(TokenUsage.builder()
                .inputTokens(Math.max(0, Json.longField(tokens, "input_tokens", 0))).build());
        JsonValue searchUnits = Json.objectField(meta, "billed_units") == null ? null
                : Json.objectField(meta, "billed_units").get("search_units");
        if (searchUnits instanceof JsonNumber units) {
            usage.add("search_units", units);
        }
        String id = Json.text(answer.body(), "id");
        return Response.Complete.of(200, answer.headers(), Json.object()
                .add("id", id == null ? "rerank-cohere" : id)
                .add("model", call.model())
                .add("results", out)
                .add("usage", usage)
                .build());
    }
}
