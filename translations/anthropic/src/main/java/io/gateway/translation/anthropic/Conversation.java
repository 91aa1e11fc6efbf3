package io.gateway.translation.anthropic;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects an OpenAI conversation into the shape the Messages API requires.
 *
 * <ul>
 *   <li>System and developer text goes to the top-level {@code system}, wherever it appeared.</li>
 *   <li>Only {@code user} and {@code assistant} turns remain, and consecutive turns of one role merge
 *       into one, because Anthropic requires the roles to alternate. Tool results are user turns, so a
 *       run of OpenAI {@code tool} messages and a following user message become one user turn.</li>
 *   <li>In a user turn the {@code tool_result} blocks come first, and in an assistant turn the
 *       {@code thinking} blocks come first, as Anthropic requires.</li>
 *   <li>Turns without content are dropped: Anthropic rejects empty messages.</li>
 * </ul>
 *
 * <p>The conversation is not reordered otherwise: one that starts with an assistant turn is sent as it
 * is, and Anthropic's answer to it reaches the client.
 */
final class Conversation {

    private final List<JsonObject> system = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();

    void system(List<JsonObject> textBlocks) {
        system.addAll(textBlocks);
    }

    void user(List<JsonObject> blocks) {
        add("user", blocks, "tool_result");
    }

    void assistant(List<JsonObject> blocks) {
        add("assistant", blocks, "thinking");
    }

    private void add(String role, List<JsonObject> blocks, String leadingType) {
        if (blocks.isEmpty()) {
            return;
        }
        Turn turn = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (turn == null || !turn.role.equals(role)) {
            turn = new Turn(role);
            turns.add(turn);
        }
        for (JsonObject block : blocks) {
            String type = Json.text(block, "type");
            if (leadingType.equals(type) || "assistant".equals(role) && "redacted_thinking".equals(type)) {
                turn.leading.add(block);
            } else {
                turn.rest.add(block);
            }
        }
    }

    /**
     * The {@code system} value: a plain string for a single text, otherwise the text blocks (which keeps
     * each part's {@code cache_control}).
     *
     * @return the value, or {@code null} when there is no system text
     */
    JsonValue systemValue() {
        if (system.isEmpty()) {
            return null;
        }
        if (system.size() == 1 && system.get(0).size() == 2) {
            return Json.string(Json.text(system.get(0), "text"));
        }
        JsonArrayBuilder blocks = Json.array();
        system.forEach(blocks::add);
        return blocks.build();
    }

    JsonArray messages() {
        JsonArrayBuilder messages = Json.array();
        for (Turn turn : turns) {
            JsonArrayBuilder content = Json.array();
            turn.leading.forEach(content::add);
            turn.rest.forEach(content::add);
            messages.add(Json.object().add("role", turn.role).add("content", content));
        }
        return messages.build();
    }

    private static final class Turn {
        private final String role;
        private final List<JsonObject> leading = new ArrayList<>();
        private final List<JsonObject> rest = new ArrayList<>();

        private Turn(String role) {
            this.role = role;
        }
    }
}
