package io.gateway.translation.anthropic;

import io.gateway.spi.EventStream;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.Map;

/**
 * Anthropic's message stream as OpenAI {@code chat.completion.chunk}s.
 *
 * <ul>
 *   <li>{@code message_start}: the first chunk, {@code delta: {role: "assistant", content: ""}}.</li>
 *   <li>{@code text_delta}: {@code delta.content}; {@code thinking_delta}: {@code delta.reasoning_content}.</li>
 *   <li>A {@code tool_use} block start: {@code delta.tool_calls[{index, id, type, function: {name,
 *       arguments: ""}}]}, the index counting tool calls from 0; each {@code input_json_delta}:
 *       {@code delta.tool_calls[{index, function: {arguments}}]}.</li>
 *   <li>The first {@code message_delta} with a {@code stop_reason}: a chunk with an empty delta and the
 *       {@code finish_reason}.</li>
 *   <li>{@code message_stop}: with {@code stream_options.include_usage}, a chunk with {@code choices: []}
 *       and the usage; then {@code [DONE]}.</li>
 * </ul>
 *
 * <p>With {@code include_usage}, every other chunk carries {@code "usage": null}, as OpenAI's do.
 */
final class ChatStream extends MessageStream {

    private final boolean includeUsage;
    private final long created;
    private String id = "";
    private String model;
    private Usage usage = Usage.NONE;
    private boolean started;
    private boolean finishSent;
    private boolean done;
    private int nextToolIndex;
    private final Map<Integer, ToolBlock> tools = new HashMap<>();

    /**
     * @param upstream      Anthropic's events
     * @param relayed       headers to attach to errors
     * @param fallbackModel the model asked for, used until {@code message_start} names one
     * @param created       the {@code created} time in epoch seconds
     * @param includeUsage  whether the client asked for a usage chunk
     */
    ChatStream(EventStream upstream, Headers relayed, String fallbackModel, long created, boolean includeUsage) {
        super(upstream, relayed);
        this.model = fallbackModel;
        this.created = created;
        this.includeUsage = includeUsage;
    }

    @Override
    protected void translate(String type, JsonObject data) {
        switch (type) {
            case "message_start" -> {
                JsonObject message = Json.objectField(data, "message");
                String messageId = Json.text(message, "id");
                if (messageId != null) {
                    id = messageId;
                }
                String messageModel = Json.text(message, "model");
                if (messageModel != null) {
                    model = messageModel;
                }
                usage = usage.merge(Json.objectField(message, "usage"));
                start();
            }
            case "content_block_start" -> blockStart((int) Json.longField(data, "index", -1),
                    Json.objectField(data, "content_block"));
            case "content_block_delta" -> blockDelta((int) Json.longField(data, "index", -1),
                    Json.objectField(data, "delta"));
            case "content_block_stop" -> blockStop((int) Json.longField(data, "index", -1));
            case "message_delta" -> {
                usage = usage.merge(Json.objectField(data, "usage"));
                String stopReason = Json.text(Json.objectField(data, "delta"), "stop_reason");
                if (stopReason != null && !finishSent) {
                    finish(stopReason);
                }
            }
            case "message_stop" -> {
                if (!finishSent) {
                    finish(null);
                }
                if (includeUsage) {
                    emit(StreamEvent.data(header().add("choices", Json.array()).add("usage", usage.chat()).build()));
                }
                emit(StreamEvent.DONE);
                done = true;
            }
            default -> {
                // event types added to the API later carry nothing a chat client can use
            }
        }
    }

    @Override
    protected boolean finished() {
        return done;
    }

    private void blockStart(int index, JsonObject block) {
        String type = Json.text(block, "type");
        if ("text".equals(type)) {
            content("content", Json.text(block, "text"));
        } else if ("thinking".equals(type)) {
            content("reasoning_content", Json.text(block, "thinking"));
        } else if ("tool_use".equals(type)) {
            start();
            ToolBlock tool = new ToolBlock(nextToolIndex++, block.get("input"));
            tools.put(index, tool);
            chunk(Json.object().add("tool_calls", Json.array().add(Json.object()
                    .add("index", tool.index)
                    .add("id", Json.stringOrNull(Json.text(block, "id")))
                    .add("type", "function")
                    .add("function", Json.object()
                            .add("name", Json.stringOrNull(Json.text(block, "name")))
                            .add("arguments", "")))), null);
        }
    }

    private void blockDelta(int index, JsonObject delta) {
        String type = Json.text(delta, "type");
        if ("text_delta".equals(type)) {
            content("content", Json.text(delta, "text"));
        } else if ("thinking_delta".equals(type)) {
            content("reasoning_content", Json.text(delta, "thinking"));
        } else if ("input_json_delta".equals(type)) {
            ToolBlock tool = tools.get(index);
            String partial = Json.text(delta, "partial_json");
            if (tool != null && partial != null && !partial.isEmpty()) {
                tool.streamed = true;
                arguments(tool, partial);
            }
        }
    }

    /** A tool whose input came whole in its start event (no deltas) gets it as one arguments chunk. */
    private void blockStop(int index) {
        ToolBlock tool = tools.get(index);
        if (tool != null && !tool.streamed && tool.initialInput instanceof JsonObject input && !input.isEmpty()) {
            arguments(tool, input.toString());
        }
    }

    private void arguments(ToolBlock tool, String arguments) {
        chunk(Json.object().add("tool_calls", Json.array().add(Json.object()
                .add("index", tool.index)
                .add("function", Json.object().add("arguments", arguments)))), null);
    }

    private void content(String field, String text) {
        if (text != null && !text.isEmpty()) {
            start();
            chunk(Json.object().add(field, text), null);
        }
    }

    /** The role chunk, once, before anything else. */
    private void start() {
        if (!started) {
            started = true;
            chunk(Json.object().add("role", "assistant").add("content", ""), null);
        }
    }

    private void finish(String stopReason) {
        start();
        finishSent = true;
        chunk(Json.object(), StopReasons.finishReason(stopReason));
    }

    private void chunk(JsonObjectBuilder delta, String finishReason) {
        JsonObjectBuilder chunk = header().add("choices", Json.array().add(Json.object()
                .add("index", 0)
                .add("delta", delta)
                .add("logprobs", JsonValue.NULL)
                .add("finish_reason", Json.stringOrNull(finishReason))));
        if (includeUsage) {
            chunk.add("usage", JsonValue.NULL);
        }
        emit(StreamEvent.data(chunk.build()));
    }

    private JsonObjectBuilder header() {
        return Json.object()
                .add("id", id)
                .add("object", "chat.completion.chunk")
                .add("created", created)
                .add("model", model);
    }

    private static final class ToolBlock {
        private final int index;
        private final JsonValue initialInput;
        private boolean streamed;

        private ToolBlock(int index, JsonValue initialInput) {
            this.index = index;
            this.initialInput = initialInput;
        }
    }
}
