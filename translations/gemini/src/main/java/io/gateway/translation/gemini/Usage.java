package io.gateway.translation.gemini;

import io.gateway.spi.TokenUsage;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiUsage;
import jakarta.json.JsonObject;

/**
 * Gemini's {@code usageMetadata} in the shapes of OpenAI's operations: the prompt as input, the
 * candidates' and the thinking tokens as output (both are billed as output), thinking as reasoning, and
 * {@code cachedContentTokenCount} as cached input.
 */
final class Usage {

    private Usage() {
    }

    /**
     * The counts of a {@code usageMetadata} object.
     *
     * @param usage the object, may be {@code null} (no counts)
     * @return the usage
     */
    static TokenUsage tokens(JsonObject usage) {
        long prompt = count(usage, "promptTokenCount");
        long thoughts = count(usage, "thoughtsTokenCount");
        TokenUsage.Builder builder = TokenUsage.builder()
                .inputTokens(prompt)
                .outputTokens(count(usage, "candidatesTokenCount") + thoughts)
                .cachedInputTokens(count(usage, "cachedContentTokenCount"))
                .reasoningTokens(thoughts);
        long total = count(usage, "totalTokenCount");
        if (total > 0) {
            builder.totalTokens(total);
        }
        return builder.build();
    }

    private static long count(JsonObject usage, String name) {
        return Math.max(0, Json.longField(usage, name, 0));
    }

    /** Chat completions: {@code prompt_tokens, completion_tokens, total_tokens} and details. */
    static JsonObject chat(JsonObject usage) {
        return OpenAiUsage.chat(tokens(usage)).build();
    }

    /** The Responses API: {@code input_tokens, output_tokens, total_tokens} and details. */
    static JsonObject responses(JsonObject usage) {
        return OpenAiUsage.responses(tokens(usage)).build();
    }

    /** Image generation, as GPT image models report it; the prompt is text only. */
    static JsonObject images(JsonObject usage) {
        return OpenAiUsage.images(tokens(usage)).build();
    }
}
