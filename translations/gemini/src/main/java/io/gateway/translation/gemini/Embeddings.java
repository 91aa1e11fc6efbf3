package io.gateway.translation.gemini;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.TokenUsage;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiUsage;
import io.gateway.toolkit.json.RequestFields;
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
 * {@code embeddings}: one string through {@code embedContent}, an array of strings through
 * {@code batchEmbedContents}. Gemini embeds text only, so token-id input answers 400.
 */
final class Embeddings {

    private Embeddings() {
    }

    static Response call(GeminiTransport provider, ProviderCall call) {
        JsonObject body = call.body();
        EmbeddingInput input = input(body);
        List<String> texts = input.texts();
        Integer dimensions = input.dimensions();
        boolean single = body.get("input") instanceof JsonString;
        String resource = GeminiTranslation.resource(call.model());

        Answer<JsonObject> answer;
        List<JsonArray> vectors = new ArrayList<>();
        if (single) {
            answer = provider.postForJson(call, provider.endpoint(call.model(), "embedContent", false),
                    embedRequest(null, texts.get(0), dimensions));
            JsonArray values = Json.arrayField(Json.objectField(answer.body(), "embedding"), "values");
            if (values == null) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "gemini answered no embedding");
            }
            vectors.add(values);
        } else {
            JsonArrayBuilder requests = Json.array();
            for (String text : texts) {
                requests.add(embedRequest(resource, text, dimensions));
            }
            answer = provider.postForJson(call, provider.endpoint(call.model(), "batchEmbedContents", false),
                    Json.object().add("requests", requests).build());
            JsonArray embeddings = Json.arrayField(answer.body(), "embeddings");
            if (embeddings == null || embeddings.size() != texts.size()) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "gemini answered "
                        + (embeddings == null ? 0 : embeddings.size()) + " embeddings for " + texts.size() + " inputs");
            }
            for (JsonValue value : embeddings) {
                JsonArray values = value instanceof JsonObject embedding ? Json.arrayField(embedding, "values") : null;
                if (values == null) {
                    throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "gemini answered an embedding"
                            + " without values");
                }
                vectors.add(values);
            }
        }

        long tokens = tokens(answer.body());
        return Response.Complete.of(200, answer.headers(), list(vectors, input.base64(), call.model(), tokens));
    }

    /** What an OpenAI embeddings request asks for; 400 for what Google's embedding models cannot do. */
    static EmbeddingInput input(JsonObject body) {
        List<String> texts = texts(body.get("input"));
        Integer dimensions = RequestFields.optionalInteger(body, "dimensions", 1, Integer.MAX_VALUE);
        String encoding = RequestFields.optionalString(body, "encoding_format", "encoding_format");
        boolean base64;
        if (encoding == null || encoding.equals("float")) {
            base64 = false;
        } else if (encoding.equals("base64")) {
            base64 = true;
        } else {
            throw GatewayException.invalidRequest("'encoding_format' must be float or base64", "encoding_format");
        }
        return new EmbeddingInput(texts, dimensions, base64);
    }

    /** OpenAI's embedding list: one item per vector in input order, floats or base64, with the input tokens. */
    static JsonObject list(List<JsonArray> vectors, boolean base64, String model, long tokens) {
        JsonArrayBuilder data = Json.array();
        for (int i = 0; i < vectors.size(); i++) {
            data.add(Json.object()
                    .add("object", "embedding")
                    .add("index", i)
                    .add("embedding", base64 ? Json.string(base64(vectors.get(i))) : vectors.get(i)));
        }
        return Json.object()
                .add("object", "list")
                .add("data", data)
                .add("model", model)
                .add("usage", OpenAiUsage.embeddings(TokenUsage.builder().inputTokens(Math.max(0, tokens)).build()))
                .build();
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
                throw GatewayException.invalidRequest("gemini embeddings take text input", "input");
            } else {
                throw GatewayException.invalidRequest("'input' must be a string or an array of strings", "input");
            }
        }
        return texts;
    }

    private static JsonObject embedRequest(String model, String text, Integer dimensions) {
        JsonObjectBuilder request = Json.object();
        if (model != null) {
            request.add("model", model);
        }
        request.add("content", Json.object().add("parts", Json.array().add(Parts.text(text))));
        if (dimensions != null) {
            request.add("outputDimensionality", dimensions);
        }
        return request.build();
    }

    /** OpenAI's base64 form: the vector as little-endian float32. */
    static String base64(JsonArray values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonValue value : values) {
            if (!(value instanceof JsonNumber number)) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "gemini answered a non-numeric embedding");
            }
            buffer.putFloat((float) number.doubleValue());
        }
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    /**
     * Token counts when Gemini reports them ({@code usageMetadata}, or per-embedding
     * {@code statistics.tokenCount}); the Gemini API usually does not, and then it is 0.
     */
    private static long tokens(JsonObject answer) {
        JsonObject usage = Json.objectField(answer, "usageMetadata");
        if (usage != null) {
            long prompt = Json.longField(usage, "promptTokenCount", 0);
            return prompt > 0 ? prompt : Json.longField(usage, "totalTokenCount", 0);
        }
        long sum = 0;
        JsonArray embeddings = Json.arrayField(answer, "embeddings");
        if (embeddings == null && Json.objectField(answer, "embedding") != null) {
            embeddings = Json.array().add(Json.objectField(answer, "embedding")).build();
        }
        if (embeddings != null) {
            for (JsonValue value : embeddings) {
                if (value instanceof JsonObject embedding) {
                    sum += Json.longField(Json.objectField(embedding, "statistics"), "tokenCount", 0);
                }
            }
        }
        return sum;
    }
}
