package io.gateway.spi;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Objects;

/**
 * The tokens one answer used, in one meaning whatever the provider's format.
 *
 * <ul>
 *   <li>{@link #inputTokens()}: every input token, including those read from or written to a prompt
 *       cache (OpenAI's {@code prompt_tokens}; Anthropic's {@code input_tokens} plus both cache counts).</li>
 *   <li>{@link #outputTokens()}: every output token, including reasoning tokens.</li>
 *   <li>{@link #cachedInputTokens()}: input tokens read from a prompt cache (part of the input).</li>
 *   <li>{@link #cacheWriteTokens()}: input tokens written to a prompt cache (part of the input).</li>
 *   <li>{@link #reasoningTokens()}: output tokens spent on reasoning (part of the output).</li>
 *   <li>{@link #totalTokens()}: as the provider reported it, else input plus output.</li>
 * </ul>
 *
 * <p>A count the provider did not report is 0. Immutable and thread-safe; build one with
 * {@link #builder()} or read one from a usage object with {@link #parse(JsonObject)}.
 */
public final class TokenUsage {

    /** No tokens. */
    public static final TokenUsage NONE = builder().build();

    private final long inputTokens;
    private final long outputTokens;
    private final long totalTokens;
    private final long cachedInputTokens;
    private final long cacheWriteTokens;
    private final long reasoningTokens;

    private TokenUsage(Builder builder) {
        this.inputTokens = builder.inputTokens;
        this.outputTokens = builder.outputTokens;
        this.cachedInputTokens = builder.cachedInputTokens;
        this.cacheWriteTokens = builder.cacheWriteTokens;
        this.reasoningTokens = builder.reasoningTokens;
        this.totalTokens = builder.totalTokens >= 0 ? builder.totalTokens : inputTokens + outputTokens;
    }

    /**
     * A builder with every count at 0.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a usage object in any of the formats answers carry: chat and text completions and
     * embeddings ({@code prompt_tokens}, {@code completion_tokens}, {@code prompt_tokens_details.cached_tokens},
     * {@code completion_tokens_details.reasoning_tokens}, and {@code cache_creation_input_tokens} where a
     * translation from a caching API puts it, as LiteLLM and OpenRouter do), the Responses API and images
     * ({@code input_tokens}, {@code output_tokens}, {@code input_tokens_details.cached_tokens},
     * {@code output_tokens_details.reasoning_tokens}) and Anthropic's Messages API
     * ({@code input_tokens}, {@code output_tokens}, {@code cache_read_input_tokens},
     * {@code cache_creation_input_tokens}, whose input excludes the cached tokens).
     *
     * @param usage the {@code usage} object
     * @return the usage; counts that are absent or not numbers are 0
     */
    public static TokenUsage parse(JsonObject usage) {
        Objects.requireNonNull(usage, "usage");
        Builder builder = builder();
        boolean chat = usage.containsKey("prompt_tokens") || usage.containsKey("completion_tokens");
        if (chat) {
            builder.inputTokens(count(usage, "prompt_tokens"))
                    .outputTokens(count(usage, "completion_tokens"))
                    .cachedInputTokens(count(child(usage, "prompt_tokens_details"), "cached_tokens"))
                    .cacheWriteTokens(count(usage, "cache_creation_input_tokens"))
                    .reasoningTokens(count(child(usage, "completion_tokens_details"), "reasoning_tokens"));
        } else if (usage.containsKey("cache_read_input_tokens") || usage.containsKey("cache_creation_input_tokens")) {
            long cacheRead = count(usage, "cache_read_input_tokens");
            long cacheWrite = count(usage, "cache_creation_input_tokens");
            builder.inputTokens(count(usage, "input_tokens") + cacheRead + cacheWrite)
                    .outputTokens(count(usage, "output_tokens"))
                    .cachedInputTokens(cacheRead)
                    .cacheWriteTokens(cacheWrite);
        } else {
            builder.inputTokens(count(usage, "input_tokens"))
                    .outputTokens(count(usage, "output_tokens"))
                    .cachedInputTokens(count(child(usage, "input_tokens_details"), "cached_tokens"))
                    .reasoningTokens(count(child(usage, "output_tokens_details"), "reasoning_tokens"));
        }
        if (usage.get("total_tokens") instanceof JsonNumber total) {
            builder.totalTokens(Math.max(0, total.longValue()));
        }
        return builder.build();
    }

    private static JsonObject child(JsonObject object, String name) {
        JsonValue value = object.get(name);
        return value instanceof JsonObject child ? child : null;
    }

