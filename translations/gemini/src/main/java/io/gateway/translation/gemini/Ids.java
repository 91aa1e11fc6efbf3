package io.gateway.translation.gemini;

import java.util.UUID;

/** Ids for translated answers: derived from Gemini's {@code responseId} when it sent one. */
final class Ids {

    private Ids() {
    }

    /** A seed for ids: the response id with only URL-safe characters kept, or a random one. */
    static String seed(String responseId) {
        if (responseId != null) {
            StringBuilder kept = new StringBuilder(responseId.length());
            for (int i = 0; i < responseId.length(); i++) {
                char c = responseId.charAt(i);
                if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
                    kept.append(c);
                }
            }
            if (!kept.isEmpty()) {
                return kept.toString();
            }
        }
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** The id of a function call: stable for the same answer, unique among its calls. */
    static String call(String seed, int candidate, int index) {
        return "call_" + seed + "_" + (candidate == 0 ? "" : candidate + "_") + index;
    }
}
