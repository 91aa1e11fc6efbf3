package io.gateway.plugins.governance;

import io.gateway.spi.Operation;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The tokens one request used, read from whichever usage shape its API reports.
 *
 * <p>Chat and text completions say {@code prompt_tokens}/{@code completion_tokens}; the Responses API
 * and image generation say {@code input_tokens}/{@code output_tokens}; embeddings report only
 * {@code prompt_tokens}. Both spellings are accepted everywhere, because translated providers do not
 * always pick the one their route would.
 *
 * @param input  prompt or input tokens
 * @param output completion or output tokens (0 for embeddings)
 * @param total  total tokens: {@code total_tokens} when reported, else input plus output
 */
record TokenUsage(long input, long output, long total) {

    /** Responses stream events whose {@code response.usage} is the request's final usage. */
    private static final String RESPONSE_COMPLETED = "response.completed";
    /** A Responses stream cut short by {@code max_output_tokens}: the tokens were used and billed. */
    private static final String RESPONSE_INCOMPLETE = "response.incomplete";
    /** The image stream event carrying the generation's usage. */
    private static final String IMAGE_COMPLETED = "image_generation.completed";

    /**
     * Reads a usage object.
     *
     * @param usage the {@code usage} value, may be {@code null} or JSON {@code null}
     * @return the usage, or {@code null} when it is not an object with token counts
     */
    static TokenUsage of(JsonValue usage) {
        if (!(usage instanceof JsonObject object)) {
            return null;
        }
        long input = count(object, "prompt_tokens");
        if (input < 0) {
            input = count(object, "input_tokens");
        }
        long output = count(object, "completion_tokens");
        if (output < 0) {
            output = count(object, "output_tokens");
        }
        long total = count(object, "total_tokens");
        if (input < 0 && output < 0 && total < 0) {
            return null;
        }
        input = Math.max(0, input);
        output = Math.max(0, output);
        if (total < 0) {
            total = input + output;
        }
        return new TokenUsage(input, output, total);
    }

    /**
     * The usage of a complete answer.
     *
     * @param body the answer
     * @return the usage, or {@code null}
     */
    static TokenUsage inBody(JsonObject body) {
        return of(body.get("usage"));
    }

    /**
     * The usage a stream event reports, if it is the event that carries the request's usage for its
     * operation: the last chat or text chunk with {@code usage}, {@code response.completed} (or
     * {@code response.incomplete}) for Responses, {@code image_generation.completed} for images.
     *
     * @param operation the request's operation
     * @param event     the event's JSON
     * @return the usage, or {@code null}
     */
    static TokenUsage inEvent(Operation operation, JsonObject event) {
        return switch (operation) {
            case RESPONSES -> {
                String type = event.getString("type", "");
                if ((type.equals(RESPONSE_COMPLETED) || type.equals(RESPONSE_INCOMPLETE))
                        && event.get("response") instanceof JsonObject response) {
                    yield of(response.get("usage"));
                }
                yield null;
            }
            case IMAGE_GENERATION -> IMAGE_COMPLETED.equals(event.getString("type", ""))
                    ? of(event.get("usage")) : null;
            default -> of(event.get("usage"));
        };
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

    private static long count(JsonObject usage, String name) {
        return usage.get(name) instanceof JsonNumber number ? Math.max(0, number.longValue()) : -1;
    }
}
