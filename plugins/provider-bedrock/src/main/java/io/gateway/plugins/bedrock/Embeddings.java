package io.gateway.plugins.bedrock;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code embeddings} through InvokeModel, in the body of the model's family ({@link Families}):
 * <ul>
 *   <li>Titan Text Embeddings embed one text per call, so an input of several texts is several calls in
 *       order (each within the call's deadline); {@code dimensions} becomes v2's {@code dimensions} (256,
 *       512 or 1024) or the multimodal model's {@code outputEmbeddingLength}; the token counts are the
 *       answers' {@code inputTextTokenCount}s.</li>
 *   <li>Cohere Embed takes up to 96 texts per call; the client may add Cohere's {@code input_type}
 *       (default {@code search_document}) and {@code truncate}; {@code dimensions} becomes
 *       {@code output_dimension} (Embed v4); the token count is Bedrock's
 *       {@code X-Amzn-Bedrock-Input-Token-Count}.</li>
 * </ul>
 * {@code encoding_format: base64} is answered as OpenAI does: the vector as little-endian float32,
 * base64-encoded. Token-id input and other models answer 400. Stateless.
 */
final class Embeddings {

    /** Cohere Embed's largest batch on Bedrock. */
    static final int COHERE_BATCH = 96;

    private Embeddings() {
    }

    static Response call(BedrockCalls calls, ProviderCall call) {
        JsonObject body = call.body();
        Families family = Families.of(call.model());
        if (family != Families.TITAN_EMBED_V2 && family != Families.TITAN_EMBED_V1
                && family != Families.TITAN_EMBED_IMAGE && family != Families.COHERE_EMBED) {
            throw GatewayException.invalidRequest("bedrock embeddings need a Titan Embeddings or Cohere Embed model "
                    + "(e.g. amazon.titan-embed-text-v2:0, cohere.embed-english-v3), not '" + call.model() + "'",
                    "model");
        }
        if (call.stream()) {
            throw GatewayException.invalidRequest("embeddings do not stream; send the request without 'stream'",
                    "stream");
        }
        List<String> texts = texts(body.get("input"));
        Integer dimensions = RequestFields.optionalInteger(body, "dimensions", 1, Integer.MAX_VALUE);
        String encoding = RequestFields.choice(body, "encoding_format", "float", "float", "base64");
        List<JsonArray> vectors = new ArrayList<>(texts.size());
        long tokens = 0;
        Headers relayed = Headers.empty();
        if (family == Families.COHERE_EMBED) {
            for (int from = 0; from < texts.size(); from += COHERE_BATCH) {
                List<String> batch = texts.subList(from, Math.min(texts.size(), from + COHERE_BATCH));
                Answer<JsonObject> answer = calls.post(call, calls.model(call, "invoke"), cohere(body, batch,
                        dimensions));
                vectors.addAll(cohereVectors(answer.body(), batch.size()));
                tokens += answer.headers().first("x-amzn-bedrock-input-token-count")
                        .map(Embeddings::count).orElse(0L);
                relayed = answer.headers();
            }
        } else {
            if (dimensions != null && family == Families.TITAN_EMBED_V1) {
                throw GatewayException.invalidRequest("'" + call.model() + "' has a fixed size; 'dimensions' needs "
                        + "Titan Text Embeddings v2 (256, 512 or 1024)", "dimensions");
            }
            for (String text : texts) {
                Answer<JsonObject> answer = calls.post(call, calls.model(call, "invoke"), titan(family, text,
                        dimensions));
                JsonArray vector = Json.arrayField(answer.body(), "embedding");
                if (vector == null) {
                    throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "bedrock answered an embedding "
                            + "request without an embedding");
                }
                vectors.add(vector);
                tokens += Math.max(0, Json.longField(answer.body(), "inputTextTokenCount", 0));
                relayed = answer.headers();
            }
        }
        JsonArrayBuilder data = Json.array();
        for (int i = 0; i < vectors.size(); i++) {
            data.add(Json.object()
                    .add("object", "embedding")
                    .add("index", i)
                    .add("embedding", encoding.equals("base64") ? Json.string(base64(vectors.get(i)))
                            : vectors.get(i)));
        }
        return Response.Complete.of(200, relayed, Json.object()
                .add("object", "list")
                .add("data", data)
                .add("model", call.model())
                .add("usage", OpenAiUsage.embeddings(TokenUsage.builder().inputTokens(tokens).build()))
                .build());
    }

    private static JsonObject titan(Families family, String text, Integer dimensions) {
        JsonObjectBuilder request = Json.object().add("inputText", text);
        if (dimensions != null) {
            if (family == Families.TITAN_EMBED_V2) {
                request.add("dimensions", dimensions);
            } else {
                request.add("embeddingConfig", Json.object().add("outputEmbeddingLength", dimensions));
            }
        }
        return request.build();
    }

    private static JsonObject cohere(JsonObject body, List<String> texts, Integer dimensions) {
        JsonArrayBuilder array = Json.array();
        texts.forEach(array::add);
        String inputType = RequestFields.optionalString(body, "input_type", "input_type");
        JsonObjectBuilder request = Json.object()
                .add("texts", array)
                .add("input_type", inputType == null ? "search_document" : inputType)
                .add("embedding_types", Json.array().add("float"));
        String truncate = RequestFields.optionalString(body, "truncate", "truncate");
        if (truncate != null) {
            request.add("truncate", truncate);
        }
        if (dimensions != null) {
            request.add("output_dimension", dimensions);
        }
        return request.build();
    }

    /** Cohere's {@code embeddings}: {@code {"float": [[…]]}} when types were asked for, else {@code [[…]]}. */
    private static List<JsonArray> cohereVectors(JsonObject answer, int expected) {
        JsonValue embeddings = answer.get("embeddings");
        JsonArray list = embeddings instanceof JsonObject byType ? Json.arrayField(byType, "float")
                : embeddings instanceof JsonArray array ? array : null;
        if (list == null || list.size() != expected) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "bedrock answered "
                    + (list == null ? "no" : String.valueOf(list.size())) + " embeddings for " + expected + " texts");
        }
        List<JsonArray> vectors = new ArrayList<>(expected);
        for (JsonValue value : list) {
            if (!(value instanceof JsonArray vector)) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "bedrock answered an embedding that is "
                        + "not an array of numbers");
            }
            vectors.add(vector);
        }
        return vectors;
    }

    private static List<String> texts(JsonValue input) {
        if (input instanceof JsonString string) {
            return List.of(string.getString());
        }
        if (!(input instanceof JsonArray array)) {
            throw GatewayException.invalidRequest("'input' must be a string or an array of strings", "input");
        }
        if (array.isEmpty()) {
            throw GatewayException.invalidRequest("'input' must not be empty", "input");
        }
        List<String> texts = new ArrayList<>(array.size());
        for (JsonValue value : array) {
            if (value instanceof JsonString string) {
                texts.add(string.getString());
            } else if (value instanceof JsonNumber || value instanceof JsonArray) {
                throw GatewayException.invalidRequest("bedrock embeddings take text input, not token ids", "input");
            } else {
                throw GatewayException.invalidRequest("'input' must be a string or an array of strings", "input");
            }
        }
        return texts;
    }

    /** OpenAI's base64 form: the vector as little-endian float32. */
    static String base64(JsonArray values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonValue value : values) {
            if (!(value instanceof JsonNumber number)) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "bedrock answered a non-numeric embedding");
            }
            buffer.putFloat((float) number.doubleValue());
        }
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    private static long count(String header) {
        try {
            return Math.max(0, Long.parseLong(header.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
