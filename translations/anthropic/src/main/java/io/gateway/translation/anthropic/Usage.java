package io.gateway.translation.anthropic;

import io.gateway.spi.TokenUsage;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiUsage;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * Anthropic's token counts and their OpenAI forms.
 *
 * <p>Anthropic reports {@code input_tokens} without the cached part: tokens read from the prompt cache
 * ({@code cache_read_input_tokens}) and tokens written to it ({@code cache_creation_input_tokens}) come
 * on top. OpenAI's {@code prompt_tokens} counts the whole prompt, so it is the sum of the three, and
 * the cache reads are its {@code cached_tokens}. The raw cache numbers are kept next to the OpenAI
 * fields for clients that bill cache writes separately.
 *
 * @param input         {@code input_tokens}
 * @param output        {@code output_tokens}
 * @param cacheCreation {@code cache_creation_input_tokens}
 * @param cacheRead     {@code cache_read_input_tokens}
 */
record Usage(long input, long output, long cacheCreation, long cacheRead) {

    static final Usage NONE = new Usage(0, 0, 0, 0);

    /** Reads a usage object; absent fields count 0. */
    static Usage of(JsonObject usage) {
        return NONE.merge(usage);
    }

    /**
     * Applies a later report: stream events carry cumulative counts, and only the fields they name.
     *
     * @param update a usage object, may be {@code null}
     * @return the updated usage
     */
    Usage merge(JsonObject update) {
        if (update == null) {
            return this;
        }
        return new Usage(Json.longField(update, "input_tokens", input), Json.longField(update, "output_tokens", output),
                Json.longField(update, "cache_creation_input_tokens", cacheCreation),
                Json.longField(update, "cache_read_input_tokens", cacheRead));
    }

    /** The counts in the SPI's meaning: the whole prompt as input, cache reads and writes as parts of it. */
    TokenUsage tokens() {
        return TokenUsage.builder()
                .inputTokens(Math.max(0, input) + Math.max(0, cacheCreation) + Math.max(0, cacheRead))
                .outputTokens(Math.max(0, output))
                .cachedInputTokens(Math.max(0, cacheRead))
                .cacheWriteTokens(Math.max(0, cacheCreation))
                .build();
    }

    /**
     * The {@code usage} of a chat completion, with Anthropic's raw cache counts beside OpenAI's fields.
     * Anthropic does not count thinking tokens apart from the answer, so there are no
     * {@code completion_tokens_details}.
     */
    JsonObject chat() {
        return withCacheCounts(OpenAiUsage.chat(tokens()).remove("completion_tokens_details"));
    }

    /**
     * The {@code usage} of a Response. Anthropic does not count thinking tokens apart from the answer, so
     * {@code reasoning_tokens} is 0 and thinking is inside {@code output_tokens}.
     */
    JsonObject responses() {
        return withCacheCounts(OpenAiUsage.responses(tokens()));
    }

    private JsonObject withCacheCounts(JsonObjectBuilder usage) {
        return usage.add("cache_creation_input_tokens", cacheCreation)
                .add("cache_read_input_tokens", cacheRead)
                .build();
    }
}
