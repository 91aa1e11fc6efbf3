package io.gateway.toolkit.openai;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonObject;

/** Options of OpenAI requests that several plugins act on. Stateless. */
public final class OpenAiRequests {

    private OpenAiRequests() {
    }

    /**
     * Whether a chat or text completion stream asked for a final usage chunk:
     * {@code stream_options.include_usage: true}.
     *
     * @param body the request body
     * @return {@code true} only when set to {@code true}
     */
    public static boolean includeUsage(JsonObject body) {
        return Json.flag(Json.objectField(body, "stream_options"), "include_usage");
    }
}
