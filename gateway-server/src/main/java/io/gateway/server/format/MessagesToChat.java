package io.gateway.server.format;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
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
 * An Anthropic Messages request as a chat completion request, for providers that speak only the
 * OpenAI format: system, user and assistant turns, text, image and PDF blocks, {@code tool_use} and
 * {@code tool_result} as tool calls and tool messages, {@code tools} and {@code tool_choice},
 * {@code stop_sequences}, {@code max_tokens}, {@code temperature}, {@code top_p},
 * {@code metadata.user_id} and {@code thinking} (as {@code reasoning_effort}).
 *
 * <p>What has no equivalent is dropped when dropping changes only hints ({@code top_k},
 * {@code service_tier}, earlier turns' thinking blocks) and refused with a 400 naming it when the model
 * would otherwise answer a different question (Anthropic's server tools, MCP servers, documents by URL).
 * {@code cache_control} markers stay on their text parts, image parts and tools when the target accepts
 * them (the form OpenRouter and LiteLLM take), and are removed otherwise. Stateless.
 */
final class MessagesToChat {

    private MessagesToChat() {
    }

    /**
     * Translates a request.
     *
     * @param body         the Messages request (already validated: model, messages)
     * @param target       the provider that will answer, for messages: {@code name (type X)}
     * @param cacheControl whether {@code cache_control} markers go along
     * @return the chat completion request, {@code model} as the client wrote it
     * @throws GatewayException 400 for what cannot be translated
     */
    static JsonObject request(JsonObject body, String target, boolean cacheControl) {
        for (String field : List.of("mcp_servers", "container")) {
            if (body.containsKey(field) && body.get(field) != JsonValue.NULL) {
                throw refused("'" + field + "' is served by Anthropic only; " + target + " cannot use it; "
                        + "send the request to an anthropic provider", field);
            }
        }
        JsonObjectBuilder chat = JsonBodies.provider().createObjectBuilder();
        chat.add("model", body.get("model"));
        JsonArrayBuilder messages = JsonBodies.provider().createArrayBuilder();
        JsonValue system = body.get("system");
        if (system instanceof JsonString text) {
            messages.add(object().add("role", "system").add("content", text.getString()));
        } else if (system instanceof JsonArray blocks && !blocks.isEmpty()) {
            messages.add(object().add("role", "system").add("content", textContent(blocks, "system", cacheControl)));
        }
        JsonArray turns = body.getJsonArray("messages");
        for (int i = 0; i < turns.size(); i++) {
            JsonObject turn = turns.getJsonObject(i);
            String role = turn.getString("role", "");
            switch (role) {
                case "user" -> user(turn.get("content"), "messages[" + i + "]", messages, target, cacheControl);
                case "assistant" -> assistant(turn.get("content"), "messages[" + i + "]", messages, target,
                        cacheControl);
                default -> throw refused("'messages[" + i + "].role' must be \"user\" or \"assistant\"",
                        "messages");
            }
        }
        chat.add("messages", messages);
        copyNumber(body, "max_tokens", chat, "max_completion_tokens");
        copyNumber(body, "temperature", chat, "temperature");
        copyNumber(body, "top_p", chat, "top_p");
        if (body.get("stop_sequences") instanceof JsonArray stops && !stops.isEmpty()) {
            chat.add("stop", stops);
        }
        if (body.get("metadata") instanceof JsonObject metadata && metadata.get("user_id") instanceof JsonString user) {
            chat.add("user", user.getString());
        }
        boolean hasTools = body.get("tools") instanceof JsonArray tools && !tools.isEmpty();
        if (hasTools) {
            chat.add("tools", tools(body.getJsonArray("tools"), target, cacheControl));
        }
        if (body.get("tool_choice") instanceof JsonObject choice) {
            toolChoice(choice, chat, hasTools);
        }
        if (body.get("thinking") instanceof JsonObject thinking && "enabled".equals(thinking.getString("type", null))) {
            long budget = thinking.get("budget_tokens") instanceof JsonNumber n ? n.longValue() : 0;
            chat.add("reasoning_effort", budget < 4096 ? "low" : budget < 16384 ? "medium" : "high");
        }
        if (body.get("stream") == JsonValue.TRUE) {
            chat.add("stream", true);
            chat.add("stream_options", object().add("include_usage", true));
        }
        return chat.build();
    }

    private static void user(JsonValue content, String path, JsonArrayBuilder messages, String target,
                             boolean cacheControl) {
        if (content instanceof JsonString text) {
            messages.add(object().add("role", "user").add("content", text.getString()));
            return;
        }
        if (!(content instanceof JsonArray blocks)) {
            throw refused("'" + path + ".content' must be a string or an array of content blocks", "messages");
        }
        JsonArrayBuilder parts = JsonBodies.provider().createArrayBuilder();
        int partCount = 0;
        JsonArrayBuilder toolImages = JsonBodies.provider().createArrayBuilder();
        int toolImageCount = 0;
        for (int i = 0; i < blocks.size(); i++) {
            JsonObject block = block(blocks, i, path);
            String type = block.getString("type", "");
            String where = path + ".content[" + i + "]";
            switch (type) {
                case "text" -> {
                    parts.add(textPart(block, cacheControl));
                    partCount++;
                }
                case "image" -> {
                    parts.add(imagePart(block, where, cacheControl));
                    partCount++;
                }
                case "document" -> {
                    parts.add(documentPart(block, where, target));
                    partCount++;
                }
                case "tool_result" -> {
                    JsonObjectBuilder tool = object().add("role", "tool")
                            .add("tool_call_id", block.getString("tool_use_id", ""));
                    List<String> texts = new ArrayList<>();
                    JsonValue result = block.get("content");
                    if (result instanceof JsonString string) {
                        texts.add(string.getString());
                    } else if (result instanceof JsonArray items) {
                        for (int j = 0; j < items.size(); j++) {
                            JsonObject item = block(items, j, where + ".content");
                            switch (item.getString("type", "")) {
                                case "text" -> texts.add(item.getString("text", ""));
                                case "image" -> {
                                    toolImages.add(imagePart(item, where + ".content[" + j + "]", false));
                                    toolImageCount++;
                                }
                                default -> throw refused("'" + where + ".content[" + j + "]' is a "
                                        + item.getString("type", "block without a type") + " block, which "
                                        + target + " cannot take in a tool result", "messages");
                            }
                        }
                    }
                    // chat has no error flag on tool results; the model still learns the tool failed
                    String text = String.join("\n", texts);
                    messages.add(tool.add("content", block.get("is_error") == JsonValue.TRUE
                            ? "(tool error) " + text : text));
                }
                case "search_result", "server_tool_use", "web_search_tool_result", "web_fetch_tool_result",
                     "code_execution_tool_result", "container_upload" -> throw refused("'" + where + "' is a "
                        + type + " block, which only Anthropic serves; send the request to an anthropic provider",
                        "messages");
                default -> throw refused("'" + where + "' has an unknown block type '" + type + "'", "messages");
            }
        }
        if (toolImageCount > 0) {
            // images a tool returned: chat tool messages carry text only, so they follow as the user's
            messages.add(object().add("role", "user").add("content", toolImages));
        }
        if (partCount > 0) {
            messages.add(object().add("role", "user").add("content", parts));
        }
    }

    private static void assistant(JsonValue content, String path, JsonArrayBuilder messages, String target,
                                  boolean cacheControl) {
        if (content instanceof JsonString text) {
            messages.add(object().add("role", "assistant").add("content", text.getString()));
            return;
        }
        if (!(content instanceof JsonArray blocks)) {
            throw refused("'" + path + ".content' must be a string or an array of content blocks", "messages");
        }
        List<JsonObject> texts = new ArrayList<>();
        JsonArrayBuilder calls = JsonBodies.provider().createArrayBuilder();
        int callCount = 0;
        boolean marked = false;
        for (int i = 0; i < blocks.size(); i++) {
            JsonObject block = block(blocks, i, path);
            String type = block.getString("type", "");
            switch (type) {
                case "text" -> {
                    texts.add(block);
                    marked |= block.containsKey("cache_control");
                }
                case "tool_use" -> {
                    JsonValue input = block.get("input");
                    calls.add(object()
                            .add("id", block.getString("id", "call_" + i))
                            .add("type", "function")
                            .add("function", object()
                                    .add("name", block.getString("name", ""))
                                    .add("arguments", input == null ? "{}" : input.toString())));
                    callCount++;
                }
                case "thinking", "redacted_thinking" -> {
                    // an earlier turn's reasoning: other providers neither take nor need it back
                }
                default -> throw refused("'" + path + ".content[" + i + "]' is a " + type + " block, which "
                        + target + " cannot take; send the request to an anthropic provider", "messages");
            }
        }
        JsonObjectBuilder message = object().add("role", "assistant");
        if (marked && cacheControl) {
            JsonArrayBuilder parts = JsonBodies.provider().createArrayBuilder();
            texts.forEach(block -> parts.add(textPart(block, true)));
            message.add("content", parts);
        } else if (!texts.isEmpty()) {
            StringBuilder joined = new StringBuilder();
            for (JsonObject block : texts) {
                joined.append(block.getString("text", ""));
            }
            message.add("content", joined.toString());
        } else {
            message.add("content", JsonValue.NULL);
        }
        if (callCount > 0) {
            message.add("tool_calls", calls);
        }
        messages.add(message);
    }

    private static JsonValue textContent(JsonArray blocks, String path, boolean cacheControl) {
        JsonArrayBuilder parts = JsonBodies.provider().createArrayBuilder();
        StringBuilder joined = new StringBuilder();
        boolean marked = false;
        for (int i = 0; i < blocks.size(); i++) {
            JsonObject block = block(blocks, i, path);
            if (!"text".equals(block.getString("type", ""))) {
                throw refused("'" + path + "[" + i + "]' must be a text block", path);
            }
            parts.add(textPart(block, cacheControl));
            marked |= block.containsKey("cache_control");
            if (!joined.isEmpty()) {
                joined.append("\n\n");
            }
            joined.append(block.getString("text", ""));
        }
        return marked && cacheControl ? parts.build() : JsonBodies.provider().createValue(joined.toString());
    }

    private static JsonObject textPart(JsonObject block, boolean cacheControl) {
        JsonObjectBuilder part = object().add("type", "text").add("text", block.getString("text", ""));
        marker(block, part, cacheControl);
        return part.build();
    }

    private static JsonObject imagePart(JsonObject block, String where, boolean cacheControl) {
        JsonObject source = block.get("source") instanceof JsonObject s ? s : JsonValue.EMPTY_JSON_OBJECT;
        String url = switch (source.getString("type", "")) {
            case "base64" -> "data:" + source.getString("media_type", "image/png") + ";base64,"
                    + source.getString("data", "");
            case "url" -> source.getString("url", "");
            default -> throw refused("'" + where + ".source' must be a base64 or url image source", "messages");
        };
        JsonObjectBuilder part = object().add("type", "image_url").add("image_url", object().add("url", url));
        marker(block, part, cacheControl);
        return part.build();
    }

    private static JsonObject documentPart(JsonObject block, String where, String target) {
        JsonObject source = block.get("source") instanceof JsonObject s ? s : JsonValue.EMPTY_JSON_OBJECT;
        switch (source.getString("type", "")) {
            case "base64" -> {
                String mediaType = source.getString("media_type", "application/pdf");
                return object().add("type", "file").add("file", object()
                        .add("filename", block.getString("title", "document.pdf"))
                        .add("file_data", "data:" + mediaType + ";base64," + source.getString("data", "")))
                        .build();
            }
            case "text" -> {
                return object().add("type", "text").add("text", source.getString("data", "")).build();
            }
            default -> throw refused("'" + where + "' is a document by " + source.getString("type", "reference")
                    + ", which " + target + " cannot fetch; send it as base64 or text", "messages");
        }
    }

    private static JsonArray tools(JsonArray tools, String target, boolean cacheControl) {
        JsonArrayBuilder out = JsonBodies.provider().createArrayBuilder();
        for (int i = 0; i < tools.size(); i++) {
            JsonObject tool = block(tools, i, "tools");
            String type = tool.getString("type", "custom");
            if (!type.equals("custom")) {
                throw refused("tool '" + tool.getString("name", "#" + i) + "' (type " + type + ") is one of "
                        + "Anthropic's server tools; " + target + " cannot run it; send the request to an anthropic "
                        + "provider or define it as a custom tool", "tools");
            }
            JsonObjectBuilder function = object().add("name", tool.getString("name", ""));
            if (tool.get("description") instanceof JsonString description) {
                function.add("description", description.getString());
            }
            function.add("parameters", tool.get("input_schema") instanceof JsonObject schema ? schema
                    : object().add("type", "object").build());
            if (tool.get("strict") == JsonValue.TRUE) {
                function.add("strict", true);
            }
            JsonObjectBuilder chatTool = object().add("type", "function").add("function", function);
            marker(tool, chatTool, cacheControl);
            out.add(chatTool);
        }
        return out.build();
    }

    private static void toolChoice(JsonObject choice, JsonObjectBuilder chat, boolean hasTools) {
        switch (choice.getString("type", "auto")) {
            case "any" -> chat.add("tool_choice", "required");
            case "none" -> chat.add("tool_choice", "none");
            case "tool" -> chat.add("tool_choice", object().add("type", "function")
                    .add("function", object().add("name", choice.getString("name", ""))));
            default -> chat.add("tool_choice", "auto");
        }
        if (hasTools && choice.get("disable_parallel_tool_use") == JsonValue.TRUE) {
            chat.add("parallel_tool_calls", false);
        }
    }

    private static void marker(JsonObject from, JsonObjectBuilder to, boolean cacheControl) {
        if (cacheControl && from.get("cache_control") instanceof JsonObject marker) {
            to.add("cache_control", marker);
        }
    }

    private static void copyNumber(JsonObject from, String name, JsonObjectBuilder to, String as) {
        if (from.get(name) instanceof JsonNumber number) {
            to.add(as, number);
        }
    }

    private static JsonObject block(JsonArray array, int index, String path) {
        if (!(array.get(index) instanceof JsonObject block)) {
            throw refused("'" + path + "[" + index + "]' must be an object with a type", "messages");
        }
        return block;
    }

    private static JsonObjectBuilder object() {
        return JsonBodies.provider().createObjectBuilder();
    }

    private static GatewayException refused(String message, String param) {
        return GatewayException.invalidRequest(message, param);
    }
}
