package io.gateway.plugins.governance;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;

/**
 * The usage-only chunk that {@code stream_options.include_usage} adds at the end of a chat or text
 * completion stream, which governance asks for to count tokens and hides again from a client that did not
 * ask for it. Reading the usage itself is the server's job ({@code exchange.outcome().usage()}).
 * Stateless.
 */
final class UsageChunks {

    private UsageChunks() {
    }

    /**
     * Whether a chat or text chunk is the usage-only chunk {@code include_usage} adds at the end: an
     * empty {@code choices} array and a usage object.
     *
     * @param event the chunk's JSON
     * @return {@code true} for the usage-only chunk
     */
    static boolean isUsageOnlyChunk(JsonObject event) {
        return event.get("choices") instanceof JsonArray choices && choices.isEmpty()
                && event.get("usage") instanceof JsonObject;
    }

    /**
     * Whether event data may hold a {@code "usage": {...}} member, judged on the text alone so that
     * ordinary chunks are never parsed.
     *
     * <p>Chunks of a stream with {@code include_usage} carry {@code "usage":null} and Responses events
     * repeat it until the end, so only an object value counts. A match preceded by a backslash sits
     * inside a string (generated text quoting JSON) and is skipped.
     *
     * @param data the event's data
     * @return {@code false} when the data certainly holds no usage object
     */
    static boolean mayHoldUsage(String data) {
        String member = "\"usage\"";
        int from = 0;
        while (true) {
            int at = data.indexOf(member, from);
            if (at < 0) {
                return false;
            }
            from = at + member.length();
            if (at > 0 && data.charAt(at - 1) == '\\') {
                continue;
            }
            int i = skipSpace(data, from);
            if (i < data.length() && data.charAt(i) == ':') {
                i = skipSpace(data, i + 1);
                if (i < data.length() && data.charAt(i) == '{') {
                    return true;
                }
            }
        }
    }

    private static int skipSpace(String text, int from) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }
}
