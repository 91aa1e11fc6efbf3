package io.gateway.plugins.cohere;

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

/**
 * Translates an OpenAI {@code chat/completions} request into a Cohere v2 chat request.
 *
 * <p>Messages keep their roles ({@code developer} becomes {@code system}); text and {@code image_url}
 * parts, assistant {@code tool_calls} and {@code tool} results keep their shape, which Cohere shares with
 * OpenAI. {@code max_tokens}/{@code max_completion_tokens}, {@code stop} (as {@code stop_sequences}),
 * {@code temperature}, {@code top_p} (as {@code p}), {@code seed}, {@code frequency_penalty},
 * {@code presence_penalty} and {@code response_format} ({@code json_object}, or {@code json_schema} as
 * {@code json_object} with its schema) are translated. {@code tool_choice} {@code required} and
 * {@code none} become {@code REQUIRED} and {@code NONE}; a named function becomes {@code REQUIRED} with only
 * that tool offered, which means the same. Refused with 400: {@code n > 1}, the legacy
 * {@code functions}/{@code function_call}, {@code function} messages, audio and file parts, and tool types
 * other than {@code function}. Other fields have no Cohere equivalent and are left out.
 */
final class ChatRequests {

    private ChatRequests() {
    }

    static JsonObject toCohere(JsonObject body, String model, boolean stream) {
        Integer n = RequestFields.optionalInteger(body, "n", 1, Integer.MAX_VALUE);
        if (n != null && n > 1) {
            throw GatewayException.invalidRequest("cohere answers one choice; remove 'n' or set it to 1", "n");
        }
        if (!Json.absent(body.get("functions")) || !Json.absent(body.get("function_call"))) {
            throw GatewayException.invalidRequest("cohere takes 'tools' and 'tool_choice', not the legacy 'functions'"
                    + " and 'function_call'", Json.absent(body.get("functions")) ? "function_call" : "functions");
        }
        JsonArray messages = RequestFields.optionalArray(body, "messages", "messages");
        if (messages == null || messages.isEmpty()) {
            throw GatewayException.invalidRequest("'messages' must be a non-empty array", "messages");
        }
        JsonArrayBuilder out = Json.array();
        for (int i = 0; i < messages.size(); i++) {
            if (!(messages.get(i) instanceof JsonObject message)) {
                throw GatewayException.invalidRequest("'messages[" + i + "]' must be an object", "messages");
            }
            out.add(message(message, "messages[" + i + "]"));
        }
        JsonObjectBuilder request = Json.object().add("model", model).add("messages", out);
        tools(body, request);
        Integer max = RequestFields.optionalInteger(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (max == null) {
            max = RequestFields.optionalInteger(body, "max_tokens", 1, Integer.MAX_VALUE);
        }
        if (max != null) {
            request.add("max_tokens", max);
        }
        stop(body.get("stop"), request);
        copyNumber(body, "temperature", request, "temperature");
        copyNumber(body, "top_p", request, "p");
        copyNumber(body, "frequency_penalty", request, "frequency_penalty");
        copyNumber(body, "presence_penalty", request, "presence_penalty");
        Integer seed = RequestFields.optionalInteger(body, "seed", Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (seed != null) {
            request.add("seed", seed);
        }
        responseFormat(RequestFields.optionalObject(body, "response_format", "response_format"), request);
        if (stream) {
            request.add("stream", true);
        }
        return request.build();
    }

    private static JsonObject message(JsonObject message, String where) {
        String role = Json.text(message, "role");
        JsonValue content = message.get("content");
        switch (role == null ? "" : role) {
            case "system", "developer" -> {
                return Json.object().add("role", "system").add("content", text(content, where)).build();
            }
            case "user" -> {
                return Json.object().add("role", "user").add("content", userContent(content, where)).build();
            }
            case "assistant" -> {
                JsonObjectBuilder assistant = Json.object().add("role", "assistant");
                String text = Json.absent(content) ? "" : text(content, where);
                if (!text.isEmpty()) {
                    assistant.add("content", text);
                }
                JsonArray calls = RequestFields.optionalArray(message, "tool_calls", where + ".tool_calls");
                if (calls != null && !calls.isEmpty()) {
                    JsonArrayBuilder toolCalls = Json.array();
                    for (JsonValue value : calls) {
                        JsonObject call = value instanceof JsonObject object ? object : null;
                        JsonObject function = Json.objectField(call, "function");
                        if (function == null || Json.text(function, "name") == null || Json.text(call, "id") == null) {
                            throw GatewayException.invalidRequest(where + ": each tool call needs an id and a"
                                    + " function with a name", "messages");
                        }
                        String arguments = Json.text(function, "arguments");
                        toolCalls.add(Json.object().add("id", Json.text(call, "id")).add("type", "function")
                                .add("function", Json.object().add("name", Json.text(function, "name"))
                                        .add("arguments", arguments == null || arguments.isEmpty() ? "{}" : arguments)));
                    }
                    assistant.add("tool_calls", toolCalls);
                } else if (text.isEmpty()) {
                    throw GatewayException.invalidRequest(where + ": an assistant message needs content or tool"
                            + " calls", "messages");
                }
                return assistant.build();
            }
            case "tool" -> {
                String id = Json.text(message, "tool_call_id");
                if (id == null) {
                    throw GatewayException.invalidRequest(where + ": a tool message needs its 'tool_call_id'",
                            "messages");
                }
                return Json.object().add("role", "tool").add("tool_call_id", id).add("content", text(content, where))
                        .build();
            }
            case "function" -> throw GatewayException.invalidRequest(where + ": cohere does not take legacy"
                    + " 'function' messages; use tool calls and 'tool' messages", "messages");
            default -> throw GatewayException.invalidRequest(where + ".role must be system, developer, user,"
                    + " assistant or tool", "messages");
        }
    }

    /** A content value as plain text: a string, or the text parts of an array joined. */
    private static String text(JsonValue content, String where) {
        if (Json.absent(content)) {
            return "";
        }
        if (content instanceof JsonString string) {
            return string.getString();
        }
        if (!(content instanceof JsonArray parts)) {
            throw GatewayException.invalidRequest(where + ".content must be a string or an array of parts", "messages");
        }
        StringBuilder text = new StringBuilder();
        for (JsonValue value : parts) {
            JsonObject part = value instanceof JsonObject object ? object : null;
            String partText = "refusal".equals(Json.text(part, "type")) ? Json.text(part, "refusal")
                    : Json.text(part, "text");
            if (partText == null) {
                throw GatewayException.invalidRequest(where + ": only text parts are allowed here, not '"
                        + Json.text(part, "type") + "'", "messages");
            }
            text.append(partText);
        }
        return text.toString();
    }

    /** User content: a string stays one; text and image_url parts keep their shape. */
    private static JsonValue userContent(JsonValue content, String where) {
        if (content instanceof JsonString) {
            return content;
        }
        if (!(content instanceof JsonArray parts) || parts.isEmpty()) {
            throw GatewayException.invalidRequest(where + ".content must be a string or a non-empty array of parts",
                    "messages");
        }
        JsonArrayBuilder out = Json.array();
        for (JsonValue value : parts) {
            JsonObject part = value instanceof JsonObject object ? object : null;
            String type = Json.text(part, "type");
            switch (type == null ? "" : type) {
                case "text" -> {
                    String text = Json.text(part, "text");
                    if (text == null) {
                        throw GatewayException.invalidRequest(where + ": a text part needs 'text'", "messages");
                    }
                    out.add(Json.object().add("type", "text").add("text", text));
                }
                case "image_url" -> {
                    JsonValue image = part.get("image_url");
                    String url = image instanceof JsonObject object ? Json.text(object, "url")
                            : image instanceof JsonString string ? string.getString() : null;
                    if (url == null || url.isBlank()) {
                        throw GatewayException.invalidRequest(where + ": an image_url part needs its url", "messages");
                    }
                    JsonObjectBuilder imageUrl = Json.object().add("url", url);
                    if (image instanceof JsonObject object && Json.text(object, "detail") != null) {
                        imageUrl.add("detail", Json.text(object, "detail"));
                    }
                    out.add(Json.object().add("type", "image_url").add("image_url", imageUrl));
                }
                default -> throw GatewayException.invalidRequest(where + ": cohere does not take content parts of"
                        + " type '" + type + "'", "messages");
            }
        }
        return out.build();
    }

    private static void tools(JsonObject body, JsonObjectBuilder request) {
        JsonArray tools = RequestFields.optionalArray(body, "tools", "tools");
        JsonValue choice = body.get("tool_choice");
        String forced = null;
        String mode = null;
        if (choice instanceof JsonString string) {
            mode = switch (string.getString()) {
                case "auto" -> null;
                case "required" -> "REQUIRED";
                case "none" -> "NONE";
                default -> throw GatewayException.invalidRequest("'tool_choice' must be auto, none, required or a"
                        + " function", "tool_choice");
            };
        } else if (choice instanceof JsonObject object) {
            forced = Json.text(Json.objectField(object, "function"), "name");
            if (!"function".equals(Json.text(object, "type")) || forced == null) {
                throw GatewayException.invalidRequest("cohere takes a tool_choice naming a function, or auto, none"
                        + " or required", "tool_choice");
            }
            mode = "REQUIRED";
        } else if (!Json.absent(choice)) {
            throw GatewayException.invalidRequest("'tool_choice' must be a string or an object", "tool_choice");
        }
        if (tools == null || tools.isEmpty()) {
            if (forced != null || "REQUIRED".equals(mode)) {
                throw GatewayException.invalidRequest("'tool_choice' needs 'tools'", "tool_choice");
            }
            return;
        }
        JsonArrayBuilder out = Json.array();
        boolean found = false;
        for (JsonValue value : tools) {
            JsonObject tool = value instanceof JsonObject object ? object : null;
            if (!"function".equals(Json.text(tool, "type"))) {
                throw GatewayException.invalidRequest("cohere takes function tools only, not '" + Json.text(tool, "type")
                        + "'", "tools");
            }
            JsonObject function = Json.objectField(tool, "function");
            String name = Json.text(function, "name");
            if (name == null || name.isBlank()) {
                throw GatewayException.invalidRequest("every function tool needs a name", "tools");
            }
            if (forced != null && !forced.equals(name)) {
                continue; // only the named function is offered: REQUIRED then means exactly it
            }
            found = true;
            JsonObjectBuilder declared = Json.object().add("name", name);
            String description = Json.text(function, "description");
            if (description != null) {
                declared.add("description", description);
            }
            JsonValue parameters = function.get("parameters");
            declared.add("parameters", parameters instanceof JsonObject ? parameters
                    : Json.object().add("type", "object").add("properties", Json.object()).build());
            out.add(Json.object().add("type", "function").add("function", declared));
        }
        if (forced != null && !found) {
            throw GatewayException.invalidRequest("'tool_choice' names '" + forced + "', which is not in 'tools'",
                    "tool_choice");
        }
        request.add("tools", out);
        if (mode != null) {
            request.add("tool_choice", mode);
        }
    }

    private static void stop(JsonValue stop, JsonObjectBuilder request) {
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
        request.add("stop_sequences", sequences);
    }

    private static void copyNumber(JsonObject body, String from, JsonObjectBuilder request, String to) {
        JsonNumber value = RequestFields.optionalNumber(body, from);
        if (value != null) {
            request.add(to, value);
        }
    }

    private static void responseFormat(JsonObject format, JsonObjectBuilder request) {
        String type = Json.text(format, "type");
        if (format == null || type == null || type.equals("text")) {
            return;
        }
        switch (type) {
            case "json_object" -> request.add("response_format", Json.object().add("type", "json_object"));
            case "json_schema" -> {
                JsonObject schema = Json.objectField(Json.objectField(format, "json_schema"), "schema");
                JsonObjectBuilder out = Json.object().add("type", "json_object");
                if (schema != null) {
                    out.add("json_schema", schema);
                }
                request.add("response_format", out);
            }
            default -> throw GatewayException.invalidRequest("unknown response format type '" + type + "'",
                    "response_format");
        }
    }
}
