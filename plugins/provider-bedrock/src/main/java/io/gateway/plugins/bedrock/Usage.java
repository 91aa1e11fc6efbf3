package io.gateway.plugins.bedrock;

import io.gateway.spi.TokenUsage;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiUsage;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * Converse's token counts and their OpenAI forms.
 *
 * <p>Converse reports {@code inputTokens} without the prompt cache: tokens read from it
 * ({@code cacheReadInputTokens}) and written to it ({@code cacheWriteInputTokens}) come on top, and
 * {@code totalTokens} is the sum of all four. OpenAI's {@code prompt_tokens} counts the whole prompt, so
 * it is the sum of the three input counts, and the cache reads are its {@code cached_tokens}. The raw
 * cache counts are kept beside the OpenAI fields, named as Anthropic names them, for clients that bill
 * cache writes apart.
 *
 * @param input      {@code inputTokens}
 * @param output     {@code outputTokens}
 * @param cacheRead  {@code cacheReadInputTokens}
 * @param cacheWrite {@code cacheWriteInputTokens}
 */
record Usage(long input, long output, long cacheRead, long cacheWrite) {

    static final Usage NONE = new Usage(0, 0, 0, 0);

    /**
     * Reads a Converse {@code usage} object; absent fields count 0.
     *
     * @param usage the object, may be {@code null}
     * @return the counts
     */
    static Usage of(JsonObject usage) {
        if (usage == null) {
            return NONE;
        }
        return new Usage(Math.max(0, Json.longField(usage, "inputTokens", 0)),
                Math.max(0, Json.longField(usage, "outputTokens", 0)),
                Math.max(0, Json.longField(usage, "cacheReadInputTokens", 0)),
                Math.max(0, Json.longField(usage, "cacheWriteInputTokens", 0)));
    }

    /** The counts in the SPI's meaning: the whole prompt as input, cache reads and writes as parts of it. */
    TokenUsage tokens() {
        return TokenUsage.builder()
                .inputTokens(input + cacheRead + cacheWrite)
                .outputTokens(output)
                .cachedInputTokens(cacheRead)
                .cacheWriteTokens(cacheWrite)
                .build();
    }

    /**
     * The {@code usage} of a chat completion. Converse does not count reasoning apart from the answer,
     * so there are no {@code completion_tokens_details}.
     *
     * @return the object
     */
    JsonObject chat() {
        return withCacheCounts(OpenAiUsage.chat(tokens()).remove("completion_tokens_details"));
    }

    /**
     * The {@code usage} of a Response; reasoning is inside {@code output_tokens}.
     *
     * @return the object
     */
    JsonObject responses() {
        return withCacheCounts(OpenAiUsage.responses(tokens()));
    }

    private JsonObject withCacheCounts(JsonObjectBuilder usage) {
        return usage.add("cache_creation_input_tokens", cacheWrite)
                .add("cache_read_input_tokens", cacheRead)
                .build();
    }
}
