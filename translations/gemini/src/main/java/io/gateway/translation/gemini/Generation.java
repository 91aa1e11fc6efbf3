package io.gateway.translation.gemini;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/** OpenAI sampling and output settings as Gemini's {@code generationConfig}. */
final class Generation {

    private Generation() {
    }

    /** Copies a numeric field under Gemini's name when the client set it. */
    static void number(JsonObject body, String from, JsonObjectBuilder config, String to) {
        JsonNumber value = RequestFields.optionalNumber(body, from);
        if (value != null) {
            config.add(to, value);
        }
    }

    /** Copies an integer field (at least {@code min}) under Gemini's name when the client set it. */
    static void integer(JsonObject body, String from, int min, JsonObjectBuilder config, String to) {
        Integer value = RequestFields.optionalInteger(body, from, min, Integer.MAX_VALUE);
        if (value != null) {
            config.add(to, value);
        }
    }

    /** {@code stop}: a string or up to a few strings, as {@code stopSequences}. */
    static void stop(JsonObject body, JsonObjectBuilder config) {
        JsonValue stop = body.get("stop");
        if (Json.absent(stop)) {
            return;
        }
        JsonArrayBuilder sequences = Json.array();
        if (stop instanceof JsonString string) {
            sequences.add(string.getString());
        } else if (stop instanceof JsonArray array) {
            for (JsonValue value : array) {
                if (!(value instanceof JsonString string)) {
                    throw GatewayException.invalidRequest("'stop' must be a string or an array of strings", "stop");
                }
                sequences.add(string.getString());
            }
        } else {
            throw GatewayException.invalidRequest("'stop' must be a string or an array of strings", "stop");
        }
        config.add("stopSequences", sequences);
    }

    /**
     * A response format as {@code responseMimeType} (and {@code responseSchema}).
     *
     * @param format the format object: {@code {type: text|json_object|json_schema, …}}
     * @param schemaHolder where the schema lives: {@code format.json_schema} for chat, the format
     *                     itself for the Responses API
     * @param config the generation config being built
     * @param param  the request field to name in errors
     */
    static void responseFormat(JsonObject format, JsonObject schemaHolder, JsonObjectBuilder config, String param) {
        if (format == null) {
            return;
        }
        String type = Json.text(format, "type");
        if (type == null || type.equals("text")) {
            return;
        }
        switch (type) {
            case "json_object" -> config.add("responseMimeType", "application/json");
            case "json_schema" -> {
                if (schemaHolder == null) {
                    throw GatewayException.invalidRequest("a json_schema format needs its schema", param);
                }
                config.add("responseMimeType", "application/json");
                JsonValue schema = schemaHolder.get("schema");
                if (schema != null && !Json.absent(schema)) {
                    config.add("responseSchema", Schemas.toGemini(schema, param));
                }
            }
            default -> throw GatewayException.invalidRequest("unknown response format type '" + type + "'", param);
        }
    }

    /** Adds the config to the request when anything was set. */
    static void writeTo(JsonObjectBuilder config, JsonObjectBuilder request) {
        JsonObject built = config.build();
        if (!built.isEmpty()) {
            request.add("generationConfig", built);
        }
    }
}
