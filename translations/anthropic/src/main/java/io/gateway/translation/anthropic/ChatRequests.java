package io.gateway.translation.anthropic;

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
import java.util.ArrayList;
import java.util.List;

/**
 * Translates an OpenAI {@code chat/completions} request into a Messages request.
 *
 * <p>Fields with no Anthropic equivalent are ignored: {@code frequency_penalty}, {@code presence_penalty},
 * {@code logit_bias}, {@code logprobs}, {@code top_logprobs}, {@code seed}, {@code response_format},
 * {@code service_tier}, {@code store}, {@code metadata}, {@code modalities}, {@code audio},
 * {@code prediction}, {@code web_search_options}, {@code prompt_cache_key}, {@code verbosity}, a tool's
 * {@code strict}, and {@code stream_options} apart from {@code include_usage}. What cannot be ignored
 * without changing the answer is refused with 400: {@code n > 1}, audio input, file ids, the legacy
 * {@code functions}/{@code function_call} fields and {@code function} messages, and tool types other than
 * {@code function}.
 */
final class ChatRequests {

    private static final String MESSAGES = "messages";

    private ChatRequests() {
    }

    /**
     * The Messages request for a chat completion request.
     *
     * @param body       the client's body
     * @param model      the bare model name
     * @param defaultMax {@code default-max-tokens}
     * @param stream     whether to stream
     * @return the request body
     * @throws GatewayException 400 naming the field that cannot be translated
     */
    static JsonObject toMessages(JsonObject body, String model, int defaultMax, boolean stream) {
        JsonValue n = body.get("n");
        if (!Json.absent(n)) {
            if (!(n instanceof JsonNumber number) || !number.isIntegral() || number.longValue() < 1) {
                throw GatewayException.invalidRequest("'n' must be a positive integer", "n");
            }
            if (number.longValue() > 1) {
                throw GatewayException.invalidRequest("anthropic does not support n > 1", "n");
            }
        }
        if (!Json.absent(body.get("functions")) || !Json.absent(body.get("function_call"))) {
            throw GatewayException.invalidRequest("the anthropic provider does not support the legacy 'functions' "
                    + "and 'function_call' fields; send 'tools' and 'tool_choice'",
                    Json.absent(body.get("functions")) ? "function_call" : "functions");
        }
        Conversation conversation = new Conversation();
        JsonArray messages = Json.arrayField(body, MESSAGES);
        if (messages == null || messages.isEmpty()) {
            throw GatewayException.invalidRequest("'messages' must be a non-empty array", MESSAGES);
        }
        for (int i = 0; i < messages.size(); i++) {
            if (!(messages.get(i) instanceof JsonObject message)) {
                throw GatewayException.invalidRequest("'messages[" + i + "]' must be an object", MESSAGES);
            }
            String role = Json.text(message, "role");
            String where = "messages[" + i + "]";
            switch (role == null ? "" : role) {
                case "system", "developer" -> conversation.system(textBlocks(message.get("content"), where));
                case "user" -> conversation.user(userContent(message.get("content"), where));
                case "assistant" -> conversation.assistant(assistantContent(message, where));
                case "tool" -> conversation.user(List.of(Blocks.toolResult(Json.text(message, "tool_call_id"),
                        toolResultContent(message.get("content"), where), MESSAGES)));
                case "function" -> throw GatewayException.invalidRequest(where + ": the anthropic provider does not "
                        + "support legacy 'function' messages; use tool calls and 'tool' messages", MESSAGES);
                default -> throw GatewayException.invalidRequest(where + ".role must be system, developer, user, "
                        + "assistant or tool", MESSAGES);
            }
        }
        JsonObjectBuilder out = Json.object().add("model", model);
        Integer max = RequestFields.optionalInteger(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
        String limitParam = "max_completion_tokens";
        if (max == null) {
            max = RequestFields.optionalInteger(body, "max_tokens", 1, Integer.MAX_VALUE);
            limitParam = max == null ? "max_completion_tokens" : "max_tokens";
        }
        int budget = RequestOptions.thinkingBudget(body.get("reasoning_effort"), "reasoning_effort");
        RequestOptions.limits(out, max, budget, defaultMax, limitParam);
        JsonValue system = conversation.systemValue();
        if (system != null) {
            out.add("system", system);
        }
        out.add(MESSAGES, conversation.messages());
        List<String> stops = stopSequences(body.get("stop"));
        if (!stops.isEmpty()) {
            JsonArrayBuilder array = Json.array();
            stops.forEach(array::add);
            out.add("stop_sequences", array);
        }
        RequestOptions.number(body, "temperature", out);
        RequestOptions.number(body, "top_p", out);
        RequestOptions.endUser(body, out);
        JsonArray tools = tools(body.get("tools"));
        if (!tools.isEmpty()) {
            out.add("tools", tools);
            JsonObject choice = RequestOptions.toolChoice(body.get("tool_choice"),
                    RequestOptions.parallelDisabled(body));
            if (choice != null) {
                out.add("tool_choice", choice);
            }
        }
        if (stream) {
            out.add("stream", true);
        }
        return out.build();
    }

    /** System and developer content: a string or text parts. */
    private static List<JsonObject> textBlocks(JsonValue content, String where) {
        List<JsonObject> blocks = new ArrayList<>();
        if (content instanceof JsonString string) {
            addIfPresent(blocks, Blocks.text(string.getString(), null));
        } else if (content instanceof JsonArray parts) {
            for (JsonValue value : parts) {
                JsonObject part = part(value, where);
                if (!"text".equals(Json.text(part, "type"))) {
                    throw GatewayException.invalidRequest(where + ": system and developer messages may hold only text "
                            + "parts", MESSAGES);
                }
                addIfPresent(blocks, Blocks.text(Json.text(part, "text"), part.get("cache_control")));
            }
        } else if (!Json.absent(content)) {
            throw GatewayException.invalidRequest(where + ".content must be a string or an array of parts", MESSAGES);
        }
        return blocks;
    }

    private static List<JsonObject> userContent(JsonValue content, String where) {
        List<JsonObject> blocks = new ArrayList<>();
        if (content instanceof JsonString string) {
            addIfPresent(blocks, Blocks.text(string.getString(), null));
            return blocks;
        }
        if (Json.absent(content)) {
            return blocks;
        }
        if (!(content instanceof JsonArray parts)) {
            throw GatewayException.invalidRequest(where + ".content must be a string or an array of parts", MESSAGES);
        }
        for (JsonValue value : parts) {
            JsonObject part = part(value, where);
            String type = Json.text(part, "type");
            JsonValue cacheControl = part.get("cache_control");
            switch (type == null ? "" : type) {
                case "text" -> addIfPresent(blocks, Blocks.text(Json.text(part, "text"), cacheControl));
                case "image_url" -> {
                    JsonValue image = part.get("image_url");
                    String url = image instanceof JsonString string ? string.getString()
                            : Json.text(image instanceof JsonObject object ? object : null, "url");
                    blocks.add(Blocks.image(url, cacheControl, MESSAGES));
                }
                case "file" -> {
                    JsonObject file = Json.objectField(part, "file");
                    String data = Json.text(file, "file_data");
                    if (data == null) {
                        throw GatewayException.invalidRequest(where + ": the anthropic provider accepts files as "
                                + "'file_data' only, not by 'file_id'", MESSAGES);
                    }
                    blocks.add(Blocks.document(data, Json.text(file, "filename"), cacheControl, MESSAGES));
                }
                case "input_audio" -> throw GatewayException.invalidRequest(where + ": anthropic does not accept "
                        + "audio input", MESSAGES);
                default -> throw GatewayException.invalidRequest(where + ": content part type '" + type
                        + "' is not supported by the anthropic provider", MESSAGES);
            }
        }
        return blocks;
    }

    private static List<JsonObject> assistantContent(JsonObject message, String where) {
        List<JsonObject> blocks = new ArrayList<>();
        JsonValue content = message.get("content");
        if (content instanceof JsonString string) {
            addIfPresent(blocks, Blocks.text(string.getString(), null));
        } else if (content instanceof JsonArray parts) {
            for (JsonValue value : parts) {
                JsonObject part = part(value, where);
                String type = Json.text(part, "type");
                if ("text".equals(type)) {
                    addIfPresent(blocks, Blocks.text(Json.text(part, "text"), part.get("cache_control")));
                } else if ("refusal".equals(type)) {
                    addIfPresent(blocks, Blocks.text(Json.text(part, "refusal"), null));
                } else {
                    throw GatewayException.invalidRequest(where + ": assistant content part type '" + type
                            + "' is not supported by the anthropic provider", MESSAGES);
                }
            }
        } else if (!Json.absent(content)) {
            throw GatewayException.invalidRequest(where + ".content must be a string or an array of parts", MESSAGES);
        }
        if (!Json.absent(message.get("function_call"))) {
            throw GatewayException.invalidRequest(where + ": the anthropic provider does not support the legacy "
                    + "'function_call'; use 'tool_calls'", MESSAGES);
        }
        JsonValue calls = message.get("tool_calls");
        if (calls instanceof JsonArray array) {
            for (JsonValue value : array) {
                JsonObject call = part(value, where);
                String type = Json.text(call, "type");
                if (type != null && !type.equals("function")) {
                    throw GatewayException.invalidRequest(where + ": tool call type '" + type
                            + "' is not supported by the anthropic provider", MESSAGES);
                }
                JsonObject function = Json.objectField(call, "function");
                blocks.add(Blocks.toolUse(Json.text(call, "id"), Json.text(function, "name"),
                        Json.text(function, "arguments"), MESSAGES));
            }
        } else if (!Json.absent(calls)) {
            throw GatewayException.invalidRequest(where + ".tool_calls must be an array", MESSAGES);
        }
        return blocks;
    }

    /** A tool message's content: a string stays a string, text parts become text blocks. */
    private static JsonValue toolResultContent(JsonValue content, String where) {
        if (Json.absent(content) || content instanceof JsonString) {
            return Json.absent(content) ? null : content;
        }
        if (!(content instanceof JsonArray parts)) {
            throw GatewayException.invalidRequest(where + ".content must be a string or an array of text parts",
                    MESSAGES);
        }
        JsonArrayBuilder blocks = Json.array();
        for (JsonValue value : parts) {
            JsonObject part = part(value, where);
            if (!"text".equals(Json.text(part, "type"))) {
                throw GatewayException.invalidRequest(where + ": tool messages may hold only text parts", MESSAGES);
            }
            JsonObject block = Blocks.text(Json.text(part, "text"), part.get("cache_control"));
            if (block != null) {
                blocks.add(block);
            }
        }
        return blocks.build();
    }

    private static List<String> stopSequences(JsonValue stop) {
        List<String> stops = new ArrayList<>();
        if (stop instanceof JsonString string) {
            stops.add(string.getString());
        } else if (stop instanceof JsonArray array) {
            for (JsonValue value : array) {
                if (!(value instanceof JsonString string)) {
                    throw GatewayException.invalidRequest("'stop' must be a string or an array of strings", "stop");
                }
                stops.add(string.getString());
            }
        } else if (!Json.absent(stop)) {
            throw GatewayException.invalidRequest("'stop' must be a string or an array of strings", "stop");
        }
        return stops;
    }

    private static JsonArray tools(JsonValue value) {
        JsonArrayBuilder tools = Json.array();
        if (Json.absent(value)) {
            return tools.build();
        }
        if (!(value instanceof JsonArray array)) {
            throw GatewayException.invalidRequest("'tools' must be an array", "tools");
        }
        for (JsonValue item : array) {
            if (!(item instanceof JsonObject tool)) {
                throw GatewayException.invalidRequest("each of 'tools' must be an object", "tools");
            }
            String type = Json.text(tool, "type");
            if (!"function".equals(type)) {
                throw GatewayException.invalidRequest("the anthropic provider supports only function tools, not '"
                        + type + "'", "tools");
            }
            JsonObject function = Json.objectField(tool, "function");
            if (function == null) {
                throw GatewayException.invalidRequest("a function tool needs its 'function' object", "tools");
            }
            JsonValue cacheControl = tool.containsKey("cache_control") ? tool.get("cache_control")
                    : function.get("cache_control");
            tools.add(RequestOptions.tool(Json.text(function, "name"), Json.text(function, "description"),
                    function.get("parameters"), cacheControl, "tools"));
        }
        return tools.build();
    }

    private static JsonObject part(JsonValue value, String where) {
        if (!(value instanceof JsonObject object)) {
            throw GatewayException.invalidRequest(where + ": each content part must be an object", MESSAGES);
        }
        return object;
    }

    private static void addIfPresent(List<JsonObject> blocks, JsonObject block) {
        if (block != null) {
            blocks.add(block);
        }
    }
}
