package io.gateway.plugins.mock;

import io.gateway.spi.GatewayException;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The four forms OpenAI accepts for {@code prompt} (completions) and {@code input} (embeddings): a
 * string, an array of strings, an array of token ids, or an array of token-id arrays.
 *
 * <p>Each becomes one or more {@link Item}s. Token-id prompts have no text to echo, but their length
 * is an exact token count.
 */
final class Prompts {

    /**
     * One prompt.
     *
     * @param text   the text, empty for token ids
     * @param tokens the token count: words of the text, or the number of ids
     * @param key    what identifies the prompt for seeding (text and ids never collide)
     */
    record Item(String text, int tokens, String key) {
    }

    private Prompts() {
    }

    /**
     * Splits a prompt field into items.
     *
     * @param value      the field's value
     * @param field      the field name, for the 400
     * @param allowEmpty whether an empty string is acceptable (completions accept it, embeddings not)
     * @return at least one item
     * @throws GatewayException 400 for any other shape
     */
    static List<Item> items(JsonValue value, String field, boolean allowEmpty) {
        if (value instanceof JsonString string) {
            return List.of(text(string.getString(), field, allowEmpty));
        }
        if (!(value instanceof JsonArray array) || array.isEmpty()) {
            throw invalid(field);
        }
        if (array.get(0) instanceof JsonNumber) {
            return List.of(tokens(array, field));
        }
        List<Item> items = new ArrayList<>(array.size());
        for (JsonValue element : array) {
            if (element instanceof JsonString string) {
                items.add(text(string.getString(), field, allowEmpty));
            } else if (element instanceof JsonArray ids && !ids.isEmpty()) {
                items.add(tokens(ids, field));
            } else {
                throw invalid(field);
            }
        }
        return items;
    }

    private static Item text(String text, String field, boolean allowEmpty) {
        if (!allowEmpty && text.isEmpty()) {
            throw GatewayException.invalidRequest("'" + field + "' must not contain empty strings", field);
        }
        return new Item(text, Reply.tokens(text), "text:" + text);
    }

    private static Item tokens(JsonArray ids, String field) {
        StringBuilder key = new StringBuilder("tokens:");
        for (JsonValue id : ids) {
            if (!(id instanceof JsonNumber number) || !number.isIntegral()) {
                throw invalid(field);
            }
            key.append(number).append(',');
        }
        return new Item("", ids.size(), key.toString());
    }

    private static GatewayException invalid(String field) {
        return GatewayException.invalidRequest("'" + field + "' must be a string, an array of strings, an array of"
                + " token ids or an array of token-id arrays", field);
    }
}
