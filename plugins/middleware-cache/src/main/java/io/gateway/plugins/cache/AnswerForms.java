package io.gateway.plugins.cache;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The two forms of an answer, each made from the other: a complete JSON body assembled from a stream's
 * events, and the events of a stream derived from a complete body, in the formats OpenAI's API streams
 * them (chat and text completion chunks ending in {@code [DONE]}; Responses' typed events
 * {@code response.created} … {@code response.completed}; image streams' {@code image_generation.completed}).
 * Also whether a stream ended as a whole answer. Runs on the cache's writer thread, never on a request's.
 * Stateless.
 */
final class AnswerForms {

    private AnswerForms() {
    }

    /**
     * Whether a stream that reached its end holds a whole, successful answer: {@code [DONE]} last and no
     * error for chat and text completions; {@code response.completed} for Responses (an incomplete or
     * failed response is not stored); a completed image and no error for image streams.
     *
     * @param operation the operation
     * @param events    the events, in order
     * @return {@code true} when the answer may be stored
     */
    static boolean wholeStream(Operation operation, List<StreamEvent> events) {
        if (events.isEmpty()) {
            return false;
        }
        switch (operation) {
            case CHAT_COMPLETION, TEXT_COMPLETION -> {
                if (!events.get(events.size() - 1).isDone()) {
                    return false;
                }
                for (StreamEvent event : events) {
                    if (!event.isDone() && event.data().contains("\"error\"") && json(event) != null
                            && json(event).containsKey("error")) {
                        return false;
                    }
                }
                return true;
            }
            case RESPONSES -> {
                boolean completed = false;
                for (StreamEvent event : events) {
                    String type = type(event);
                    if (type.equals("response.failed") || type.equals("error") || type.equals("response.incomplete")) {
                        return false;
                    }
                    completed |= type.equals("response.completed");
                }
                return completed;
            }
            case IMAGE_GENERATION -> {
                boolean completed = false;
                for (StreamEvent event : events) {
                    String type = type(event);
                    if (type.equals("error")) {
                        return false;
                    }
                    completed |= type.equals("image_generation.completed");
                }
                return completed;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Whether a complete answer may be stored: any 2xx JSON object, except a Responses answer whose
     * {@code status} is not {@code completed}.
     *
     * @param operation the operation
     * @param body      the parsed body
     * @return {@code true} when it may be stored
     */
    static boolean wholeAnswer(Operation operation, JsonObject body) {
        if (operation == Operation.RESPONSES) {
            return "completed".equals(Json.text(body, "status"));
        }
        return !body.containsKey("error");
    }

    private static String type(StreamEvent event) {
        if (event.event() != null) {
            return event.event();
        }
        JsonObject json = json(event);
        return json != null && json.get("type") instanceof JsonString type ? type.getString() : "";
    }

    private static JsonObject json(StreamEvent event) {
        try {
            return event.json();
        } catch (GatewayException notJson) {
            return null;
        }
    }

    // ---------------------------------------------------------------- stream → body

    /**
     * The complete body a stream's events add up to.
     *
     * @param operation the operation
     * @param events    a whole stream ({@link #wholeStream})
     * @return the body's bytes, or {@code null} when this operation's streams cannot be assembled
     */
    static byte[] jsonFromEvents(Operation operation, List<StreamEvent> events) {
        JsonObject body = switch (operation) {
            case CHAT_COMPLETION -> chatFromChunks(events);
            case TEXT_COMPLETION -> textFromChunks(events);
            case RESPONSES -> responseFromEvents(events);
            case IMAGE_GENERATION -> imagesFromEvents(events);
            default -> null;
        };
        return body == null ? null : JsonBodies.toBytes(body);
    }

    private static JsonObject chatFromChunks(List<StreamEvent> events) {
        JsonObject head = null;
        JsonObject usage = null;
        Map<Integer, ChoiceParts> choices = new TreeMap<>();
        for (StreamEvent event : events) {
            if (event.isDone()) {
                continue;
            }
            JsonObject chunk = json(event);
            if (chunk == null) {
                return null;
            }
            if (head == null) {
                head = chunk;
            }
            if (chunk.get("usage") instanceof JsonObject u) {
                usage = u;
            }
            JsonArray chunkChoices = Json.arrayField(chunk, "choices");
            for (JsonValue item : chunkChoices == null ? JsonValue.EMPTY_JSON_ARRAY : chunkChoices) {
                if (!(item instanceof JsonObject choice)) {
                    continue;
                }
                ChoiceParts parts = choices.computeIfAbsent(Json.intField(choice, "index", 0), i -> new ChoiceParts());
                JsonObject delta = Json.objectField(choice, "delta");
                if (delta != null) {
                    parts.add(delta);
                }
                if (choice.get("finish_reason") instanceof JsonString reason) {
                    parts.finishReason = reason.getString();
                }
            }
        }
        if (head == null) {
            return null;
        }
        JsonArrayBuilder out = Json.array();
        choices.forEach((index, parts) -> out.add(Json.object()
                .add("index", index)
                .add("message", parts.message())
                .add("logprobs", JsonValue.NULL)
                .add("finish_reason", Json.stringOrNull(parts.finishReason))));
        JsonObjectBuilder body = Json.object()
                .add("id", Json.valueOr(head, "id", Json.string("chatcmpl-cached")))
                .add("object", "chat.completion")
                .add("created", Json.valueOr(head, "created", Json.number(0)))
                .add("model", Json.valueOr(head, "model", JsonValue.NULL));
        if (head.get("system_fingerprint") != null) {
            body.add("system_fingerprint", head.get("system_fingerprint"));
        }
        if (head.get("service_tier") != null) {
            body.add("service_tier", head.get("service_tier"));
        }
        body.add("choices", out);
        if (usage != null) {
            body.add("usage", usage);
        }
        return body.build();
    }

    /** A chat choice's deltas, added up. */
    private static final class ChoiceParts {
        private String role = "assistant";
        private StringBuilder content;
        private StringBuilder refusal;
        private final Map<Integer, String[]> toolCalls = new TreeMap<>();
        private String finishReason;

        void add(JsonObject delta) {
            if (delta.get("role") instanceof JsonString r) {
                role = r.getString();
            }
            if (delta.get("content") instanceof JsonString text) {
                content = (content == null ? new StringBuilder() : content).append(text.getString());
            }
            if (delta.get("refusal") instanceof JsonString text) {
                refusal = (refusal == null ? new StringBuilder() : refusal).append(text.getString());
            }
            if (delta.get("tool_calls") instanceof JsonArray calls) {
                for (JsonValue item : calls) {
                    if (!(item instanceof JsonObject call)) {
                        continue;
                    }
                    String[] parts = toolCalls.computeIfAbsent(Json.intField(call, "index", 0),
                            i -> new String[] {null, "function", null, ""});
                    if (call.get("id") instanceof JsonString id) {
                        parts[0] = id.getString();
                    }
                    if (call.get("type") instanceof JsonString type) {
                        parts[1] = type.getString();
                    }
                    JsonObject function = Json.objectField(call, "function");
                    if (function != null) {
                        if (function.get("name") instanceof JsonString name) {
                            parts[2] = (parts[2] == null ? "" : parts[2]) + name.getString();
                        }
                        if (function.get("arguments") instanceof JsonString arguments) {
                            parts[3] = parts[3] + arguments.getString();
                        }
                    }
                }
            }
        }

        JsonObject message() {
            JsonObjectBuilder message = Json.object().add("role", role)
                    .add("content", content == null ? JsonValue.NULL : Json.string(content.toString()));
            message.add("refusal", refusal == null ? JsonValue.NULL : Json.string(refusal.toString()));
            if (!toolCalls.isEmpty()) {
                JsonArrayBuilder calls = Json.array();
                toolCalls.values().forEach(parts -> calls.add(Json.object()
                        .add("id", Json.stringOrNull(parts[0]))
                        .add("type", parts[1])
                        .add("function", Json.object().add("name", Json.stringOrNull(parts[2]))
                                .add("arguments", parts[3]))));
                message.add("tool_calls", calls);
            }
            return message.build();
        }
    }

    private static JsonObject textFromChunks(List<StreamEvent> events) {
        JsonObject head = null;
        JsonObject usage = null;
        Map<Integer, StringBuilder> texts = new TreeMap<>();
        Map<Integer, String> reasons = new TreeMap<>();
        for (StreamEvent event : events) {
            if (event.isDone()) {
                continue;
            }
            JsonObject chunk = json(event);
            if (chunk == null) {
                return null;
            }
            if (head == null) {
                head = chunk;
            }
            if (chunk.get("usage") instanceof JsonObject u) {
                usage = u;
            }
            JsonArray choices = Json.arrayField(chunk, "choices");
            for (JsonValue item : choices == null ? JsonValue.EMPTY_JSON_ARRAY : choices) {
                if (item instanceof JsonObject choice) {
                    int index = Json.intField(choice, "index", 0);
                    StringBuilder text = texts.computeIfAbsent(index, i -> new StringBuilder());
                    if (choice.get("text") instanceof JsonString part) {
                        text.append(part.getString());
                    }
                    if (choice.get("finish_reason") instanceof JsonString reason) {
                        reasons.put(index, reason.getString());
                    }
                }
            }
        }
        if (head == null) {
            return null;
        }
        JsonArrayBuilder out = Json.array();
        texts.forEach((index, text) -> out.add(Json.object().add("text", text.toString()).add("index", index)
                .add("logprobs", JsonValue.NULL).add("finish_reason", Json.stringOrNull(reasons.get(index)))));
        JsonObjectBuilder body = Json.object()
                .add("id", Json.valueOr(head, "id", Json.string("cmpl-cached")))
                .add("object", "text_completion")
                .add("created", Json.valueOr(head, "created", Json.number(0)))
                .add("model", Json.valueOr(head, "model", JsonValue.NULL))
                .add("choices", out);
        if (usage != null) {
            body.add("usage", usage);
        }
        return body.build();
    }

    private static JsonObject responseFromEvents(List<StreamEvent> events) {
        for (StreamEvent event : events) {
            if (type(event).equals("response.completed")) {
                JsonObject json = json(event);
                return json == null ? null : Json.objectField(json, "response");
            }
        }
        return null;
    }

    private static JsonObject imagesFromEvents(List<StreamEvent> events) {
        JsonArrayBuilder data = Json.array();
        JsonObject last = null;
        for (StreamEvent event : events) {
            if (!type(event).equals("image_generation.completed")) {
                continue;
            }
            JsonObject json = json(event);
            if (json == null || !(json.get("b64_json") instanceof JsonString image)) {
                return null;
            }
            data.add(Json.object().add("b64_json", image));
            last = json;
        }
        if (last == null) {
            return null;
        }
        JsonObjectBuilder body = Json.object().add("created", Json.valueOr(last, "created_at", Json.number(0)));
        for (String field : List.of("background", "output_format", "quality", "size")) {
            if (last.get(field) instanceof JsonString value) {
                body.add(field, value);
            }
        }
        body.add("data", data);
        if (last.get("usage") instanceof JsonObject usage) {
            body.add("usage", usage);
        }
        return body.build();
    }

    // ---------------------------------------------------------------- body → stream

    /**
     * The events a stream of this answer would have sent.
     *
     * @param operation the operation
     * @param body      a whole answer ({@link #wholeAnswer})
     * @return the events, or {@code null} when it cannot be streamed (embeddings; images as URLs)
     */
    static List<StreamEvent> eventsFromJson(Operation operation, JsonObject body) {
        return switch (operation) {
            case CHAT_COMPLETION -> chatChunks(body);
            case TEXT_COMPLETION -> textChunks(body);
            case RESPONSES -> responseEvents(body);
            case IMAGE_GENERATION -> imageEvents(body);
            default -> null;
        };
    }

    private static JsonObjectBuilder chunkHead(JsonObject body, String object) {
        JsonObjectBuilder head = Json.object()
                .add("id", Json.valueOr(body, "id", JsonValue.NULL))
                .add("object", object)
                .add("created", Json.valueOr(body, "created", Json.number(0)))
                .add("model", Json.valueOr(body, "model", JsonValue.NULL));
        if (body.get("system_fingerprint") != null && object.equals("chat.completion.chunk")) {
            head.add("system_fingerprint", body.get("system_fingerprint"));
        }
        return head;
    }

    private static List<StreamEvent> chatChunks(JsonObject body) {
        JsonArray choices = Json.arrayField(body, "choices");
        if (choices == null) {
            return null;
        }
        List<StreamEvent> events = new ArrayList<>();
        for (JsonValue item : choices) {
            if (!(item instanceof JsonObject choice)) {
                return null;
            }
            int index = Json.intField(choice, "index", 0);
            JsonObject message = Json.objectField(choice, "message");
            JsonObjectBuilder delta = Json.object().add("role", message == null ? Json.string("assistant")
                    : Json.valueOr(message, "role", Json.string("assistant")));
            if (message != null) {
                delta.add("content", Json.valueOr(message, "content", JsonValue.NULL));
                if (message.get("refusal") instanceof JsonString refusal) {
                    delta.add("refusal", refusal);
                }
                if (message.get("tool_calls") instanceof JsonArray calls) {
                    JsonArrayBuilder indexed = Json.array();
                    int i = 0;
                    for (JsonValue call : calls) {
                        if (call instanceof JsonObject object) {
                            indexed.add(Json.object(object).add("index", i++));
                        }
                    }
                    delta.add("tool_calls", indexed);
                }
            }
            events.add(StreamEvent.data(chunkHead(body, "chat.completion.chunk").add("choices", Json.array()
                    .add(Json.object().add("index", index).add("delta", delta).add("logprobs", JsonValue.NULL)
                            .add("finish_reason", JsonValue.NULL))).build()));
            events.add(StreamEvent.data(chunkHead(body, "chat.completion.chunk").add("choices", Json.array()
                    .add(Json.object().add("index", index).add("delta", JsonValue.EMPTY_JSON_OBJECT)
                            .add("logprobs", JsonValue.NULL)
                            .add("finish_reason", Json.valueOr(choice, "finish_reason", JsonValue.NULL)))).build()));
        }
        if (body.get("usage") instanceof JsonObject usage) {
            events.add(StreamEvent.data(chunkHead(body, "chat.completion.chunk")
                    .add("choices", JsonValue.EMPTY_JSON_ARRAY).add("usage", usage).build()));
        }
        events.add(StreamEvent.DONE);
        return events;
    }

    private static List<StreamEvent> textChunks(JsonObject body) {
        JsonArray choices = Json.arrayField(body, "choices");
        if (choices == null) {
            return null;
        }
        List<StreamEvent> events = new ArrayList<>();
        for (JsonValue item : choices) {
            if (!(item instanceof JsonObject choice)) {
                return null;
            }
            events.add(StreamEvent.data(chunkHead(body, "text_completion").add("choices", Json.array()
                    .add(Json.object().add("text", Json.valueOr(choice, "text", Json.string("")))
                            .add("index", Json.intField(choice, "index", 0)).add("logprobs", JsonValue.NULL)
                            .add("finish_reason", Json.valueOr(choice, "finish_reason", JsonValue.NULL))))
                    .build()));
        }
        if (body.get("usage") instanceof JsonObject usage) {
            events.add(StreamEvent.data(chunkHead(body, "text_completion")
                    .add("choices", JsonValue.EMPTY_JSON_ARRAY).add("usage", usage).build()));
        }
        events.add(StreamEvent.DONE);
        return events;
    }

    /** Responses' typed events for a finished response, text sent as one delta per content part. */
    private static List<StreamEvent> responseEvents(JsonObject response) {
        JsonArray output = Json.arrayField(response, "output");
        if (output == null) {
            return null;
        }
        List<StreamEvent> events = new ArrayList<>();
        int[] sequence = {0};
        JsonObject inProgress = Json.object(response).add("status", "in_progress")
                .add("output", JsonValue.EMPTY_JSON_ARRAY).add("usage", JsonValue.NULL).build();
        events.add(typed(Json.object().add("type", "response.created"), sequence, "response", inProgress));
        events.add(typed(Json.object().add("type", "response.in_progress"), sequence, "response", inProgress));
        for (int o = 0; o < output.size(); o++) {
            if (!(output.get(o) instanceof JsonObject item)) {
                return null;
            }
            String itemId = Json.text(item, "id");
            boolean message = "message".equals(Json.text(item, "type"));
            JsonObjectBuilder added = Json.object(item).add("status", "in_progress");
            if (message) {
                added.add("content", JsonValue.EMPTY_JSON_ARRAY);
            }
            events.add(typed(Json.object().add("type", "response.output_item.added").add("output_index", o),
                    sequence, "item", added.build()));
            JsonArray content = message ? Json.arrayField(item, "content") : null;
            for (int c = 0; content != null && c < content.size(); c++) {
                if (!(content.get(c) instanceof JsonObject part)) {
                    return null;
                }
                boolean text = "output_text".equals(Json.text(part, "type"));
                JsonObject empty = text ? Json.object(part).add("text", "").add("annotations",
                        JsonValue.EMPTY_JSON_ARRAY).build() : part;
                events.add(typed(partEvent("response.content_part.added", itemId, o, c), sequence, "part", empty));
                if (text) {
                    String whole = Json.text(part, "text");
                    events.add(typed(partEvent("response.output_text.delta", itemId, o, c)
                            .add("delta", whole == null ? "" : whole), sequence, null, null));
                    events.add(typed(partEvent("response.output_text.done", itemId, o, c)
                            .add("text", whole == null ? "" : whole), sequence, null, null));
                }
                events.add(typed(partEvent("response.content_part.done", itemId, o, c), sequence, "part", part));
            }
            events.add(typed(Json.object().add("type", "response.output_item.done").add("output_index", o),
                    sequence, "item", item));
        }
        events.add(typed(Json.object().add("type", "response.completed"), sequence, "response", response));
        return events;
    }

    private static JsonObjectBuilder partEvent(String type, String itemId, int output, int content) {
        return Json.object().add("type", type).add("item_id", Json.stringOrNull(itemId)).add("output_index", output)
                .add("content_index", content);
    }

    private static StreamEvent typed(JsonObjectBuilder event, int[] sequence, String field, JsonObject value) {
        event.add("sequence_number", sequence[0]++);
        if (field != null) {
            event.add(field, value);
        }
        return StreamEvent.typed(event.build());
    }

    private static List<StreamEvent> imageEvents(JsonObject body) {
        JsonArray data = Json.arrayField(body, "data");
        if (data == null || data.isEmpty()) {
            return null;
        }
        List<StreamEvent> events = new ArrayList<>();
        for (JsonValue item : data) {
            if (!(item instanceof JsonObject image) || !(image.get("b64_json") instanceof JsonString b64)) {
                return null; // an image as a URL cannot be streamed
            }
            JsonObjectBuilder event = Json.object().add("type", "image_generation.completed").add("b64_json", b64)
                    .add("created_at", Json.valueOr(body, "created", Json.number(0)));
            for (String field : List.of("size", "quality", "background", "output_format")) {
                if (body.get(field) instanceof JsonString value) {
                    event.add(field, value);
                }
            }
            if (body.get("usage") instanceof JsonObject usage) {
                event.add("usage", usage);
            }
            events.add(StreamEvent.typed(event.build()));
        }
        return events;
    }

    // ---------------------------------------------------------------- replay

    /**
     * The events to replay for one request: as stored, but without the usage-only chunk of a chat or
     * text-completion stream when the request did not ask for it ({@code stream_options.include_usage}).
     *
     * @param operation    the operation
     * @param events       the stored events
     * @param includeUsage whether the request asked for usage
     * @return the events
     */
    static List<StreamEvent> forRequest(Operation operation, List<StreamEvent> events, boolean includeUsage) {
        if (includeUsage || (operation != Operation.CHAT_COMPLETION && operation != Operation.TEXT_COMPLETION)) {
            return events;
        }
        List<StreamEvent> kept = new ArrayList<>(events.size());
        for (StreamEvent event : events) {
            if (!event.isDone() && event.data().contains("\"usage\"")) {
                JsonObject chunk = json(event);
                if (chunk != null && chunk.get("usage") instanceof JsonObject
                        && chunk.get("choices") instanceof JsonArray choices && choices.isEmpty()) {
                    continue;
                }
            }
            kept.add(event);
        }
        return kept;
    }
}
