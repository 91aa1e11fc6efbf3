package io.gateway.plugins.vertex;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Response;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import io.gateway.toolkit.upstream.Answer;
import io.gateway.translation.gemini.EmbeddingInput;
import io.gateway.translation.gemini.GeminiTranslation;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code embeddings} through Vertex AI's {@code predict}: each input one {@code instances} entry
 * ({@code content}, and {@code task_type} when the request names one), {@code dimensions} as
 * {@code parameters.outputDimensionality}; the answer's {@code predictions[].embeddings.values} in input
 * order, and their {@code statistics.token_count} summed as the input tokens. Vertex takes at most
 * {@value #MAX_INSTANCES} instances per call, and {@code gemini-embedding-*} models one, so longer inputs
 * go out as several calls in order. What the request may hold is what the shared Gemini translation
 * accepts for embeddings (text only; {@code encoding_format} {@code float} or {@code base64}).
 */
final class VertexEmbeddings {

    /** The most instances one {@code predict} call takes. */
    static final int MAX_INSTANCES = 250;

    private static final Set<String> TASK_TYPES = Set.of("RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT",
            "SEMANTIC_SIMILARITY", "CLASSIFICATION", "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION",
            "CODE_RETRIEVAL_QUERY");

    private VertexEmbeddings() {
    }

    static Response call(VertexTarget target, ProviderCall call) {
        EmbeddingInput input = GeminiTranslation.embeddingInput(call.body());
        String taskType = RequestFields.optionalString(call.body(), "task_type", "task_type");
        if (taskType != null && !TASK_TYPES.contains(taskType)) {
            throw GatewayException.invalidRequest("'task_type' must be one of " + TASK_TYPES, "task_type");
        }
        URI uri = target.endpoint(call.model(), "predict", false);
        int batch = GeminiTranslation.modelId(call.model()).startsWith("gemini-embedding") ? 1 : MAX_INSTANCES;
        List<String> texts = input.texts();
        List<JsonArray> vectors = new ArrayList<>(texts.size());
        long tokens = 0;
        Headers headers = Headers.empty();
        for (int from = 0; from < texts.size(); from += batch) {
            List<String> part = texts.subList(from, Math.min(texts.size(), from + batch));
            Answer<JsonObject> answer = target.postForJson(call, uri, request(part, taskType, input.dimensions()));
            headers = answer.headers();
            JsonArray predictions = Json.arrayField(answer.body(), "predictions");
            if (predictions == null || predictions.size() != part.size()) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "vertex answered "
                        + (predictions == null ? 0 : predictions.size()) + " embeddings for " + part.size() + " inputs");
            }
            for (JsonValue value : predictions) {
                JsonObject embeddings = value instanceof JsonObject prediction
                        ? Json.objectField(prediction, "embeddings") : null;
                JsonArray values = Json.arrayField(embeddings, "values");
                if (values == null) {
                    throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "vertex answered an embedding"
                            + " without values");
                }
                vectors.add(values);
                if (Json.objectField(embeddings, "statistics") != null
                        && Json.objectField(embeddings, "statistics").get("token_count") instanceof JsonNumber count) {
                    tokens += Math.max(0, count.longValue());
                }
            }
        }
        return Response.Complete.of(200, headers, GeminiTranslation.embeddingList(vectors, input, call.model(), tokens));
    }

    private static JsonObject request(List<String> texts, String taskType, Integer dimensions) {
        JsonArrayBuilder instances = Json.array();
        for (String text : texts) {
            JsonObjectBuilder instance = Json.object().add("content", text);
            if (taskType != null) {
                instance.add("task_type", taskType);
            }
            instances.add(instance);
        }
        JsonObjectBuilder request = Json.object().add("instances", instances);
        if (dimensions != null) {
            request.add("parameters", Json.object().add("outputDimensionality", dimensions));
        }
        return request.build();
    }
}
