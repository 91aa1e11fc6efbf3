package io.gateway.translation.gemini;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * OpenAI {@code tools} and {@code tool_choice} as Gemini {@code tools: [{functionDeclarations}]} and
 * {@code toolConfig.functionCallingConfig}. Chat nests a tool's fields under {@code function}; the
 * Responses API puts them on the tool itself.
 */
final class Tools {

    private Tools() {
    }

    /**
     * Translates tools and tool choice into the request.
     *
     * @param body      the OpenAI request
     * @param request   the Gemini request being built
     * @param responses {@code true} for the Responses API's flat tool shape
     */
    static void apply(JsonObject body, JsonObjectBuilder request, boolean responses) {
        JsonArray tools = RequestFields.optionalArray(body, "tools", "tools");
        List<JsonObject> declarations = new ArrayList<>();
        if (tools != null) {
            for (JsonValue value : tools) {
                if (!(value instanceof JsonObject tool)) {
                    throw GatewayException.invalidRequest("each tool must be an object", "tools");
                }
                String type = Json.text(tool, "type");
                if (!"function".equals(type)) {
                    throw GatewayException.invalidRequest("gemini takes function tools only, not '" + type + "'",
                            "tools");
                }
                JsonObject function = responses ? tool : Json.objectField(tool, "function");
                if (function == null) {
                    throw GatewayException.invalidRequest("a function tool needs a 'function' object", "tools");
                }
                declarations.add(declaration(function));
            }
        }

        JsonValue choice = body.get("tool_choice");
        String mode = null;
        Set<String> allowed = new LinkedHashSet<>();
        boolean restrictDeclarations = false;
        if (choice instanceof JsonString string) {
            mode = switch (string.getString()) {
                case "auto" -> "AUTO";
                case "none" -> "NONE";
                case "required" -> "ANY";
                default -> throw GatewayException.invalidRequest("'tool_choice' must be auto, none, required or"
                        + " a function", "tool_choice");
            };
        } else if (choice instanceof JsonObject object) {
            String type = Json.text(object, "type");
            if ("function".equals(type)) {
                JsonObject function = responses ? object : Json.objectField(object, "function");
                String name = Json.text(function, "name");
                if (name == null) {
                    throw GatewayException.invalidRequest("'tool_choice' must name the function", "tool_choice");
                }
                mode = "ANY";
                allowed.add(name);
            } else if ("allowed_tools".equals(type)) {
                JsonObject spec = responses ? object : Json.objectField(object, "allowed_tools");
                if (spec == null) {
                    throw GatewayException.invalidRequest("'tool_choice.allowed_tools' is required", "tool_choice");
                }
                JsonArray list = Json.arrayField(spec, "tools");
                if (list != null) {
                    for (JsonValue entry : list) {
                        JsonObject tool = entry instanceof JsonObject o ? o : null;
                        JsonObject function = tool == null ? null : responses ? tool : Json.objectField(tool, "function");
                        String name = Json.text(function, "name");
                        if (name != null) {
                            allowed.add(name);
                        }
                    }
                }
                if ("required".equals(Json.text(spec, "mode"))) {
                    mode = "ANY";
                } else {
                    // Gemini restricts function names only in ANY mode: for auto, offer only the allowed ones
                    mode = "AUTO";
                    restrictDeclarations = true;
                }
            } else {
                throw GatewayException.invalidRequest("gemini supports function tool choices only, not '" + type
                        + "'", "tool_choice");
            }
        } else if (choice != null && !Json.absent(choice)) {
            throw GatewayException.invalidRequest("'tool_choice' must be a string or an object", "tool_choice");
        }

        JsonArrayBuilder functions = Json.array();
        int offered = 0;
        for (JsonObject declaration : declarations) {
            if (!restrictDeclarations || allowed.contains(declaration.getString("name"))) {
                functions.add(declaration);
                offered++;
            }
        }
        if (offered > 0) {
            request.add("tools", Json.array().add(Json.object().add("functionDeclarations", functions)));
        }
        if (mode != null) {
            JsonObjectBuilder config = Json.object().add("mode", mode);
            if (mode.equals("ANY") && !allowed.isEmpty()) {
                JsonArrayBuilder names = Json.array();
                allowed.forEach(names::add);
                config.add("allowedFunctionNames", names);
            }
            request.add("toolConfig", Json.object().add("functionCallingConfig", config));
        }
    }

    private static JsonObject declaration(JsonObject function) {
        String name = Json.text(function, "name");
        if (name == null || name.isBlank()) {
            throw GatewayException.invalidRequest("every function tool needs a name", "tools");
        }
        JsonObjectBuilder declaration = Json.object().add("name", name);
        String description = Json.text(function, "description");
        if (description != null) {
            declaration.add("description", description);
        }
        JsonValue parameters = function.get("parameters");
        if (parameters != null && !Json.absent(parameters)) {
            JsonObject schema = Schemas.toGemini(parameters, "tools");
            // a function without arguments has no parameters in Gemini: an empty OBJECT is rejected
            if (!Schemas.isEmptyObject(schema)) {
                declaration.add("parameters", schema);
            }
        }
        return declaration.build();
    }
}
