package io.gateway.plugins.mock;

import jakarta.json.JsonObject;

/**
 * The usage objects of the different APIs, with the detail fields real answers carry so that strict
 * clients find every field they expect.
 */
final class Usage {

    private Usage() {
    }

    /** Chat and text completions: {@code prompt_tokens}, {@code completion_tokens}, {@code total_tokens}. */
    static JsonObject completion(int promptTokens, int completionTokens) {
        return Bodies.object()
                .add("prompt_tokens", promptTokens)
                .add("completion_tokens", completionTokens)
                .add("total_tokens", promptTokens + completionTokens)
                .add("prompt_tokens_details", Bodies.object()
                        .add("cached_tokens", 0)
                        .add("audio_tokens", 0))
                .add("completion_tokens_details", Bodies.object()
                        .add("reasoning_tokens", 0)
                        .add("audio_tokens", 0)
                        .add("accepted_prediction_tokens", 0)
                        .add("rejected_prediction_tokens", 0))
                .build();
    }

    /** The Responses API: {@code input_tokens}, {@code output_tokens}, {@code total_tokens}. */
    static JsonObject responses(int inputTokens, int outputTokens) {
        return Bodies.object()
                .add("input_tokens", inputTokens)
                .add("input_tokens_details", Bodies.object().add("cached_tokens", 0))
                .add("output_tokens", outputTokens)
                .add("output_tokens_details", Bodies.object().add("reasoning_tokens", 0))
                .add("total_tokens", inputTokens + outputTokens)
                .build();
    }

    /** Embeddings: only prompt and total, since nothing is generated. */
    static JsonObject embedding(int promptTokens) {
        return Bodies.object()
                .add("prompt_tokens", promptTokens)
                .add("total_tokens", promptTokens)
                .build();
    }

    /** GPT image models: input split into text and image tokens, output tokens per image. */
    static JsonObject image(int textTokens, int outputTokens) {
        return Bodies.object()
                .add("input_tokens", textTokens)
                .add("input_tokens_details", Bodies.object()
                        .add("text_tokens", textTokens)
                        .add("image_tokens", 0))
                .add("output_tokens", outputTokens)
                .add("total_tokens", textTokens + outputTokens)
                .build();
    }
}
