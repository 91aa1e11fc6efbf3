package io.gateway.plugins.mock;

import io.gateway.spi.GatewayException;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import io.gateway.toolkit.openai.OpenAiRequests;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code completions} (legacy text completions): a {@code text_completion} body, or a stream of
 * {@code text_completion} chunks ending in {@code [DONE]}.
 *
 * <p>Like OpenAI, each prompt of an array gets {@code n} choices, numbered prompt by prompt. The
 * stream sends one chunk per word, then one per choice with empty text and the finish reason, then the
 * usage chunk when {@code stream_options.include_usage} is set.
 */
final class TextCompletions {

    static final String LEAD = "This is a mock completion of:";
    static final String FALLBACK = "This is a mock completion.";

    private final MockCall mock;
    private final String id;
    private final List<Reply> replies;
    private final int promptTokens;
    private final boolean includeUsage;

    private TextCompletions(MockCall mock, List<Reply> replies, int promptTokens) {
        this.mock = mock;
        this.id = "cmpl-mock-" + mock.digest();
        this.replies = replies;
        this.promptTokens = promptTokens;
        this.includeUsage = OpenAiRequests.includeUsage(mock.body());
    }

    static TextCompletions prepare(MockCall mock) {
        JsonObject body = mock.body();
        JsonValue prompt = body.get("prompt");
        if (prompt == null) {
            throw GatewayException.invalidRequest("'prompt' is required", "prompt");
        }
        List<Prompts.Item> prompts = Prompts.items(prompt, "prompt", true);
        int n = RequestFields.integer(body, "n", 1, 128, 1);
        Integer maxTokens = RequestFields.optionalInteger(body, "max_tokens", 1, Integer.MAX_VALUE);
        List<Reply> replies = new ArrayList<>(prompts.size() * n);
        int promptTokens = 0;
        for (Prompts.Item item : prompts) {
            promptTokens += item.tokens();
            Reply reply = Reply.to(LEAD, FALLBACK, item.text(), maxTokens);
            for (int i = 0; i < n; i++) {
                replies.add(reply);
            }
        }
        return new TextCompletions(mock, replies, promptTokens);
    }

    JsonObject body() {
        JsonArrayBuilder choices = Json.array();
        for (int i = 0; i < replies.size(); i++) {
            Reply reply = replies.get(i);
            choices.add(choice(i, reply.text(), reply.finishReason()));
        }
        return header()
                .add("choices", choices)
                .add("usage", usage())
                .build();
    }

    List<StreamEvent> events() {
        List<StreamEvent> events = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
            for (String delta : replies.get(i).deltas()) {
                events.add(chunk(choice(i, delta, null)));
            }
        }
        for (int i = 0; i < replies.size(); i++) {
            events.add(chunk(choice(i, "", replies.get(i).finishReason())));
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
        int completionTokens = 0;
        for (Reply reply : replies) {
            completionTokens += reply.tokens();
        }
        return Usage.completion(promptTokens, completionTokens);
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
                .add("object", "text_completion")
                .add("created", mock.created())
                .add("model", mock.model());
    }

    private static JsonObjectBuilder choice(int index, String text, String finishReason) {
        return Json.object()
                .add("text", text)
                .add("index", index)
                .add("logprobs", JsonValue.NULL)
                .add("finish_reason", finishReason == null ? JsonValue.NULL : Json.string(finishReason));
    }
}
