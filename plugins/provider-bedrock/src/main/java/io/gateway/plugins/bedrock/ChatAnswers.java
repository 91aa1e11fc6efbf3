package io.gateway.plugins.bedrock;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * Translates a Converse answer into an OpenAI {@code chat.completion}: text blocks joined into
 * {@code message.content} ({@code null} when there are none), {@code toolUse} blocks as
 * {@code tool_calls} with their input as a JSON string, reasoning text as
 * {@code message.reasoning_content}; the stop reason as {@code finish_reason}; the usage with the
 * cache counts ({@link Usage}). Stateless.
 */
final class ChatAnswers {

    private ChatAnswers() {
    }

    /**
     * The chat completion.
     *
     * @param converse the Converse answer
     * @param id       the completion id ({@code chatcmpl-} and the upstream request id)
     * @param model    the model asked for
     * @param created  the {@code created} time in epoch seconds
     * @return the body
     */
    static JsonObject completion(JsonObject converse, String id, String model, long created) {
        StringBuilder text = new StringBuilder();
        boolean hasText = false;
        StringBuilder reasoning = new StringBuilder();
        JsonArrayBuilder toolCalls = Json.array();
        boolean hasToolCalls = false;
        JsonArray content = Json.arrayField(Json.objectField(Json.objectField(converse, "output"), "message"),
                "content");
        if (content != null) {
            for (JsonValue value : content) {
                if (!(value instanceof JsonObject block)) {
                    continue;
                }
                if (block.containsKey("text")) {
                    String part = Json.text(block, "text");
                    text.append(part == null ? "" : part);
                    hasText = true;
                } else if (Json.objectField(block, "toolUse") != null) {
                    JsonObject use = Json.objectField(block, "toolUse");
                    JsonValue input = use.get("input");
                    toolCalls.add(Json.object()
                            .add("id", Json.stringOrNull(Json.text(use, "toolUseId")))
                            .add("type", "function")
                            .add("function", Json.object()
                                    .add("name", Json.stringOrNull(Json.text(use, "name")))
                                    .add("arguments", Json.absent(input) ? "{}" : input.toString())));
                    hasToolCalls = true;
                } else if (Json.objectField(block, "reasoningContent") != null) {
                    String part = Json.text(Json.objectField(Json.objectField(block, "reasoningContent"),
                            "reasoningText"), "text");
                    reasoning.append(part == null ? "" : part);
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
        return Json.object()
                .add("id", id)
                .add("object", "chat.completion")
                .add("created", created)
                .add("model", model)
                .add("choices", Json.array().add(Json.object()
                        .add("index", 0)
                        .add("message", reply)
                        .add("logprobs", JsonValue.NULL)
                        .add("finish_reason", StopReasons.finishReason(Json.text(converse, "stopReason")))))
                .add("usage", Usage.of(Json.objectField(converse, "usage")).chat())
                .build();
    }
}
