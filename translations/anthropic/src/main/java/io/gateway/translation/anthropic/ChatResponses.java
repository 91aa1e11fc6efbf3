package io.gateway.translation.anthropic;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * Translates a Messages answer into an OpenAI {@code chat.completion}.
 *
 * <p>Text blocks are concatenated into {@code message.content} ({@code null} when there are none),
 * {@code tool_use} blocks become {@code tool_calls} with their input as a JSON string, and thinking
 * goes to {@code message.reasoning_content}. Redacted thinking and server-tool blocks have no OpenAI
 * form and are left out.
 */
final class ChatResponses {

    private ChatResponses() {
    }

    /**
     * The chat completion.
     *
     * @param message       the Messages answer
     * @param fallbackModel the model asked for, used if the answer names none
     * @param created       the {@code created} time in epoch seconds
     * @return the body
     */
    static JsonObject completion(JsonObject message, String fallbackModel, long created) {
        StringBuilder text = new StringBuilder();
        boolean hasText = false;
        StringBuilder reasoning = new StringBuilder();
        JsonArrayBuilder toolCalls = Json.array();
        boolean hasToolCalls = false;
        JsonArray content = Json.arrayField(message, "content");
        if (content != null) {
            for (JsonValue value : content) {
                if (!(value instanceof JsonObject block)) {
                    continue;
                }
                String type = Json.text(block, "type");
                if ("text".equals(type)) {
                    String part = Json.text(block, "text");
                    text.append(part == null ? "" : part);
                    hasText = true;
                } else if ("thinking".equals(type)) {
                    String part = Json.text(block, "thinking");
                    reasoning.append(part == null ? "" : part);
                } else if ("tool_use".equals(type)) {
                    JsonValue input = block.get("input");
                    toolCalls.add(Json.object()
                            .add("id", Json.stringOrNull(Json.text(block, "id")))
                            .add("type", "function")
                            .add("function", Json.object()
                                    .add("name", Json.stringOrNull(Json.text(block, "name")))
                                    .add("arguments", input == null ? "{}" : input.toString())));
                    hasToolCalls = true;
                }
            }
        }
        JsonObjectBuilder reply = Json.object()
                .add("role", "assistant")
                .add("content", hasText ? Json.string(text.toString()) : JsonValue.NULL)
                .add("refusal", JsonValue.NULL);
        if (hasToolCalls) {
            reply.add("tool_calls", toolCalls);
        }
        if (!reasoning.isEmpty()) {
            reply.add("reasoning_content", reasoning.toString());
        }
        String model = Json.text(message, "model");
        return Json.object()
                .add("id", Json.stringOrNull(Json.text(message, "id")))
                .add("object", "chat.completion")
                .add("created", created)
                .add("model", model == null ? fallbackModel : model)
                .add("choices", Json.array().add(Json.object()
                        .add("index", 0)
                        .add("message", reply)
                        .add("logprobs", JsonValue.NULL)
                        .add("finish_reason", StopReasons.finishReason(Json.text(message, "stop_reason")))))
                .add("usage", Usage.of(Json.objectField(message, "usage")).chat())
                .build();
    }
}
