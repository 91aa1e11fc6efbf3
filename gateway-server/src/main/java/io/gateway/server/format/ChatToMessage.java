package io.gateway.server.format;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.TokenUsage;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * A chat completion answer as an Anthropic {@code message}: reasoning as a {@code thinking} block,
 * the text as a {@code text} block, tool calls as {@code tool_use} blocks, the finish reason as a
 * {@code stop_reason}, and usage with cache reads apart from the rest of the input, as Anthropic counts
 * them. Stateless.
 */
final class ChatToMessage {

    private ChatToMessage() {
    }

    /**
     * Translates a complete answer.
     *
     * @param completion the {@code chat.completion}
     * @param model      the model to name when the answer names none
     * @return the message
     * @throws GatewayException 502 when the answer has no choice
     */
    static JsonObject message(JsonObject completion, String model) {
        if (!(completion.get("choices") instanceof JsonArray choices) || choices.isEmpty()
                || !(choices.get(0) instanceof JsonObject choice)) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider's answer has no choices to "
                    + "translate into a message");
        }
        JsonObject message = choice.get("message") instanceof JsonObject m ? m : JsonValue.EMPTY_JSON_OBJECT;
        JsonArrayBuilder content = JsonBodies.provider().createArrayBuilder();
        String reasoning = reasoning(message);
        if (reasoning != null && !reasoning.isEmpty()) {
            content.add(object().add("type", "thinking").add("thinking", reasoning).add("signature", ""));
        }
        String text = text(message.get("content"));
        if (text == null && message.get("refusal") instanceof JsonString refusal) {
            text = refusal.getString();
        }
        JsonArray calls = message.get("tool_calls") instanceof JsonArray array ? array : JsonValue.EMPTY_JSON_ARRAY;
        if (text != null && (!text.isEmpty() || calls.isEmpty())) {
            content.add(object().add("type", "text").add("text", text));
        }
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i) instanceof JsonObject call && call.get("function") instanceof JsonObject function) {
                content.add(object().add("type", "tool_use")
                        .add("id", toolUseId(call.getString("id", null), i))
                        .add("name", function.getString("name", ""))
                        .add("input", input(function.get("arguments"))));
            }
        }
        String finish = choice.get("finish_reason") instanceof JsonString f ? f.getString() : null;
        TokenUsage usage = completion.get("usage") instanceof JsonObject u ? TokenUsage.parse(u) : TokenUsage.NONE;
        return object()
                .add("id", messageId(completion.getString("id", null)))
                .add("type", "message")
                .add("role", "assistant")
                .add("model", completion.get("model") instanceof JsonString m ? m.getString() : model)
                .add("content", content)
                .add("stop_reason", stopReason(finish, !calls.isEmpty()))
                .add("stop_sequence", JsonValue.NULL)
                .add("usage", usage(usage))
                .build();
    }

    /**
     * Anthropic's usage object: input without cache reads and writes, each of those apart, output.
     *
     * @param usage the tokens
     * @return the object
     */
    static JsonObjectBuilder usage(TokenUsage usage) {
        long cacheRead = usage.cachedInputTokens();
        long cacheWrite = usage.cacheWriteTokens();
        return object()
                .add("input_tokens", Math.max(0, usage.inputTokens() - cacheRead - cacheWrite))
                .add("cache_creation_input_tokens", cacheWrite)
                .add("cache_read_input_tokens", cacheRead)
                .add("output_tokens", usage.outputTokens());
    }

    /**
     * Anthropic's stop reason for a chat finish reason.
     *
     * @param finish       the finish reason, or {@code null}
     * @param hasToolCalls whether the answer called tools
     * @return the stop reason
     */
    static String stopReason(String finish, boolean hasToolCalls) {
        if (finish == null) {
            return hasToolCalls ? "tool_use" : "end_turn";
        }
        return switch (finish) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> hasToolCalls ? "tool_use" : "end_turn";
        };
    }

    /**
     * A message id from a completion id, so one answer keeps one id across the two formats.
     *
     * @param completionId the completion's id, or {@code null}
     * @return {@code msg_…}
     */
    static String messageId(String completionId) {
        if (completionId == null || completionId.isBlank()) {
            return "msg_" + java.util.UUID.randomUUID().toString().replace("-", "");
        }
        return completionId.startsWith("chatcmpl-") ? "msg_" + completionId.substring("chatcmpl-".length())
                : "msg_" + completionId;
    }

    /**
     * A tool use id: the call's own when it has one, else a made-up {@code toolu_} one.
     *
     * @param callId the call's id, or {@code null}
     * @param index  the call's index in the answer
     * @return the id
     */
    static String toolUseId(String callId, int index) {
        return callId == null || callId.isBlank() ? "toolu_" + index + "_"
                + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 16) : callId;
    }

    /**
     * A tool call's arguments as the object Anthropic's {@code input} must be; arguments that are not
     * a JSON object are kept under {@code arguments}.
     *
     * @param arguments the arguments text
     * @return the object
     */
    static JsonObject input(JsonValue arguments) {
        if (!(arguments instanceof JsonString text) || text.getString().isBlank()) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        try {
            return JsonBodies.parse(text.getString());
        } catch (GatewayException notAnObject) {
            return object().add("arguments", text.getString()).build();
        }
    }

    private static String reasoning(JsonObject message) {
        for (String field : new String[] {"reasoning_content", "reasoning"}) {
            if (message.get(field) instanceof JsonString text) {
                return text.getString();
            }
        }
        return null;
    }

    private static String text(JsonValue content) {
        if (content instanceof JsonString string) {
            return string.getString();
        }
        if (content instanceof JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (JsonValue part : parts) {
                if (part instanceof JsonObject object && object.get("text") instanceof JsonString t) {
                    text.append(t.getString());
                }
            }
            return text.toString();
        }
        return null;
    }

    private static JsonObjectBuilder object() {
        return JsonBodies.provider().createObjectBuilder();
    }
}
