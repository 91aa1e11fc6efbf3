package io.gateway.plugins.cohere;

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
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code embeddings} through Cohere's {@code /v2/embed}: {@code input} as {@code texts} (at most
 * {@value #MAX_TEXTS} per call, so longer inputs go out as several calls in order), {@code input_type}
 * from the request or {@code default-input-type}, {@code dimensions} as {@code output_dimension},
 * {@code truncate} passed on, and {@code encoding_format} as the one {@code embedding_types} entry:
 * {@code float} (the default) and {@code base64} (little-endian float32, as OpenAI encodes it) are
 * OpenAI's; {@code int8}, {@code uint8}, {@code binary} and {@code ubinary} are Cohere's compressed forms,
 * answered as arrays of integers. Cohere embeds text only here: token-id input answers 400. The usage is
 * Cohere's billed input tokens.
 */
final class Embeddings {

    /** The most texts one {@code /v2/embed} call takes. */
    static final int MAX_TEXTS = 96;

    /** Cohere's {@code input_type} values for text. */
    static final Set<String> INPUT_TYPES = Set.of("search_document", "search_query", "classification", "clustering");

    private static final Set<String> TYPES = Set.of("float", "base64", "int8", "uint8", "binary", "ubinary");
    private static final Set<String> TRUNCATE = Set.of("NONE", "START", "END");

    private Embeddings() {
    }

    static Response call(CohereProvider provider, ProviderCall call, String defaultInputType) {
        JsonObject body = call.body();
        List<String> texts = texts(body.get("input"));
        String type = RequestFields.optionalString(body, "encoding_format", "encoding_format");
        type = type == null ? "float" : type;
        if (!TYPES.contains(type)) {
            throw GatewayException.invalidRequest("'encoding_format' must be float or base64, or one of Cohere's "
                    + "int8, uint8, binary, ubinary", "encoding_format");
        }
        String inputType = RequestFields.optionalString(body, "input_type", "input_type");
        inputType = inputType == null ? defaultInputType : inputType;
        if (!INPUT_TYPES.contains(inputType)) {
            throw GatewayException.invalidRequest("'input_type' must be one of " + INPUT_TYPES, "input_type");
        }
        String truncate = RequestFields.optionalString(body, "truncate", "truncate");
        if (truncate != null && !TRUNCATE.contains(truncate)) {
            throw GatewayException.invalidRequest("'truncate' must be NONE, START or END", "truncate");
        }
        Integer dimensions = RequestFields.optionalInteger(body, "dimensions", 1, Integer.MAX_VALUE);

        JsonArrayBuilder data = Json.array();
        long tokens = 0;
        Headers headers = Headers.empty();
        int index = 0;
        for (int from = 0; from < texts.size(); from += MAX_TEXTS) {
            List<String> part = texts.subList(from, Math.min(texts.size(), from + MAX_TEXTS));
            JsonArrayBuilder batch = Json.array();
            part.forEach(batch::add);
            JsonObjectBuilder request = Json.object().add("model", call.model()).add("input_type", inputType)
                    .add("texts", batch).add("embedding_types", Json.array().add(type));
            if (dimensions != null) {
                request.add("output_dimension", dimensions);
            }
            if (truncate != null) {
                request.add("truncate", truncate);
            }
            Answer<JsonObject> answer = provider.embed(call, request.build());
            headers = answer.headers();
            JsonArray vectors = Json.arrayField(Json.objectField(answer.body(), "embeddings"), type);
            if (vectors == null || vectors.size() != part.size()) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "cohere answered "
                        + (vectors == null ? "no " + type : vectors.size()) + " embeddings for " + part.size()
                        + " inputs");
            }
            for (JsonValue vector : vectors) {
                boolean ok = type.equals("base64") ? vector instanceof JsonString : vector instanceof JsonArray;
                if (!ok) {
                    throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "cohere answered a " + type
                            + " embedding of the wrong form");
                }
                data.add(Json.object().add("object", "embedding").add("index", index++).add("embedding", vector));
            }
            JsonObject meta = Json.objectField(answer.body(), "meta");
            tokens += Math.max(0, Json.longField(Json.objectField(meta, "billed_units"), "input_tokens", 0));
        }
        return Response.Complete.of(200, headers, Json.object()
                .add("object", "list")
                .add("data", data)
                .add("model", call.model())
                .add("usage", OpenAiUsage.embeddings(TokenUsage.builder().inputTokens(tokens).build()))
                .build());
    }

    private static List<String> texts(JsonValue input) {
        if (input instanceof JsonString string) {
            return List.of(string.getString());
        }
        if (!(input instanceof JsonArray array) || array.isEmpty()) {
            throw GatewayException.invalidRequest("'input' must be a string or a non-empty array of strings", "input");
        }
        List<String> texts = new ArrayList<>(array.size());
        for (JsonValue value : array) {
            if (!(value instanceof JsonString string)) {
                throw GatewayException.invalidRequest("cohere embeds text: 'input' must be a string or an array of"
                        + " strings, not token ids", "input");
            }
            texts.add(string.getString());
        }
        return texts;
    }
}
