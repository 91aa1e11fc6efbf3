package io.gateway.plugins.bedrock;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates an OpenAI {@code chat/completions} request into a Converse request (the model goes in
 * the URL, not the body).
 *
 * <ul>
 *   <li>{@code system} and {@code developer} messages become {@code system} blocks; user text, images
 *       ({@code data:} URLs, {@code s3://} URIs) and files become content blocks; assistant text and
 *       {@code tool_calls} become text and {@code toolUse} blocks; {@code tool} messages become
 *       {@code toolResult} blocks of the next user turn. A part with {@code cache_control} is followed
 *       by a {@code cachePoint}.</li>
 *   <li>{@code max_completion_tokens} (or {@code max_tokens}), {@code temperature}, {@code top_p} and
 *       {@code stop} go to {@code inferenceConfig}; {@code tools} and {@code tool_choice} to
 *       {@code toolConfig}.</li>
 *   <li>The Bedrock fields of {@link Options#PASSED_THROUGH} are sent as the client wrote them.</li>
 * </ul>
 * Ignored, having no Converse equivalent: {@code frequency_penalty}, {@code presence_penalty},
 * {@code logit_bias}, {@code logprobs}, {@code seed}, {@code response_format}, {@code user},
 * {@code metadata}, {@code store}, {@code service_tier}, {@code parallel_tool_calls}, a tool's
 * {@code strict}. Refused with 400: {@code n > 1}, audio input, file ids, http(s) image URLs (Converse
 * fetches none), the legacy {@code functions}, {@code function_call} and {@code function} messages,
 * tool types other than {@code function}. Stateless.
 */
final class ChatRequests {

    private static final String MESSAGES = "messages";

    private ChatRequests() {
    }

    /**
     * The Converse body for a chat completion request.
     *
     * @param body the client's body
     * @return the Converse body
     * @throws GatewayException 400 naming the field that cannot be translated
     */
    static JsonObject toConverse(JsonObject body) {
        Integer n = RequestFields.optionalInteger(body, "n", 1, Integer.MAX_VALUE);
        if (n != null && n > 1) {
            throw GatewayException.invalidRequest("bedrock does not support n > 1", "n");
        }
        if (!Json.absent(body.get("functions")) || !Json.absent(body.get("function_call"))) {
            throw GatewayException.invalidRequest("the bedrock provider does not support the legacy 'functions' and "
                    + "'function_call' fields; send 'tools' and 'tool_choice'",
                    Json.absent(body.get("functions")) ? "function_call" : "functions");
        }
        JsonArray messages = RequestFields.optionalArray(body, MESSAGES, MESSAGES);
        if (messages == null || messages.isEmpty()) {
            throw GatewayException.invalidRequest("'messages' must be a non-empty array", MESSAGES);
        }
        Turns turns = new Turns();
        int documents = 0;
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages[" + i + "]";
            if (!(messages.get(i) instanceof JsonObject message)) {
                throw GatewayException.invalidRequest(where + " must be an object", MESSAGES);
            }
            String role = Json.text(message, "role");
            switch (role == null ? "" : role) {
                case "system", "developer" -> turns.system(textBlocks(message.get("content"), where));
                case "user" -> {
                    List<JsonObject> blocks = userContent(message.get("content"), where, documents);
                    documents += (int) blocks.stream().filter(b -> b.containsKey("document")).count();
                    turns.user(blocks);
                }
                case "assistant" -> turns.assistant(assistantContent(message, where));
                case "tool" -> turns.user(List.of(Blocks.toolResult(Json.text(message, "tool_call_id"),
                        text(message.get("content"), where), MESSAGES)));
                case "function" -> throw GatewayException.invalidRequest(where + ": the bedrock provider does not "
                        + "support legacy 'function' messages; use tool calls and 'tool' messages", MESSAGES);
                default -> throw GatewayException.invalidRequest(where + ".role must be system, developer, user, "
                        + "assistant or tool", MESSAGES);
            }
        }
        if (turns.isEmpty()) {
            throw GatewayException.invalidRequest("'messages' holds no user or assistant content; bedrock needs at "
                    + "least one user message", MESSAGES);
        }
        JsonObjectBuilder out = Json.object().add(MESSAGES, turns.messages());
        if (turns.hasSystem()) {
            out.add("system", turns.systemBlocks());
        }
        Integer max = RequestFields.optionalInteger(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (max == null) {
            max = RequestFields.optionalInteger(body, "max_tokens", 1, Integer.MAX_VALUE);
        }
        JsonObject inference = Options.inferenceConfig(max, RequestFields.optionalNumber(body, "temperature"),
                RequestFields.optionalNumber(body, "top_p"), Options.stops(body.get("stop")));
        if (inference != null) {
            out.add("inferenceConfig", inference);
        }
        JsonObject toolConfig = toolConfig(body, turns.hasToolBlocks());
        if (toolConfig != null) {
            out.add("toolConfig", toolConfig);
        }
        Options.passThrough(body, out);
        return out.build();
    }

    private static JsonObject toolConfig(JsonObject body, boolean toolBlocks) {
        JsonArray tools = RequestFields.optionalArray(body, "tools", "tools");
        List<JsonObject> specs = new ArrayList<>();
        if (tools != null) {
            for (JsonValue value : tools) {
                if (!(value instanceof JsonObject tool)) {
                    throw GatewayException.invalidRequest("each of 'tools' must be an object", "tools");
                }
                String type = Json.text(tool, "type");
                if (!"function".equals(type)) {
                    throw GatewayException.invalidRequest("the bedrock provider supports only function tools, not '"
                            + type + "'", "tools");
                }
                JsonObject function = Json.objectField(tool, "function");
                if (function == null) {
                    throw GatewayException.invalidRequest("a function tool needs its 'function' object", "tools");
                }
                specs.add(Options.toolSpec(Json.text(function, "name"), Json.text(function, "description"),
                        function.get("parameters"), "tools"));
                if (Blocks.cached(tool) || Blocks.cached(function)) {
                    specs.add(Blocks.cachePoint());
                }
            }
        }
        JsonValue choice = body.get("tool_choice");
        String mode = null;
        String named = null;
        if (choice instanceof JsonString string) {
            mode = string.getString();
            if (!mode.equals("auto") && !mode.equals("required") && !mode.equals("none")) {
                throw GatewayException.invalidRequest("'tool_choice' must be none, auto, required or a function",
                        "tool_choice");
            }
        } else if (choice instanceof JsonObject object) {
            named = Json.text(Json.objectField(object, "function"), "name");
            if (named == null) {
                throw GatewayException.invalidRequest("'tool_choice' must name a function: "
                        + "{\"type\":\"function\",\"function\":{\"name\":...}}", "tool_choice");
            }
        } else if (!Json.absent(choice)) {
            throw GatewayException.invalidRequest("'tool_choice' must be a string or an object", "tool_choice");
        }
        if (specs.isEmpty() && (named != null || "required".equals(mode))) {
            throw GatewayException.invalidRequest("'tool_choice' asks for a tool but 'tools' declares none",
                    "tool_choice");
        }
        return Options.toolConfig(specs, mode, named, toolBlocks);
    }

    /** System and developer content: a string or text parts. */
    private static List<JsonObject> textBlocks(JsonValue content, String where) {
        List<JsonObject> blocks = new ArrayList<>();
        if (content instanceof JsonString string) {
            addIfPresent(blocks, Blocks.text(string.getString()));
        } else if (content instanceof JsonArray parts) {
            for (JsonValue value : parts) {
                JsonObject part = part(value, where);
                if (!"text".equals(Json.text(part, "type"))) {
                    throw GatewayException.invalidRequest(where + ": system and developer messages may hold only text"
                            + " parts", MESSAGES);
                }
                addIfPresent(blocks, Blocks.text(Json.text(part, "text")));
                if (Blocks.cached(part)) {
                    blocks.add(Blocks.cachePoint());
                }
            }
        } else if (!Json.absent(content)) {
            throw GatewayException.invalidRequest(where + ".content must be a string or an array of parts", MESSAGES);
        }
        return blocks;
    }

    private static List<JsonObject> userContent(JsonValue content, String where, int documents) {
        List<JsonObject> blocks = new ArrayList<>();
        if (content instanceof JsonString string) {
            addIfPresent(blocks, Blocks.text(string.getString()));
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
            switch (type == null ? "" : type) {
                case "text" -> addIfPresent(blocks, Blocks.text(Json.text(part, "text")));
                case "image_url" -> {
                    JsonValue image = part.get("image_url");
                    String url = image instanceof JsonString string ? string.getString()
                            : Json.text(image instanceof JsonObject object ? object : null, "url");
                    blocks.add(Blocks.image(url, MESSAGES));
                }
                case "file" -> {
                    JsonObject file = Json.objectField(part, "file");
                    String data = Json.text(file, "file_data");
                    if (data == null) {
                        throw GatewayException.invalidRequest(where + ": the bedrock provider accepts files as "
                                + "'file_data' only, not by 'file_id'", MESSAGES);
                    }
                    blocks.add(Blocks.document(data, Json.text(file, "filename"), documents++, MESSAGES));
                }
                case "input_audio" -> throw GatewayException.invalidRequest(where + ": bedrock's Converse API does "
                        + "not take audio input", MESSAGES);
                default -> throw GatewayException.invalidRequest(where + ": content part type '" + type
                        + "' is not supported by the bedrock provider", MESSAGES);
            }
            if (Blocks.cached(part)) {
                blocks.add(Blocks.cachePoint());
            }
        }
        return blocks;
    }

    private static List<JsonObject> assistantContent(JsonObject message, String where) {
        List<JsonObject> blocks = new ArrayList<>();
        JsonValue content = message.get("content");
        if (content instanceof JsonString string) {
            addIfPresent(blocks, Blocks.text(string.getString()));
        } else if (content instanceof JsonArray parts) {
            for (JsonValue value : parts) {
                JsonObject part = part(value, where);
                String type = Json.text(part, "type");
                if ("text".equals(type)) {
                    addIfPresent(blocks, Blocks.text(Json.text(part, "text")));
                } else if ("refusal".equals(type)) {
                    addIfPresent(blocks, Blocks.text(Json.text(part, "refusal")));
                } else {
                    throw GatewayException.invalidRequest(where + ": assistant content part type '" + type
                            + "' is not supported by the bedrock provider", MESSAGES);
                }
            }
        } else if (!Json.absent(content)) {
            throw GatewayException.invalidRequest(where + ".content must be a string or an array of parts", MESSAGES);
        }
        if (!Json.absent(message.get("function_call"))) {
            throw GatewayException.invalidRequest(where + ": the bedrock provider does not support the legacy "
                    + "'function_call'; use 'tool_calls'", MESSAGES);
        }
        JsonValue calls = message.get("tool_calls");
        if (calls instanceof JsonArray array) {
            for (JsonValue value : array) {
                JsonObject call = part(value, where);
                String type = Json.text(call, "type");
                if (type != null && !type.equals("function")) {
                    throw GatewayException.invalidRequest(where + ": tool call type '" + type
                            + "' is not supported by the bedrock provider", MESSAGES);
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

    /** A tool message's content as text: a string, or its text parts joined. */
    static String text(JsonValue content, String where) {
        if (Json.absent(content)) {
            return "";
        }
        if (content instanceof JsonString string) {
            return string.getString();
        }
        if (!(content instanceof JsonArray parts)) {
            throw GatewayException.invalidRequest(where + ".content must be a string or an array of text parts",
                    MESSAGES);
        }
        StringBuilder text = new StringBuilder();
        for (JsonValue value : parts) {
            JsonObject part = part(value, where);
            if (!"text".equals(Json.text(part, "type"))) {
                throw GatewayException.invalidRequest(where + ": tool messages may hold only text parts", MESSAGES);
            }
            String piece = Json.text(part, "text");
            text.append(piece == null ? "" : piece);
        }
        return text.toString();
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