    private static long count(JsonObject object, String name) {
        if (object == null) {
            return 0;
        }
        JsonValue value = object.get(name);
        return value instanceof JsonNumber number ? Math.max(0, number.longValue()) : 0;
    }

    /**
     * Every input token, cached ones included.
     *
     * @return the count
     */
    public long inputTokens() {
        return inputTokens;
    }

    /**
     * Every output token, reasoning included.
     *
     * @return the count
     */
    public long outputTokens() {
        return outputTokens;
    }

    /**
     * The total as reported, else input plus output.
     *
     * @return the count
     */
    public long totalTokens() {
        return totalTokens;
    }

    /**
     * Input tokens read from a prompt cache.
     *
     * @return the count
     */
    public long cachedInputTokens() {
        return cachedInputTokens;
    }

    /**
     * Input tokens written to a prompt cache.
     *
     * @return the count
     */
    public long cacheWriteTokens() {
        return cacheWriteTokens;
    }

    /**
     * Output tokens spent on reasoning.
     *
     * @return the count
     */
    public long reasoningTokens() {
        return reasoningTokens;
    }

    /**
     * The sum of two usages, for answers made of several calls.
     *
     * @param other the other usage
     * @return the sum
     */
    public TokenUsage plus(TokenUsage other) {
        return builder()
                .inputTokens(inputTokens + other.inputTokens)
                .outputTokens(outputTokens + other.outputTokens)
                .totalTokens(totalTokens + other.totalTokens)
                .cachedInputTokens(cachedInputTokens + other.cachedInputTokens)
                .cacheWriteTokens(cacheWriteTokens + other.cacheWriteTokens)
                .reasoningTokens(reasoningTokens + other.reasoningTokens)
                .build();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenUsage usage && inputTokens == usage.inputTokens
                && outputTokens == usage.outputTokens && totalTokens == usage.totalTokens
                && cachedInputTokens == usage.cachedInputTokens && cacheWriteTokens == usage.cacheWriteTokens
                && reasoningTokens == usage.reasoningTokens;
    }

    @Override
    public int hashCode() {
        return Objects.hash(inputTokens, outputTokens, totalTokens, cachedInputTokens, cacheWriteTokens,
                reasoningTokens);
    }

    @Override
    public String toString() {
        return "TokenUsage[input=" + inputTokens + ", output=" + outputTokens + ", total=" + totalTokens
                + ", cached=" + cachedInputTokens + ", cacheWrite=" + cacheWriteTokens
                + ", reasoning=" + reasoningTokens + "]";
    }

    /** Builds a {@link TokenUsage}; counts must not be negative. Not thread-safe. */
    public static final class Builder {
        private long inputTokens;
        private long outputTokens;
        private long totalTokens = -1;
        private long cachedInputTokens;
        private long cacheWriteTokens;
        private long reasoningTokens;

        private Builder() {
        }

        private static long check(long count, String name) {
            if (count < 0) {
                throw new IllegalArgumentException(name + " must not be negative, was " + count);
            }
            return count;
        }

        /**
         * Every input token, cached ones included.
         *
         * @param count the count
         * @return this builder
         */
        public Builder inputTokens(long count) {
            inputTokens = check(count, "inputTokens");
            return this;
        }

        /**
         * Every output token, reasoning included.
         *
         * @param count the count
         * @return this builder
         */
        public Builder outputTokens(long count) {
            outputTokens = check(count, "outputTokens");
            return this;
        }

        /**
         * The total as the provider reported it; without it, input plus output.
         *
         * @param count the count
         * @return this builder
         */
        public Builder totalTokens(long count) {
            totalTokens = check(count, "totalTokens");
            return this;
        }

        /**
         * Input tokens read from a prompt cache.
         *
         * @param count the count
         * @return this builder
         */
        public Builder cachedInputTokens(long count) {
            cachedInputTokens = check(count, "cachedInputTokens");
            return this;
        }

        /**
         * Input tokens written to a prompt cache.
         *
         * @param count the count
         * @return this builder
         */
        public Builder cacheWriteTokens(long count) {
            cacheWriteTokens = check(count, "cacheWriteTokens");
            return this;
        }

        /**
         * Output tokens spent on reasoning.
         *
         * @param count the count
         * @return this builder
         */
        public Builder reasoningTokens(long count) {
            reasoningTokens = check(count, "reasoningTokens");
            return this;
        }

        /**
         * The usage.
         *
         * @return a new instance
         */
        public TokenUsage build() {
            return new TokenUsage(this);
        }
    }
}
