package io.gateway.plugins.anthropic;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;

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
        return new Usage(field(update, "input_tokens", input), field(update, "output_tokens", output),
                field(update, "cache_creation_input_tokens", cacheCreation),
                field(update, "cache_read_input_tokens", cacheRead));
    }

    private static long field(JsonObject object, String name, long fallback) {
        return object.get(name) instanceof JsonNumber number ? number.longValue() : fallback;
    }

    long promptTokens() {
        return input + cacheCreation + cacheRead;
    }

    long totalTokens() {
        return promptTokens() + output;
    }

    /** The {@code usage} of a chat completion. */
    JsonObject chat() {
        return Json.object()
                .add("prompt_tokens", promptTokens())
                .add("completion_tokens", output)
                .add("total_tokens", totalTokens())
                .add("prompt_tokens_details", Json.object().add("cached_tokens", cacheRead))
                .add("cache_creation_input_tokens", cacheCreation)
                .add("cache_read_input_tokens", cacheRead)
                .build();
    }

    /**
     * The {@code usage} of a Response. Anthropic does not count thinking tokens apart from the answer, so
     * {@code reasoning_tokens} is 0 and thinking is inside {@code output_tokens}.
     */
    JsonObject responses() {
        return Json.object()
                .add("input_tokens", promptTokens())
                .add("input_tokens_details", Json.object().add("cached_tokens", cacheRead))
                .add("output_tokens", output)
                .add("output_tokens_details", Json.object().add("reasoning_tokens", 0))
                .add("total_tokens", totalTokens())
                .add("cache_creation_input_tokens", cacheCreation)
                .add("cache_read_input_tokens", cacheRead)
                .build();
    }
}
