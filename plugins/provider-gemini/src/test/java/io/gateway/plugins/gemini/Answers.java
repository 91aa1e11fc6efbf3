package io.gateway.plugins.gemini;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/** Gemini answers as the API sends them, for the fake to return. */
final class Answers {

    static final String RESPONSE_ID = "rsp-Abc123";

    private Answers() {
    }

    static JsonObjectBuilder object() {
        return JsonBodies.provider().createObjectBuilder();
    }

    static JsonArrayBuilder array() {
        return JsonBodies.provider().createArrayBuilder();
    }

    static JsonObjectBuilder usage(int prompt, int candidates) {
        return object()
                .add("promptTokenCount", prompt)
                .add("candidatesTokenCount", candidates)
                .add("totalTokenCount", prompt + candidates);
    }

    static JsonObjectBuilder textPart(String text) {
        return object().add("text", text);
    }

    static JsonObjectBuilder callPart(String name, String argsJson) {
        return object().add("functionCall", object()
                .add("name", name)
                .add("args", JsonBodies.parse(argsJson)));
    }

    static JsonObjectBuilder candidate(int index, String finishReason, JsonObjectBuilder... parts) {
        JsonArrayBuilder list = array();
        for (JsonObjectBuilder part : parts) {
            list.add(part);
        }
        JsonObjectBuilder candidate = object()
                .add("content", object().add("role", "model").add("parts", list))
                .add("index", index);
        if (finishReason != null) {
            candidate.add("finishReason", finishReason);
        }
        return candidate;
    }

    static JsonObject response(JsonObjectBuilder usage, JsonObjectBuilder... candidates) {
        JsonArrayBuilder list = array();
        for (JsonObjectBuilder candidate : candidates) {
            list.add(candidate);
        }
        JsonObjectBuilder response = object()
                .add("candidates", list)
                .add("modelVersion", "gemini-2.5-flash")
                .add("responseId", RESPONSE_ID);
        if (usage != null) {
            response.add("usageMetadata", usage);
        }
        return response.build();
    }

    /** A one-candidate text answer with usage 10/5. */
    static String text(String text) {
        return response(usage(10, 5), candidate(0, "STOP", textPart(text))).toString();
    }
}
