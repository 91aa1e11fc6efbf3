package io.gateway.plugins.mock;

import io.gateway.spi.TokenUsage;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiUsage;
import jakarta.json.JsonObject;

/**
 * The usage objects of the different APIs, with the detail fields real answers carry so that strict
 * clients find every field they expect.
 */
final class Usage {

    private Usage() {
    }

    private static TokenUsage tokens(int input, int output) {
        return TokenUsage.builder().inputTokens(input).outputTokens(output).build();
    }

    /**
     * Chat and text completions: {@code prompt_tokens}, {@code completion_tokens}, {@code total_tokens},
     * and every detail count OpenAI reports (audio and predictions included), all 0.
     */
    static JsonObject completion(int promptTokens, int completionTokens) {
        return OpenAiUsage.chat(tokens(promptTokens, completionTokens))
                .add("prompt_tokens_details", Json.object()
                        .add("cached_tokens", 0)
                        .add("audio_tokens", 0))
                .add("completion_tokens_details", Json.object()
                        .add("reasoning_tokens", 0)
                        .add("audio_tokens", 0)
                        .add("accepted_prediction_tokens", 0)
                        .add("rejected_prediction_tokens", 0))
                .build();
    }

    /** The Responses API: {@code input_tokens}, {@code output_tokens}, {@code total_tokens}. */
    static JsonObject responses(int inputTokens, int outputTokens) {
        return OpenAiUsage.responses(tokens(inputTokens, outputTokens)).build();
    }

    /** Embeddings: only prompt and total, since nothing is generated. */
    static JsonObject embedding(int promptTokens) {
        return OpenAiUsage.embeddings(tokens(promptTokens, 0)).build();
    }

    /** GPT image models: input split into text and image tokens, output tokens per image. */
    static JsonObject image(int textTokens, int outputTokens) {
        return OpenAiUsage.images(tokens(textTokens, outputTokens)).build();
    }
}
