package io.gateway.translation.gemini;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects a Gemini conversation from OpenAI messages or items: {@code systemInstruction} parts, and
 * {@code contents} turns with roles {@code user} and {@code model} only.
 *
 * <p>Function calls of one assistant step share a model turn, and consecutive tool results share a
 * user turn, as Gemini expects parallel calls and their results to be grouped; adjacent turns of the
 * same role are merged. Tool results name
 * their function: OpenAI identifies the call by id only, so the name is looked up from the calls
 * seen earlier in the conversation.
 */
final class Conversation {

    /**
     * The signature Google documents for function calls the model did not sign (history written by
     * another model or rebuilt by a client that dropped the signature). Gemini 3 rejects a step's first
     * function call without any signature.
     */
    static final String UNSIGNED = "skip_thought_signature_validator";

    private final List<JsonObject> system = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();
    private final Map<String, String> callNames = new HashMap<>();

    private static final class Turn {
        final String role;
        final boolean toolResults;
        final List<JsonObject> parts = new ArrayList<>();
        boolean signed;

        Turn(String role, boolean toolResults) {
            this.role = role;
            this.toolResults = toolResults;
        }
    }

    void system(String text) {
        if (text != null && !text.isEmpty()) {
            system.add(Parts.text(text));
        }
    }

    /** A user turn; empty turns are left out, as Gemini rejects contents without parts. */
    void user(List<JsonObject> parts) {
        if (!parts.isEmpty()) {
            Turn turn = new Turn("user", false);
            turn.parts.addAll(parts);
            turns.add(turn);
        }
    }

    /** Text of the model; starts a new model turn. */
    void modelText(String text) {
        Turn turn = new Turn("model", false);
        turns.add(turn);
        if (text != null && !text.isEmpty()) {
            turn.parts.add(Parts.text(text));
        }
    }

    /**
     * A function call of the model, joining the current model turn (or starting one).
     *
     * @param callId    the OpenAI call id, remembered to name the later result
     * @param name      the function name
     * @param arguments the arguments as OpenAI's JSON string
     * @param signature the thought signature handed back by the client, or {@code null}
     * @param param     the request field to name in errors
     */
    void functionCall(String callId, String name, String arguments, String signature, String param) {
        if (name == null || name.isBlank()) {
            throw GatewayException.invalidRequest("a function call needs a function name", param);
        }
        JsonObject args;
        if (arguments == null || arguments.isBlank()) {
            args = JsonValue.EMPTY_JSON_OBJECT;
        } else if (Json.parseValue(arguments) instanceof JsonObject parsed) {
            args = parsed;
        } else {
            throw GatewayException.invalidRequest("function call arguments must be a JSON object", param);
        }
        Turn turn = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (turn == null || !turn.role.equals("model")) {
            turn = new Turn("model", false);
            turns.add(turn);
        }
        JsonObjectBuilder part = Json.object()
                .add("functionCall", Json.object().add("name", name).add("args", args));
        if (signature != null && !signature.isEmpty()) {
            part.add("thoughtSignature", signature);
            turn.signed = true;
        } else if (!turn.signed) {
            part.add("thoughtSignature", UNSIGNED);
            turn.signed = true;
        }
        turn.parts.add(part.build());
        if (callId != null) {
            callNames.put(callId, name);
        }
    }

    /**
     * The result of a function call, joining consecutive results in one user turn.
     *
     * @param callId the OpenAI call id
     * @param output the tool's output text
     * @param param  the request field to name in errors
     */
    void functionResult(String callId, String output, String param) {
        String name = callId == null ? null : callNames.get(callId);
        if (name == null) {
            throw GatewayException.invalidRequest("no earlier assistant tool call has the id '" + callId
                    + "'; gemini needs the function name of every tool result", param);
        }
        functionResultNamed(name, output);
    }

    /** A function result whose function name is known (legacy {@code function} messages). */
    void functionResultNamed(String name, String output) {
        Turn turn = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (turn == null || !turn.toolResults) {
            turn = new Turn("user", true);
            turns.add(turn);
        }
        JsonValue parsed = Json.parseValue(output);
        JsonValue content = parsed != null ? parsed : Json.object().add("result", output == null ? "" : output).build();
        turn.parts.add(Json.object()
                .add("functionResponse", Json.object()
                        .add("name", name)
                        .add("response", Json.object().add("content", content)))
                .build());
    }

    /** Writes {@code systemInstruction} and {@code contents} into a request. */
    void writeTo(JsonObjectBuilder request, String param) {
        // adjacent turns of one role are merged: older models insist on alternating roles
        List<Turn> merged = new ArrayList<>();
        for (Turn turn : turns) {
            if (turn.parts.isEmpty()) {
                continue;
            }
            Turn previous = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (previous != null && previous.role.equals(turn.role)) {
                previous.parts.addAll(turn.parts);
            } else {
                Turn copy = new Turn(turn.role, turn.toolResults);
                copy.parts.addAll(turn.parts);
                merged.add(copy);
            }
        }
        JsonArrayBuilder contents = Json.array();
        for (Turn turn : merged) {
            JsonArrayBuilder parts = Json.array();
            turn.parts.forEach(parts::add);
            contents.add(Json.object().add("role", turn.role).add("parts", parts));
        }
        if (merged.isEmpty()) {
            throw GatewayException.invalidRequest("gemini needs at least one user or assistant message with content",
                    param);
        }
        if (!system.isEmpty()) {
            JsonArrayBuilder parts = Json.array();
            system.forEach(parts::add);
            request.add("systemInstruction", Json.object().add("parts", parts));
        }
        request.add("contents", contents);
    }

    /** A call id from a JSON value, or {@code null}. */
    static String id(JsonValue value) {
        return value instanceof JsonString string ? string.getString() : null;
    }
}
