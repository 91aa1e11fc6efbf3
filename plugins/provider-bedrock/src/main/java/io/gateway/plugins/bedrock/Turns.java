package io.gateway.plugins.bedrock;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code system} blocks and {@code messages} of a Converse request, built turn by turn. Converse
 * wants user and assistant turns to alternate, so consecutive blocks of one role (a user message after
 * tool results, two assistant messages) join one turn; turns without blocks are left out. Not
 * thread-safe; one per request.
 */
final class Turns {

    private final List<JsonObject> system = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();
    private boolean toolBlocks;

    private record Turn(String role, List<JsonObject> content) {
    }

    /**
     * Adds system blocks (system and developer messages, instructions).
     *
     * @param blocks text and cache point blocks
     */
    void system(List<JsonObject> blocks) {
        system.addAll(blocks);
    }

    /**
     * Adds user blocks: text, images, documents, tool results.
     *
     * @param blocks the blocks
     */
    void user(List<JsonObject> blocks) {
        add("user", blocks);
    }

    /**
     * Adds assistant blocks: text, tool uses.
     *
     * @param blocks the blocks
     */
    void assistant(List<JsonObject> blocks) {
        add("assistant", blocks);
    }

    private void add(String role, List<JsonObject> blocks) {
        if (blocks.isEmpty()) {
            return;
        }
        for (JsonObject block : blocks) {
            toolBlocks |= block.containsKey("toolUse") || block.containsKey("toolResult");
        }
        Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && last.role.equals(role)) {
            last.content.addAll(blocks);
        } else {
            turns.add(new Turn(role, new ArrayList<>(blocks)));
        }
    }

    /**
     * Whether any turn holds a tool use or tool result: Converse then needs the tools declared.
     *
     * @return {@code true} if so
     */
    boolean hasToolBlocks() {
        return toolBlocks;
    }

    /**
     * Whether there are system blocks.
     *
     * @return {@code true} if so
     */
    boolean hasSystem() {
        return !system.isEmpty();
    }

    /**
     * The {@code system} array.
     *
     * @return the blocks
     */
    JsonArray systemBlocks() {
        JsonArrayBuilder array = Json.array();
        system.forEach(array::add);
        return array.build();
    }

    /**
     * The {@code messages} array.
     *
     * @return the turns, each {@code {"role", "content"}}
     */
    JsonArray messages() {
        JsonArrayBuilder array = Json.array();
        for (Turn turn : turns) {
            JsonArrayBuilder content = Json.array();
            turn.content.forEach(content::add);
            array.add(Json.object().add("role", turn.role).add("content", content));
        }
        return array.build();
    }

    /**
     * Whether no turn was added.
     *
     * @return {@code true} when empty
     */
    boolean isEmpty() {
        return turns.isEmpty();
    }
}
