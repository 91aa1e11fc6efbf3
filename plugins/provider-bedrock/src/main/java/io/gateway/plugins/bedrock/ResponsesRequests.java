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
 * Translates an OpenAI {@code responses} request into a Converse request: {@code instructions} and
 * system or developer message items become {@code system} blocks; user message items (text, images as
 * {@code data:} URLs or {@code s3://} URIs, files as {@code file_data}) user turns; assistant message
 * items assistant text; {@code function_call} items {@code toolUse} blocks and
 * {@code function_call_output} items {@code toolResult} blocks; {@code max_output_tokens},
 * {@code temperature}, {@code top_p} the {@code inferenceConfig}; function {@code tools} and
 * {@code tool_choice} the {@code toolConfig}; the Bedrock fields of {@link Options#PASSED_THROUGH} pass.
 *
 * <p>Bedrock keeps no conversations, so {@code previous_response_id}, {@code conversation},
 * {@code prompt} and {@code item_reference} items answer 400: send the whole conversation. Hosted tools
 * and other item types answer 400; {@code reasoning} items are left out (Converse takes reasoning back
 * only with its signature, which Responses does not carry). Ignored: {@code store}, {@code background},
 * {@code text}, {@code truncation}, {@code metadata} (echoed), {@code include}, {@code service_tier},
 * {@code parallel_tool_calls}. Stateless.
 */
final class ResponsesRequests {

    private static final String INPUT = "input";

    private ResponsesRequests() {
    }

    /**
     * The Converse body for a Responses request.
     *
     * @param body the client's body
     * @return the Converse body
     * @throws GatewayException 400 naming the field that cannot be translated
     */
    static JsonObject toConverse(JsonObject body) {
        for (String stateful : new String[] {"previous_response_id", "conversation", "prompt"}) {
            if (!Json.absent(body.get(stateful))) {
                throw GatewayException.invalidRequest("bedrock keeps no conversations: send the whole conversation in"
                        + " 'input' instead of '" + stateful + "'", stateful);
            }
        }
        Turns turns = new Turns();
        String instructions = RequestFields.optionalString(body, "instructions", "instructions");
        addIfPresent(instructions, turns::system);
        JsonValue input = body.get(INPUT);
        int[] documents = {0};
        if (input instanceof JsonString string) {
            addIfPresent(string.getString(), turns::user);
        } else if (input instanceof JsonArray items) {
            for (int i = 0; i < items.size(); i++) {
                if (!(items.get(i) instanceof JsonObject item)) {
                    throw GatewayException.invalidRequest("'input[" + i + "]' must be an object", INPUT);
                }
                item(turns, item, "input[" + i + "]", documents);
            }
        } else {
            throw GatewayException.invalidRequest("'input' must be a string or an array of input items", INPUT);
        }
        if (turns.isEmpty()) {
            throw GatewayException.invalidRequest("'input' holds no user content; bedrock needs at least one user "
                    + "message", INPUT);
        }
        JsonObjectBuilder out = Json.object().add("messages", turns.messages());
        if (turns.hasSystem()) {
            out.add("system", turns.systemBlocks());
        }
        JsonObject inference = Options.inferenceConfig(
                RequestFields.optionalInteger(body, "max_output_tokens", 1, Integer.MAX_VALUE),
                RequestFields.optionalNumber(body, "temperature"), RequestFields.optionalNumber(body, "top_p"),
                List.of());
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

    private static void item(Turns turns, JsonObject item, String param, int[] documents) {
        String type = Json.text(item, "type");
        if (type == null || type.equals("message")) {
            message(turns, item, param, documents);
            return;
        }
        switch (type) {
            case "function_call" -> turns.assistant(List.of(Blocks.toolUse(Json.text(item, "call_id"),
                    Json.text(item, "name"), Json.text(item, "arguments"), param)));
            case "function_call_output" -> turns.user(List.of(Blocks.toolResult(Json.text(item, "call_id"),
                    output(item.get("output"), param), param)));
            case "reasoning" -> {
                // Converse replays reasoning only with its signature, which a Responses item does not carry
            }
            case "item_reference" -> throw GatewayException.invalidRequest("bedrock keeps no stored items: send the"
                    + " item itself instead of an item_reference", param);
            default -> throw GatewayException.invalidRequest("the bedrock provider does not take input items of type '"
                    + type + "'", param);
        }
    }

    private static String output(JsonValue output, String param) {
        if (output instanceof JsonString string) {
            return string.getString();
        }
        if (output instanceof JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (JsonValue value : parts) {
                String piece = value instanceof JsonObject part ? Json.text(part, "text") : null;
                if (piece == null) {
                    throw GatewayException.invalidRequest("the bedrock provider takes text function call outputs "
                            + "only", param);
                }
                text.append(piece);
            }
            return text.toString();
        }
        throw GatewayException.invalidRequest("'output' must be a string or an array of text parts", param);
    }

    private static void message(Turns turns, JsonObject item, String param, int[] documents) {
        String role = Json.text(item, "role");
        JsonValue content = item.get("content");
        switch (role == null ? "" : role) {
            case "system", "developer" -> addIfPresent(text(content, param), turns::system);
            case "assistant" -> addIfPresent(text(content, param), turns::assistant);
            case "user" -> turns.user(userBlocks(content, param, documents));
            default -> throw GatewayException.invalidRequest("a message item's role must be user, assistant, system "
                    + "or developer", param);
        }
    }

    /** The text of a content value: a string or text parts (input_text, output_text, refusal). */
    private static String text(JsonValue content, String param) {
        if (content instanceof JsonString string) {
            return string.getString();
        }
        if (!(content instanceof JsonArray parts)) {
            throw GatewayException.invalidRequest("'content' must be a string or an array of parts", param);
        }
        StringBuilder text = new StringBuilder();
        for (JsonValue value : parts) {
            JsonObject part = value instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
            String type = Json.text(part, "type");
            String piece = "refusal".equals(type) ? Json.text(part, "refusal") : Json.text(part, "text");
            if (piece == null) {
                throw GatewayException.invalidRequest("only text parts are allowed here, not '" + type + "'", param);
            }
            text.append(piece);
        }
        return text.toString();
    }

    private static List<JsonObject> userBlocks(JsonValue content, String param, int[] documents) {
        List<JsonObject> blocks = new ArrayList<>();
        if (content instanceof JsonString string) {
            JsonObject block = Blocks.text(string.getString());
            if (block != null) {
                blocks.add(block);
            }
            return blocks;
        }
        if (!(content instanceof JsonArray parts)) {
            throw GatewayException.invalidRequest("'content' must be a string or an array of parts", param);
        }
        for (JsonValue value : parts) {
            if (!(value instanceof JsonObject part)) {
                throw GatewayException.invalidRequest("content parts must be objects", param);
            }
            String type = Json.text(part, "type");
            switch (type == null ? "" : type) {
                case "input_text" -> {
                    JsonObject block = Blocks.text(Json.text(part, "text"));
                    if (block != null) {
                        blocks.add(block);
                    }
                }
                case "input_image" -> {
                    String url = Json.text(part, "image_url");
                    if (url == null) {
                        throw GatewayException.invalidRequest("bedrock needs images as 'image_url' (a data: URL or "
                                + "an s3:// URI); uploaded file ids are not supported", param);
                    }
                    blocks.add(Blocks.image(url, param));
                }
                case "input_file" -> {
                    String data = Json.text(part, "file_data");
                    if (data == null) {
                        throw GatewayException.invalidRequest("bedrock needs files as 'file_data'; file ids and URLs "
                                + "are not supported", param);
                    }
                    blocks.add(Blocks.document(data, Json.text(part, "filename"), documents[0]++, param));
                }
                default -> throw GatewayException.invalidRequest("the bedrock provider does not take content parts "
                        + "of type '" + type + "'", param);
            }
            if (Blocks.cached(part)) {
                blocks.add(Blocks.cachePoint());
            }
        }
        return blocks;
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
                specs.add(Options.toolSpec(Json.text(tool, "name"), Json.text(tool, "description"),
                        tool.get("parameters"), "tools"));
                if (Blocks.cached(tool)) {
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
            named = Json.text(object, "name");
            if (!"function".equals(Json.text(object, "type")) || named == null) {
                throw GatewayException.invalidRequest("'tool_choice' must name a function: "
                        + "{\"type\":\"function\",\"name\":...}", "tool_choice");
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

    private static void addIfPresent(String text, java.util.function.Consumer<List<JsonObject>> to) {
        JsonObject block = Blocks.text(text);
        if (block != null) {
            to.accept(List.of(block));
        }
    }
}
