package io.gateway.plugins.cohere;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.TokenUsage;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiUsage;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * Translates a Cohere v2 chat answer into an OpenAI {@code chat.completion}: the text parts of
 * {@code message.content} joined, {@code message.tool_calls} as they are (Cohere's shape is OpenAI's), the
 * finish reason mapped ({@code COMPLETE} and {@code STOP_SEQUENCE} → {@code stop}, {@code MAX_TOKENS} →
 * {@code length}, {@code TOOL_CALL} → {@code tool_calls}), and {@code usage.tokens} as the token counts
 * ({@code billed_units} when Cohere sent no tokens). Cohere's {@code tool_plan} (its words before calling
 * tools) and citations have no OpenAI field and are left out. An answer that finished with {@code ERROR}
 * or {@code TIMEOUT} is a 502.
 */
final class ChatResponses {

    private ChatResponses() {
    }

    static JsonObject completion(JsonObject answer, String model, long created) {
        JsonObject message = Json.objectField(answer, "message");
        StringBuilder text = new StringBuilder();
        boolean hasText = false;
        JsonArray content = Json.arrayField(message, "content");
        if (content != null) {
            for (JsonValue value : content) {
                if (value instanceof JsonObject part && "text".equals(Json.text(part, "type"))) {
                    text.append(String.valueOf(Json.text(part, "text")));
                    hasText = true;
                }
            }
        }
        JsonObjectBuilder reply = Json.object().add("role", "assistant")
                .add("content", hasText ? Json.string(text.toString()) : JsonValue.NULL)
                .add("refusal", JsonValue.NULL);
        JsonArray calls = Json.arrayField(message, "tool_calls");
        if (calls != null && !calls.isEmpty()) {
            JsonArrayBuilder toolCalls = Json.array();
            for (JsonValue value : calls) {
                JsonObject call = value instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
                JsonObject function = Json.objectField(call, "function");
                String arguments = Json.text(function, "arguments");
                toolCalls.add(Json.object().add("id", Json.stringOrNull(Json.text(call, "id"))).add("type", "function")
                        .add("function", Json.object().add("name", Json.stringOrNull(Json.text(function, "name")))
                                .add("arguments", arguments == null ? "{}" : arguments)));
            }
            reply.add("tool_calls", toolCalls);
        }
        return Json.object()
                .add("id", "chatcmpl-" + (Json.text(answer, "id") == null ? "cohere" : Json.text(answer, "id")))
                .add("object", "chat.completion")
                .add("created", created)
                .add("model", model)
                .add("choices", Json.array().add(Json.object()
                        .add("index", 0)
                        .add("message", reply)
                        .add("logprobs", JsonValue.NULL)
                        .add("finish_reason", finishReason(Json.text(answer, "finish_reason")))))
                .add("usage", OpenAiUsage.chat(tokens(Json.objectField(answer, "usage"))))
                .build();
    }

    /** Cohere's finish reason as OpenAI's; an error or timeout fails the call. */
    static String finishReason(String finish) {
        if (finish == null) {
            return "stop";
        }
        return switch (finish) {
            case "MAX_TOKENS" -> "length";
            case "TOOL_CALL" -> "tool_calls";
            case "ERROR", "TIMEOUT" -> throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "cohere ended the"
                    + " answer with " + finish);
            default -> "stop";
        };
    }

    /**
     * The counts of a {@code usage} object: {@code tokens} (what the model read and wrote), else
     * {@code billed_units}.
     *
     * @param usage Cohere's usage, may be {@code null}
     * @return the usage
     */
    static TokenUsage tokens(JsonObject usage) {
        JsonObject counted = Json.objectField(usage, "tokens");
        if (counted == null) {
            counted = Json.objectField(usage, "billed_units");
        }
        return TokenUsage.builder()
                .inputTokens(Math.max(0, Json.longField(counted, "input_tokens", 0)))
                .outputTokens(Math.max(0, Json.longField(counted, "output_tokens", 0)))
                .build();
    }
}
