package io.gateway.plugins.bedrock;

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
import java.util.List;

/**
 * The parts of a Converse request chat completions and Responses share: {@code inferenceConfig},
 * {@code toolConfig}, and the Bedrock fields a client may send as they are. Stateless.
 */
final class Options {

    /**
     * Converse fields a client may add to an OpenAI request to reach Bedrock features the OpenAI API
     * has no name for; they are sent unchanged.
     */
    static final List<String> PASSED_THROUGH = List.of("additionalModelRequestFields",
            "additionalModelResponseFieldPaths", "guardrailConfig", "performanceConfig", "requestMetadata",
            "promptVariables");

    private Options() {
    }

    /**
     * The {@code inferenceConfig}: output limit, temperature, top-p and stop sequences.
     *
     * @param maxTokens   the output limit, or {@code null}
     * @param temperature the temperature, or {@code null}
     * @param topP        top-p, or {@code null}
     * @param stops       the stop sequences, empty for none
     * @return the object, or {@code null} when nothing is set
     */
    static JsonObject inferenceConfig(Integer maxTokens, JsonNumber temperature, JsonNumber topP, List<String> stops) {
        JsonObjectBuilder config = Json.object();
        boolean any = false;
        if (maxTokens != null) {
            config.add("maxTokens", maxTokens);
            any = true;
        }
        if (temperature != null) {
            config.add("temperature", temperature);
            any = true;
        }
        if (topP != null) {
            config.add("topP", topP);
            any = true;
        }
        if (!stops.isEmpty()) {
            JsonArrayBuilder array = Json.array();
            stops.forEach(array::add);
            config.add("stopSequences", array);
            any = true;
        }
        return any ? config.build() : null;
    }

    /**
     * OpenAI's {@code stop}: a string or an array of strings.
     *
     * @param stop the value, may be {@code null}
     * @return the sequences
     */
    static List<String> stops(JsonValue stop) {
        if (Json.absent(stop)) {
            return List.of();
        }
        if (stop instanceof JsonString string) {
            return List.of(string.getString());
        }
        if (stop instanceof JsonArray array) {
            return array.stream().map(value -> {
                if (!(value instanceof JsonString string)) {
                    throw GatewayException.invalidRequest("'stop' must be a string or an array of strings", "stop");
                }
                return string.getString();
            }).toList();
        }
        throw GatewayException.invalidRequest("'stop' must be a string or an array of strings", "stop");
    }

    /**
     * One tool specification.
     *
     * @param name        the function name
     * @param description its description, may be {@code null}
     * @param parameters  its JSON schema, may be {@code null} (no parameters)
     * @param param       the request field, for errors
     * @return {@code {"toolSpec": {"name", "description", "inputSchema": {"json": …}}}}
     */
    static JsonObject toolSpec(String name, String description, JsonValue parameters, String param) {
        if (name == null || name.isBlank()) {
            throw GatewayException.invalidRequest("every function tool needs a name", param);
        }
        JsonValue schema = Json.absent(parameters)
                ? Json.object().add("type", "object").add("properties", Json.object()).build() : parameters;
        if (!(schema instanceof JsonObject)) {
            throw GatewayException.invalidRequest("the parameters of tool '" + name + "' must be a JSON schema object",
                    param);
        }
        JsonObjectBuilder spec = Json.object().add("name", name);
        if (description != null && !description.isEmpty()) {
            spec.add("description", description);
        }
        spec.add("inputSchema", Json.object().add("json", schema));
        return Json.object().add("toolSpec", spec).build();
    }

    /**
     * The {@code toolConfig}, or {@code null} for none.
     *
     * <p>{@code tool_choice} {@code auto} is Converse's {@code auto}, {@code required} its {@code any}, a
     * named function its {@code tool}. Converse has no choice that forbids tools: with {@code none} the
     * tools are left out, unless the conversation holds tool uses or results (Converse then needs the
     * tools declared), in which case they are declared with {@code auto}.
     *
     * @param tools      the tool specifications (and cache points)
     * @param choice     the client's {@code tool_choice}, may be {@code null}
     * @param namedTool  the function name of a choice naming one, else {@code null}
     * @param toolBlocks whether the conversation holds tool uses or results
     * @return the object
     */
    static JsonObject toolConfig(List<JsonObject> tools, String choice, String namedTool, boolean toolBlocks) {
        if (tools.isEmpty()) {
            return null;
        }
        if ("none".equals(choice) && !toolBlocks) {
            return null;
        }
        JsonArrayBuilder array = Json.array();
        tools.forEach(array::add);
        JsonObjectBuilder config = Json.object().add("tools", array);
        if (namedTool != null) {
            config.add("toolChoice", Json.object().add("tool", Json.object().add("name", namedTool)));
        } else if ("required".equals(choice)) {
            config.add("toolChoice", Json.object().add("any", Json.object()));
        } else if ("auto".equals(choice)) {
            config.add("toolChoice", Json.object().add("auto", Json.object()));
        }
        return config.build();
    }

    /**
     * Adds the Bedrock fields the client sent ({@link #PASSED_THROUGH}), each checked to be of its type.
     *
     * @param body the client's body
     * @param out  the Converse request
     */
    static void passThrough(JsonObject body, JsonObjectBuilder out) {
        for (String name : PASSED_THROUGH) {
            JsonValue value = body.get(name);
            if (Json.absent(value)) {
                continue;
            }
            if (name.equals("additionalModelResponseFieldPaths")) {
                RequestFields.optionalArray(body, name, name);
            } else {
                RequestFields.optionalObject(body, name, name);
            }
            out.add(name, value);
        }
    }
}
