package io.gateway.translation.anthropic;

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
import java.util.List;

/**
 * Translates an OpenAI {@code responses} request into a Messages request.
 *
 * <p>Ignored, having no Anthropic equivalent: {@code store} (nothing is stored), {@code background},
 * {@code text} (output format), {@code truncation}, {@code top_logprobs}, {@code service_tier},
 * {@code prompt_cache_key}, {@code max_tool_calls}, {@code metadata} (echoed in the answer only),
 * {@code stream_options}, and {@code include} apart from {@code reasoning.encrypted_content}. Refused with
 * 400 because the gateway keeps no conversation state for this provider: {@code previous_response_id},
 * {@code conversation}, {@code prompt} and {@code item_reference} items; also refused: hosted tools
 * (web search, file search, …) and input items other than messages, function calls, function call outputs
 * and reasoning.
 */
final class ResponsesRequests {

    private static final String INPUT = "input";

    private ResponsesRequests() {
    }

    /**
     * The Messages request for a Responses request.
     *
     * @param body       the client's body
     * @param model      the bare model name
     * @param defaultMax {@code default-max-tokens}
     * @param stream     whether to stream
     * @return the request body
     * @throws GatewayException 400 naming the field that cannot be translated
     */
    static JsonObject toMessages(JsonObject body, String model, int defaultMax, boolean stream) {
        for (String stateful : new String[] {"previous_response_id", "conversation", "prompt"}) {
            if (!Json.absent(body.get(stateful))) {
                throw GatewayException.invalidRequest("the anthropic provider does not support '" + stateful
                        + "': the gateway keeps no conversation state for it; send the whole conversation in 'input'",
                        stateful);
            }
        }
        Conversation conversation = new Conversation();
        JsonValue instructions = body.get("instructions");
        if (instructions instanceof JsonString string) {
            JsonObject block = Blocks.text(string.getString(), null);
            if (block != null) {
                conversation.system(List.of(block));
            }
        } else if (!Json.absent(instructions)) {
            throw GatewayException.invalidRequest("'instructions' must be a string", "instructions");
        }
        JsonValue input = body.get(INPUT);
        if (input instanceof JsonString string) {
            JsonObject block = Blocks.text(string.getString(), null);
            if (block != null) {
                conversation.user(List.of(block));
            }
        } else if (input instanceof JsonArray items) {
            for (int i = 0; i < items.size(); i++) {
                if (!(items.get(i) instanceof JsonObject item)) {
                    throw GatewayException.invalidRequest("'input[" + i + "]' must be an object", INPUT);
                }
                item(conversation, item, "input[" + i + "]");
            }
        } else {
            throw GatewayException.invalidRequest("'input' must be a string or an array of input items", INPUT);
        }
        JsonObjectBuilder out = Json.object().add("model", model);
        Integer max = RequestFields.optionalInteger(body, "max_output_tokens", 1, Integer.MAX_VALUE);
        JsonObject reasoning = Json.objectField(body, "reasoning");
        int budget = RequestOptions.thinkingBudget(reasoning == null ? null : reasoning.get("effort"),
                "reasoning.effort");
        RequestOptions.limits(out, max, budget, defaultMax, "max_output_tokens");
        JsonValue system = conversation.systemValue();
        if (system != null) {
            out.add("system", system);
        }
        out.add("messages", conversation.messages());
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

    private static void item(Conversation conversation, JsonObject item, String where) {
        String type = Json.text(item, "type");
        if (type == null && item.containsKey("role")) {
            type = "message";
        }
        switch (type == null ? "" : type) {
            case "message" -> message(conversation, item, where);
            case "function_call" -> conversation.assistant(List.of(Blocks.toolUse(Json.text(item, "call_id"),
                    Json.text(item, "name"), Json.text(item, "arguments"), INPUT)));
            case "function_call_output" -> conversation.user(List.of(Blocks.toolResult(Json.text(item, "call_id"),
                    toolOutput(item.get("output"), where), INPUT)));
            case "reasoning" -> reasoning(conversation, item);
            case "item_reference" -> throw GatewayException.invalidRequest(where + ": the anthropic provider cannot "
                    + "resolve item references (the gateway stores no items); send the item itself", INPUT);
            default -> throw GatewayException.invalidRequest(where + ": input item type '" + type
                    + "' is not supported by the anthropic provider", INPUT);
        }
    }

    private static void message(Conversation conversation, JsonObject item, String where) {
        String role = Json.text(item, "role");
        List<JsonObject> blocks = content(item.get("content"), where);
        switch (role == null ? "" : role) {
            case "user" -> conversation.user(blocks);
            case "assistant" -> conversation.assistant(blocks);
            case "system", "developer" -> {
                for (JsonObject block : blocks) {
                    if (!"text".equals(Json.text(block, "type"))) {
                        throw GatewayException.invalidRequest(where + ": system and developer messages may hold only "
                                + "text", INPUT);
                    }
                }
                conversation.system(blocks);
            }
            default -> throw GatewayException.invalidRequest(where + ".role must be user, assistant, system or "
                    + "developer", INPUT);
        }
    }

    private static List<JsonObject> content(JsonValue content, String where) {
        List<JsonObject> blocks = new ArrayList<>();
        if (content instanceof JsonString string) {
            addIfPresent(blocks, Blocks.text(string.getString(), null));
            return blocks;
        }
        if (!(content instanceof JsonArray parts)) {
            throw GatewayException.invalidRequest(where + ".content must be a string or an array of content parts",
                    INPUT);
        }
        for (JsonValue value : parts) {
            if (!(value instanceof JsonObject part)) {
                throw GatewayException.invalidRequest(where + ": each content part must be an object", INPUT);
            }
            String type = Json.text(part, "type");
            JsonValue cacheControl = part.get("cache_control");
            switch (type == null ? "" : type) {
                case "input_text", "output_text" -> addIfPresent(blocks,
                        Blocks.text(Json.text(part, "text"), cacheControl));
                case "refusal" -> addIfPresent(blocks, Blocks.text(Json.text(part, "refusal"), null));
                case "input_image" -> {
                    String url = Json.text(part, "image_url");
                    if (url == null) {
                        throw GatewayException.invalidRequest(where + ": the anthropic provider accepts images by "
                                + "'image_url' only, not by 'file_id'", INPUT);
                    }
                    blocks.add(Blocks.image(url, cacheControl, INPUT));
                }
                case "input_file" -> {
                    String data = Json.text(part, "file_data");
                    String url = Json.text(part, "file_url");
                    if (data != null) {
                        blocks.add(Blocks.document(data, Json.text(part, "filename"), cacheControl, INPUT));
                    } else if (url != null) {
                        blocks.add(Blocks.documentUrl(url, INPUT));
                    } else {
                        throw GatewayException.invalidRequest(where + ": the anthropic provider accepts files as "
                                + "'file_data' or 'file_url', not by 'file_id'", INPUT);
                    }
                }
                default -> throw GatewayException.invalidRequest(where + ": content part type '" + type
                        + "' is not supported by the anthropic provider", INPUT);
            }
        }
        return blocks;
    }

    /** A function call output: a string, or input parts (text and images) as blocks. */
    private static JsonValue toolOutput(JsonValue output, String where) {
        if (Json.absent(output) || output instanceof JsonString) {
            return Json.absent(output) ? null : output;
        }
        JsonArrayBuilder blocks = Json.array();
        content(output, where).forEach(blocks::add);
        return blocks.build();
    }

    /**
     * A reasoning item this provider answered earlier goes back as the thinking block it came from; its
     * {@code encrypted_content} is Anthropic's signature. Items without one cannot be verified by
     * Anthropic and are left out.
     */
    private static void reasoning(Conversation conversation, JsonObject item) {
        String signature = Json.text(item, "encrypted_content");
        if (signature == null || signature.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        JsonArray summary = Json.arrayField(item, "summary");
        if (summary != null) {
            for (JsonValue part : summary) {
                String partText = part instanceof JsonObject object ? Json.text(object, "text") : null;
                if (partText != null) {
                    text.append(partText);
                }
            }
        }
        JsonArray content = Json.arrayField(item, "content");
        if (text.isEmpty() && content != null) {
            for (JsonValue part : content) {
                String partText = part instanceof JsonObject object ? Json.text(object, "text") : null;
                if (partText != null) {
                    text.append(partText);
                }
            }
        }
        conversation.assistant(List.of(Blocks.thinking(text.toString(), signature)));
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
            tools.add(RequestOptions.tool(Json.text(tool, "name"), Json.text(tool, "description"),
                    tool.get("parameters"), tool.get("cache_control"), "tools"));
        }
        return tools.build();
    }

    private static void addIfPresent(List<JsonObject> blocks, JsonObject block) {
        if (block != null) {
            blocks.add(block);
        }
    }
}
