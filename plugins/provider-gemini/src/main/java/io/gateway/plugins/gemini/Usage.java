package io.gateway.plugins.gemini;

import jakarta.json.JsonObject;

/** Gemini's {@code usageMetadata} in the shapes of OpenAI's operations. */
final class Usage {

    private Usage() {
    }

    private static long prompt(JsonObject usage) {
        return Json.count(usage, "promptTokenCount");
    }

    /** Output tokens: the candidates' and the thinking tokens, both billed as output. */
    private static long completion(JsonObject usage) {
        return Json.count(usage, "candidatesTokenCount") + Json.count(usage, "thoughtsTokenCount");
    }

    private static long total(JsonObject usage) {
        long total = Json.count(usage, "totalTokenCount");
        return total > 0 ? total : prompt(usage) + completion(usage);
    }

    /** Chat completions: {@code prompt_tokens, completion_tokens, total_tokens} and details. */
    static JsonObject chat(JsonObject usage) {
        return Json.object()
                .add("prompt_tokens", prompt(usage))
                .add("completion_tokens", completion(usage))
                .add("total_tokens", total(usage))
                .add("prompt_tokens_details", Json.object()
                        .add("cached_tokens", Json.count(usage, "cachedContentTokenCount")))
                .add("completion_tokens_details", Json.object()
                        .add("reasoning_tokens", Json.count(usage, "thoughtsTokenCount")))
                .build();
    }

    /** The Responses API: {@code input_tokens, output_tokens, total_tokens} and details. */
    static JsonObject responses(JsonObject usage) {
        return Json.object()
                .add("input_tokens", prompt(usage))
                .add("input_tokens_details", Json.object()
                        .add("cached_tokens", Json.count(usage, "cachedContentTokenCount")))
                .add("output_tokens", completion(usage))
                .add("output_tokens_details", Json.object()
                        .add("reasoning_tokens", Json.count(usage, "thoughtsTokenCount")))
                .add("total_tokens", total(usage))
                .build();
    }

    /** Image generation, as GPT image models report it; the prompt is text only. */
    static JsonObject images(JsonObject usage) {
        return Json.object()
                .add("input_tokens", prompt(usage))
                .add("output_tokens", completion(usage))
                .add("total_tokens", total(usage))
                .add("input_tokens_details", Json.object()
                        .add("text_tokens", prompt(usage))
                        .add("image_tokens", 0))
                .build();
    }
}
