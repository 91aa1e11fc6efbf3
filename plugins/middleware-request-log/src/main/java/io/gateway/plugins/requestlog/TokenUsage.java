package io.gateway.plugins.requestlog;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Token counts read from any of the APIs' usage objects, under one set of names.
 *
 * <p>Chat, text completions and embeddings say {@code prompt_tokens}/{@code completion_tokens}; the
 * Responses API and image generation say {@code input_tokens}/{@code output_tokens}. Logging both under
 * the same keys lets one query sum tokens across routes.
 *
 * @param prompt     prompt or input tokens, or {@code -1} when absent
 * @param completion completion or output tokens, or {@code -1} when absent (embeddings)
 * @param total      total tokens, or {@code -1} when absent
 */
record TokenUsage(long prompt, long completion, long total) {

    /**
     * Reads a usage object.
     *
     * @param usage the {@code usage} value, may be {@code null} or JSON {@code null}
     * @return the counts, or {@code null} when there is no usage object
     */
    static TokenUsage of(JsonValue usage) {
        if (!(usage instanceof JsonObject object)) {
            return null;
        }
        long prompt = count(object, "prompt_tokens");
        if (prompt < 0) {
            prompt = count(object, "input_tokens");
        }
        long completion = count(object, "completion_tokens");
        if (completion < 0) {
            completion = count(object, "output_tokens");
        }
        return new TokenUsage(prompt, completion, count(object, "total_tokens"));
    }

    /**
     * Finds the usage in a stream event: at the top level (the last chat or text completion chunk,
     * {@code image_generation.completed}) or inside {@code response} (the Responses API's
     * {@code response.completed}, {@code response.incomplete} and {@code response.failed}).
     *
     * @param event the event's JSON
     * @return the counts, or {@code null}
     */
    static TokenUsage inEvent(JsonObject event) {
        TokenUsage usage = of(event.get("usage"));
        if (usage == null && event.get("response") instanceof JsonObject response) {
            usage = of(response.get("usage"));
        }
        return usage;
    }

    void appendTo(LogLine line) {
        if (prompt >= 0) {
            line.add("prompt_tokens", prompt);
        }
        if (completion >= 0) {
            line.add("completion_tokens", completion);
        }
        if (total >= 0) {
            line.add("total_tokens", total);
        }
    }

    private static long count(JsonObject usage, String name) {
        return usage.get(name) instanceof JsonNumber number ? number.longValue() : -1;
    }
}
