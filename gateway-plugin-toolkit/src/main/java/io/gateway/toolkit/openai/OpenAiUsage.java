package io.gateway.toolkit.openai;

import io.gateway.spi.TokenUsage;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonObjectBuilder;

/**
 * The {@code usage} objects of OpenAI's operations, written from a {@link TokenUsage}: what a
 * translating provider puts in its answers so that clients, and the server's own usage reading
 * ({@link TokenUsage#parse}), find the counts where OpenAI puts them. Reading usage is the SPI's
 * {@link TokenUsage#parse}; this class only writes.
 *
 * <p>Each method returns a new builder, so a provider can add fields of its own (Anthropic's cache
 * counts) before building. Stateless.
 */
public final class OpenAiUsage {

    private OpenAiUsage() {
    }

    /**
     * Chat and text completions: {@code prompt_tokens}, {@code completion_tokens}, {@code total_tokens},
     * {@code prompt_tokens_details.cached_tokens} and {@code completion_tokens_details.reasoning_tokens};
     * and, when the prompt wrote to a cache (Anthropic's explicit caching), {@code cache_creation_input_tokens}
     * beside them, as LiteLLM and OpenRouter write it, so the gateway prices those tokens at the
     * cache-write price. OpenAI's SDKs ignore the extra field.
     *
     * @param usage the counts
     * @return a new builder
     */
    public static JsonObjectBuilder chat(TokenUsage usage) {
        JsonObjectBuilder chat = Json.object()
                .add("prompt_tokens", usage.inputTokens())
                .add("completion_tokens", usage.outputTokens())
                .add("total_tokens", usage.totalTokens())
                .add("prompt_tokens_details", Json.object().add("cached_tokens", usage.cachedInputTokens()))
                .add("completion_tokens_details", Json.object()
                        .add("reasoning_tokens", usage.reasoningTokens()));
        if (usage.cacheWriteTokens() > 0) {
            chat.add("cache_creation_input_tokens", usage.cacheWriteTokens());
        }
        return chat;
    }

    /**
     * The Responses API: {@code input_tokens}, {@code input_tokens_details.cached_tokens},
     * {@code output_tokens}, {@code output_tokens_details.reasoning_tokens} and {@code total_tokens}.
     *
     * @param usage the counts
     * @return a new builder
     */
    public static JsonObjectBuilder responses(TokenUsage usage) {
        return Json.object()
                .add("input_tokens", usage.inputTokens())
                .add("input_tokens_details", Json.object().add("cached_tokens", usage.cachedInputTokens()))
                .add("output_tokens", usage.outputTokens())
                .add("output_tokens_details", Json.object().add("reasoning_tokens", usage.reasoningTokens()))
                .add("total_tokens", usage.totalTokens());
    }

    /**
     * Embeddings: {@code prompt_tokens} and {@code total_tokens}; nothing is generated.
     *
     * @param usage the counts (output ignored)
     * @return a new builder
     */
    public static JsonObjectBuilder embeddings(TokenUsage usage) {
        return Json.object()
                .add("prompt_tokens", usage.inputTokens())
                .add("total_tokens", usage.inputTokens());
    }

    /**
     * Image generation, as GPT image models report it: {@code input_tokens} with
     * {@code input_tokens_details} split into text and image tokens, {@code output_tokens} (the image)
     * and {@code total_tokens}. A generation's prompt is text, so every input token is a text token.
     *
     * @param usage the counts
     * @return a new builder
     */
    public static JsonObjectBuilder images(TokenUsage usage) {
        return Json.object()
                .add("input_tokens", usage.inputTokens())
                .add("input_tokens_details", Json.object()
                        .add("text_tokens", usage.inputTokens())
                        .add("image_tokens", 0))
                .add("output_tokens", usage.outputTokens())
                .add("total_tokens", usage.totalTokens());
    }
}
