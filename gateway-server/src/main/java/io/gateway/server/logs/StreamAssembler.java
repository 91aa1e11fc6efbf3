package io.gateway.server.logs;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Assembles a streamed answer, as its events pass, into one JSON document for the request log (only
 * with {@code capture-bodies}): a chat stream becomes a {@code chat.completion} with each choice's
 * text, reasoning and tool calls (name and arguments joined from their pieces), finish reason and
 * usage; a text completion stream its choices' text; a Responses stream the final {@code response}
 * object of its {@code response.completed} (or {@code .failed}, {@code .incomplete}) event, else its
 * output text; any other stream the list of its events. Text beyond the size limit is not kept, and
 * the result says so ({@link #truncated()}). Used by one stream's reader thread; not thread-safe.
 */
final class StreamAssembler {

    private final Operation operation;
    private final int maxChars;
    private long kept;
    private boolean truncated;
    private int events;
    private String id;
    private String model;
    private JsonObject usage;
    private JsonObject finalResponse;
    private final TreeMap<Integer, Choice> choices = new TreeMap<>();
    private final StringBuilder outputText = new StringBuilder();
    private final List<String> other = new ArrayList<>();

    /** One choice of a chat or text completion stream. */
    private static final class Choice {
        final StringBuilder content = new StringBuilder();
        final StringBuilder reasoning = new StringBuilder();
        final TreeMap<Integer, ToolCall> toolCalls = new TreeMap<>();
        String role;
        String finishReason;
    }

    /** One tool call of a chat choice, joined from its pieces. */
    private static final class ToolCall {
        String id;
        String type;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    /**
     * An assembler.
     *
     * @param operation the stream's operation
     * @param maxBytes  the body limit; text beyond it is not kept
     */
    StreamAssembler(Operation operation, int maxBytes) {
        this.operation = operation;
        this.maxChars = maxBytes;
    }

    /**
     * Takes one event.
     *
     * @param event the event as relayed
     */
    void add(StreamEvent event) {
        events++;
        if (event.isDone()) {
            return;
        }
        JsonObject json;
        try {
            json = event.json();
        } catch (RuntimeException e) {
            keepOther(event.data());
            return;
        }
        switch (operation) {
            case CHAT_COMPLETION, TEXT_COMPLETION -> completion(json);
            case RESPONSES -> responses(event.event(), json);
            default -> keepOther(event.data());
        }
    }

    /**
     * Whether text was left out at the limit.
     *
     * @return {@code true} when the answer is incomplete
     */
    boolean truncated() {
        return truncated;
    }

    /**
     * The assembled answer.
     *
     * @param measured the usage the gateway read from the stream, for an answer whose usage event the
     *                 client did not see (middleware may ask upstream for it and hide it), or {@code null}
     * @return the JSON text, or {@code null} when no event came
     */
    String json(io.gateway.spi.TokenUsage measured) {
        if (events == 0) {
            return null;
        }
        if (usage == null && measured != null) {
            usage = operation == Operation.RESPONSES
                    ? JsonBodies.provider().createObjectBuilder()
                            .add("input_tokens", measured.inputTokens())
                            .add("output_tokens", measured.outputTokens())
                            .add("total_tokens", measured.totalTokens()).build()
                    : JsonBodies.provider().createObjectBuilder()
                            .add("prompt_tokens", measured.inputTokens())
                            .add("completion_tokens", measured.outputTokens())
                            .add("total_tokens", measured.totalTokens()).build();
        }
        return switch (operation) {
            case CHAT_COMPLETION, TEXT_COMPLETION -> completionJson();
            case RESPONSES -> responsesJson();
            default -> otherJson();
        };
    }

    private boolean room(int chars) {
        if (kept + chars > maxChars) {
            truncated = true;
            return false;
        }
        kept += chars;
        return true;
    }

    private void append(StringBuilder target, String text) {
        if (text != null && !text.isEmpty() && room(text.length())) {
            target.append(text);
        }
    }

    private void keepOther(String data) {
        if (room(data.length())) {
            other.add(data);
        }
    }

    private void completion(JsonObject chunk) {
        if (id == null) {
            id = string(chunk, "id");
        }
        if (model == null) {
            model = string(chunk, "model");
        }
        if (chunk.get("usage") instanceof JsonObject u) {
            usage = u;
        }
        if (!(chunk.get("choices") instanceof JsonArray array)) {
            return;
        }
        for (JsonValue value : array) {
            if (!(value instanceof JsonObject choiceJson)) {
                continue;
            }
            int index = choiceJson.getInt("index", 0);
            Choice choice = choices.computeIfAbsent(index, i -> new Choice());
            String finish = string(choiceJson, "finish_reason");
            if (finish != null) {
                choice.finishReason = finish;
            }
            if (operation == Operation.TEXT_COMPLETION) {
                append(choice.content, string(choiceJson, "text"));
                continue;
            }
            if (!(choiceJson.get("delta") instanceof JsonObject delta)) {
                continue;
            }
            if (string(delta, "role") != null) {
                choice.role = string(delta, "role");
            }
            append(choice.content, string(delta, "content"));
            String reasoning = string(delta, "reasoning_content");
            append(choice.reasoning, reasoning != null ? reasoning : string(delta, "reasoning"));
            if (delta.get("tool_calls") instanceof JsonArray calls) {
                for (JsonValue callValue : calls) {
                    if (!(callValue instanceof JsonObject callJson)) {
                        continue;
                    }
                    ToolCall call = choice.toolCalls.computeIfAbsent(callJson.getInt("index", choice.toolCalls.size()),
                            i -> new ToolCall());
                    if (string(callJson, "id") != null) {
                        call.id = string(callJson, "id");
                    }
                    if (string(callJson, "type") != null) {
                        call.type = string(callJson, "type");
                    }
                    if (callJson.get("function") instanceof JsonObject function) {
                        if (string(function, "name") != null) {
                            call.name = string(function, "name");
                        }
                        append(call.arguments, string(function, "arguments"));
                    }
                }
            }
        }
    }

    private void responses(String name, JsonObject event) {
        String type = name != null ? name : string(event, "type");
        if (type == null) {
            return;
        }
        switch (type) {
            case "response.output_text.delta" -> append(outputText, string(event, "delta"));
            case "response.completed", "response.failed", "response.incomplete" -> {
                if (event.get("response") instanceof JsonObject response) {
                    String text = response.toString();
                    if (text.length() <= maxChars) {
                        finalResponse = response;
                    } else {
                        truncated = true;
                    }
                    if (response.get("usage") instanceof JsonObject u) {
                        usage = u;
                    }
                }
            }
            case "response.created" -> {
                if (event.get("response") instanceof JsonObject response) {
                    id = string(response, "id");
                    model = string(response, "model");
                }
            }
            default -> {
            }
        }
    }

    private String completionJson() {
        JsonObjectBuilder body = JsonBodies.provider().createObjectBuilder();
        if (id != null) {
            body.add("id", id);
        }
        body.add("object", operation == Operation.CHAT_COMPLETION ? "chat.completion" : "text_completion");
        if (model != null) {
            body.add("model", model);
        }
        JsonArrayBuilder array = JsonBodies.provider().createArrayBuilder();
        choices.forEach((index, choice) -> {
            JsonObjectBuilder out = JsonBodies.provider().createObjectBuilder().add("index", index);
            if (operation == Operation.TEXT_COMPLETION) {
                out.add("text", choice.content.toString());
            } else {
                JsonObjectBuilder message = JsonBodies.provider().createObjectBuilder()
                        .add("role", choice.role == null ? "assistant" : choice.role);
                if (choice.content.isEmpty() && !choice.toolCalls.isEmpty()) {
                    message.addNull("content");
                } else {
                    message.add("content", choice.content.toString());
                }
                if (!choice.reasoning.isEmpty()) {
                    message.add("reasoning_content", choice.reasoning.toString());
                }
                if (!choice.toolCalls.isEmpty()) {
                    JsonArrayBuilder calls = JsonBodies.provider().createArrayBuilder();
                    for (ToolCall call : choice.toolCalls.values()) {
                        JsonObjectBuilder callJson = JsonBodies.provider().createObjectBuilder();
                        if (call.id != null) {
                            callJson.add("id", call.id);
                        }
                        callJson.add("type", call.type == null ? "function" : call.type);
                        callJson.add("function", JsonBodies.provider().createObjectBuilder()
                                .add("name", call.name == null ? "" : call.name)
                                .add("arguments", call.arguments.toString()));
                        calls.add(callJson);
                    }
                    message.add("tool_calls", calls);
                }
                out.add("message", message);
            }
            if (choice.finishReason == null) {
                out.addNull("finish_reason");
            } else {
                out.add("finish_reason", choice.finishReason);
            }
            array.add(out);
        });
        body.add("choices", array);
        if (usage != null) {
            body.add("usage", usage);
        }
        return body.build().toString();
    }

    private String responsesJson() {
        if (finalResponse != null) {
            return finalResponse.toString();
        }
        JsonObjectBuilder body = JsonBodies.provider().createObjectBuilder();
        if (id != null) {
            body.add("id", id);
        }
        body.add("object", "response");
        if (model != null) {
            body.add("model", model);
        }
        body.add("output_text", outputText.toString());
        if (usage != null) {
            body.add("usage", usage);
        }
        return body.build().toString();
    }

    private String otherJson() {
        JsonArrayBuilder array = JsonBodies.provider().createArrayBuilder();
        for (String data : other) {
            try {
                array.add(JsonBodies.parse(data));
            } catch (RuntimeException e) {
                array.add(data);
            }
        }
        return JsonBodies.provider().createObjectBuilder().add("object", "stream").add("events", events)
                .add("data", array).build().toString();
    }

    private static String string(JsonObject object, String name) {
        return object.get(name) instanceof JsonString text ? text.getString() : null;
    }
}
