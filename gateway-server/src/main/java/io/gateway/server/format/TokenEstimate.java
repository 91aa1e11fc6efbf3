package io.gateway.server.format;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * An estimate of the input tokens of an Anthropic Messages request, for {@code count_tokens} on
 * providers that cannot count: one token per four characters of text (system, messages, tool results,
 * tool inputs, and each tool's name, description and schema), four tokens per message, 1,600 per image
 * (what Anthropic charges an image of about 1.15 megapixels, the size it scales larger ones down to)
 * and one per 50 bytes of a base64 document. It errs high for English prose and low for code and
 * other languages; it is an estimate, and the answer says so in {@code x-bf-token-count: estimate}.
 * Stateless.
 */
public final class TokenEstimate {

    static final int CHARS_PER_TOKEN = 4;
    static final int PER_MESSAGE = 4;
    static final int PER_IMAGE = 1600;
    static final int DOCUMENT_BYTES_PER_TOKEN = 50;

    private TokenEstimate() {
    }

    /**
     * Estimates a request.
     *
     * @param body the Messages (or count_tokens) request
     * @return the estimated input tokens, at least 1
     */
    public static long inputTokens(JsonObject body) {
        Count count = new Count();
        count.value(body.get("system"));
        if (body.get("messages") instanceof JsonArray messages) {
            for (JsonValue message : messages) {
                count.tokens += PER_MESSAGE;
                if (message instanceof JsonObject object) {
                    count.value(object.get("content"));
                }
            }
        }
        if (body.get("tools") instanceof JsonArray tools) {
            for (JsonValue tool : tools) {
                if (tool instanceof JsonObject object) {
                    count.text(object.getString("name", ""));
                    count.text(object.getString("description", ""));
                    JsonValue schema = object.get("input_schema");
                    if (schema != null) {
                        count.chars += schema.toString().length();
                    }
                }
            }
        }
        return Math.max(1, count.tokens + (count.chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
    }

    /** Characters of text and tokens of everything else seen so far. */
    private static final class Count {
        long chars;
        long tokens;

        void text(String text) {
            chars += text.length();
        }

        void value(JsonValue value) {
            if (value instanceof JsonString string) {
                text(string.getString());
            } else if (value instanceof JsonArray blocks) {
                for (JsonValue block : blocks) {
                    if (block instanceof JsonObject object) {
                        block(object);
                    }
                }
            }
        }

        void block(JsonObject block) {
            switch (block.getString("type", "")) {
                case "text" -> text(block.getString("text", ""));
                case "image" -> tokens += PER_IMAGE;
                case "document" -> {
                    JsonObject source = block.get("source") instanceof JsonObject s ? s : JsonValue.EMPTY_JSON_OBJECT;
                    String data = source.getString("data", "");
                    if ("text".equals(source.getString("type", ""))) {
                        text(data);
                    } else {
                        tokens += Math.max(1, data.length() * 3L / 4 / DOCUMENT_BYTES_PER_TOKEN);
                    }
                }
                case "tool_use" -> {
                    text(block.getString("name", ""));
                    JsonValue input = block.get("input");
                    if (input != null) {
                        chars += input.toString().length();
                    }
                }
                case "tool_result" -> value(block.get("content"));
                case "thinking" -> text(block.getString("thinking", ""));
                default -> {
                    // other blocks carry no countable text
                }
            }
        }
    }
}
