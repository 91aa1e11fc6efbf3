package io.gateway.translation.gemini;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads Gemini candidates: visible text, function calls, finish reasons. */
final class Candidates {

    /** Finish reasons that mean a filter withheld output. */
    private static final Set<String> FILTERED = Set.of("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT",
            "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION");

    private Candidates() {
    }

    /**
     * A function call of the model.
     *
     * @param name      the function name
     * @param args      the arguments object
     * @param signature the part's thought signature, or {@code null}
     */
    record Call(String name, JsonObject args, String signature) {

        /** The arguments as OpenAI's JSON string. */
        String arguments() {
            return args.toString();
        }
    }

    /**
     * The content of one candidate (or one streamed chunk of it).
     *
     * @param text  the visible text, thoughts left out
     * @param calls the function calls in order
     */
    record Content(String text, List<Call> calls) {
    }

    static Content content(JsonObject candidate) {
        StringBuilder text = new StringBuilder();
        List<Call> calls = new ArrayList<>();
        JsonArray parts = Json.arrayField(Json.objectField(candidate, "content"), "parts");
        if (parts != null) {
            for (JsonValue value : parts) {
                if (!(value instanceof JsonObject part)) {
                    continue;
                }
                JsonObject call = Json.objectField(part, "functionCall");
                if (call != null) {
                    JsonObject args = Json.objectField(call, "args");
                    calls.add(new Call(Json.text(call, "name"), args == null ? JsonValue.EMPTY_JSON_OBJECT : args,
                            Json.text(part, "thoughtSignature")));
                    continue;
                }
                // thought summaries (includeThoughts) are not part of the answer
                if (part.get("thought") == JsonValue.TRUE) {
                    continue;
                }
                String partText = Json.text(part, "text");
                if (partText != null) {
                    text.append(partText);
                }
            }
        }
        return new Content(text.toString(), calls);
    }

    /** The candidate's {@code index}, defaulting to its position. */
    static int index(JsonObject candidate, int position) {
        return Json.intField(candidate, "index", position);
    }

    static boolean filtered(String finishReason) {
        return finishReason != null && FILTERED.contains(finishReason);
    }

    /** A Gemini finish reason as OpenAI's chat {@code finish_reason}. */
    static String chatFinishReason(String finishReason, boolean calledFunctions) {
        if (filtered(finishReason)) {
            return "content_filter";
        }
        if ("MAX_TOKENS".equals(finishReason)) {
            return "length";
        }
        return calledFunctions ? "tool_calls" : "stop";
    }

    /** The prompt's block reason when Gemini refused the prompt, else {@code null}. */
    static String blockReason(JsonObject response) {
        return Json.text(Json.objectField(response, "promptFeedback"), "blockReason");
    }
}
