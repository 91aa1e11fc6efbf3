package io.gateway.plugins.mock;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import io.gateway.toolkit.openai.OpenAiRequests;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code chat/completions}: a {@code chat.completion} body, or a stream of {@code chat.completion.chunk}s.
 *
 * <p>The stream follows OpenAI's framing: a role chunk per choice, one content chunk per word, a chunk
 * per choice with an empty delta and the finish reason, then (only when
 * {@code stream_options.include_usage} is set) a chunk with empty {@code choices} and the usage, then
 * {@code [DONE]}. With {@code include_usage} every other chunk carries {@code "usage": null}, as
 * OpenAI's do.
 */
final class ChatCompletions {

    static final String LEAD = "This is a mock response to:";
    static final String FALLBACK = "This is a mock response.";

    private final MockCall mock;
    private final String id;
    private final int n;
    private final Reply reply;
    private final int promptTokens;
    private final boolean includeUsage;

    private ChatCompletions(MockCall mock, int n, Reply reply, int promptTokens) {
        this.mock = mock;
        this.id = "chatcmpl-mock-" + mock.digest();
        this.n = n;
        this.reply = reply;
        this.promptTokens = promptTokens;
        this.includeUsage = OpenAiRequests.includeUsage(mock.body());
    }

    /**
     * Reads and validates the request; a bad request fails here, before any stream starts.
     *
     * @param mock the call
     * @return the prepared answer
     */
    static ChatCompletions prepare(MockCall mock) {
        JsonObject body = mock.body();
        JsonValue value = body.get("messages");
        if (!(value instanceof JsonArray messages) || messages.isEmpty()) {
            throw GatewayException.invalidRequest("'messages' must be a non-empty array of messages", "messages");
        }
        int n = RequestFields.integer(body, "n", 1, 128, 1);
        Integer maxTokens = RequestFields.optionalInteger(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = RequestFields.optionalInteger(body, "max_tokens", 1, Integer.MAX_VALUE);
        }
        int promptTokens = 0;
        String lastUser = "";
        for (JsonValue item : messages) {
            if (!(item instanceof JsonObject message)) {
                throw GatewayException.invalidRequest("each of 'messages' must be an object", "messages");
            }
            String text = text(message.get("content"));
            promptTokens += Reply.tokens(text);
            if ("user".equals(JsonBodies.string(message, "role"))) {
                lastUser = text;
            }
        }
        return new ChatCompletions(mock, n, Reply.to(LEAD, FALLBACK, lastUser, maxTokens), promptTokens);
    }

    /** Message content is a string or an array of parts, of which only the text parts count. */
    static String text(JsonValue content) {
        if (content instanceof JsonString string) {
            return string.getString();
        }
        if (content instanceof JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (JsonValue part : parts) {
                if (part instanceof JsonObject object && "text".equals(JsonBodies.string(object, "type"))) {
                    String partText = JsonBodies.string(object, "text");
                    if (partText != null) {
                        if (!text.isEmpty()) {
                            text.append(' ');
                        }
                        text.append(partText);
                    }
                }
            }
            return text.toString();
        }
        return "";
    }

    JsonObject body() {
        JsonArrayBuilder choices = Json.array();
        for (int i = 0; i < n; i++) {
            choices.add(Json.object()
                    .add("index", i)
                    .add("message", Json.object()
                            .add("role", "assistant")
                            .add("content", reply.text())
                            .add("refusal", JsonValue.NULL)
                            .add("annotations", Json.array()))
                    .add("logprobs", JsonValue.NULL)
                    .add("finish_reason", reply.finishReason()));
        }
        return Json.object()
                .add("id", id)
                .add("object", "chat.completion")
                .add("created", mock.created())
                .add("model", mock.model())
                .add("choices", choices)
                .add("usage", usage())
                .build();
    }

    List<StreamEvent> events() {
        List<StreamEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(chunk(choice(i, Json.object()
                    .add("role", "assistant")
                    .add("content", "")
                    .add("refusal", JsonValue.NULL), null)));
        }
        for (String delta : reply.deltas()) {
            for (int i = 0; i < n; i++) {
                events.add(chunk(choice(i, Json.object().add("content", delta), null)));
            }
        }
        for (int i = 0; i < n; i++) {
            events.add(chunk(choice(i, Json.object(), reply.finishReason())));
        }
        if (includeUsage) {
            events.add(StreamEvent.data(header()
                    .add("choices", Json.array())
                    .add("usage", usage())
                    .build()));
        }
        events.add(StreamEvent.DONE);
        return events;
    }

    private JsonObject usage() {
        return Usage.completion(promptTokens, reply.tokens() * n);
    }

    private StreamEvent chunk(JsonObjectBuilder choice) {
        JsonObjectBuilder chunk = header().add("choices", Json.array().add(choice));
        if (includeUsage) {
            chunk.add("usage", JsonValue.NULL);
        }
        return StreamEvent.data(chunk.build());
    }

    private JsonObjectBuilder header() {
        return Json.object()
                .add("id", id)
                .add("object", "chat.completion.chunk")
                .add("created", mock.created())
                .add("model", mock.model());
    }

    private static JsonObjectBuilder choice(int index, JsonObjectBuilder delta, String finishReason) {
        return Json.object()
                .add("index", index)
                .add("delta", delta)
                .add("logprobs", JsonValue.NULL)
                .add("finish_reason", finishReason == null ? JsonValue.NULL : Json.string(finishReason));
    }
}
