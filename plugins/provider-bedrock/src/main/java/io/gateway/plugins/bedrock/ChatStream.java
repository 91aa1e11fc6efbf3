package io.gateway.plugins.bedrock;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.stream.TranslatedStream;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.Map;

/**
 * ConverseStream's events as OpenAI {@code chat.completion.chunk}s, one upstream event at a time.
 *
 * <ul>
 *   <li>{@code messageStart}: the first chunk, {@code delta: {role: "assistant", content: ""}}.</li>
 *   <li>{@code contentBlockDelta} with {@code text}: {@code delta.content}; with
 *       {@code reasoningContent.text}: {@code delta.reasoning_content}.</li>
 *   <li>{@code contentBlockStart} of a {@code toolUse}: {@code delta.tool_calls[{index, id, type,
 *       function: {name, arguments: ""}}]}, the index counting tool calls from 0; each
 *       {@code toolUse.input} delta: {@code delta.tool_calls[{index, function: {arguments}}]}.</li>
 *   <li>{@code messageStop}: a chunk with an empty delta and the {@code finish_reason}.</li>
 *   <li>{@code metadata} (the last event, with the usage): with {@code stream_options.include_usage}, a
 *       chunk with {@code choices: []} and the usage; then {@code [DONE]}.</li>
 * </ul>
 * With {@code include_usage}, every other chunk carries {@code "usage": null}, as OpenAI's do. A stream
 * that ends before {@code messageStop} fails with 502; one that ends after it without
 * {@code metadata} ends normally (with zero counts in the usage chunk). Single consumer;
 * {@link #close()} may come from another thread.
 */
final class ChatStream extends TranslatedStream {

    private final String id;
    private final String model;
    private final long created;
    private final boolean includeUsage;
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
    private boolean started;
    private boolean stopped;

    /**
     * @param upstream     the decoded ConverseStream events
     * @param id           the completion id
     * @param model        the model asked for
     * @param created      the {@code created} time in epoch seconds
     * @param includeUsage whether the client asked for a usage chunk
     */
    ChatStream(EventStream upstream, String id, String model, long created, boolean includeUsage) {
        super(upstream);
        this.id = id;
        this.model = model;
        this.created = created;
        this.includeUsage = includeUsage;
    }

    @Override
    protected void translate(StreamEvent event) {
        JsonObject data = event.json();
        switch (event.event() == null ? "" : event.event()) {
            case "messageStart" -> start();
            case "contentBlockStart" -> {
                JsonObject toolUse = Json.objectField(Json.objectField(data, "start"), "toolUse");
                if (toolUse != null) {
                    start();
                    int index = toolIndexByBlock.size();
                    toolIndexByBlock.put(Json.intField(data, "contentBlockIndex", -1), index);
                    chunk(Json.object().add("tool_calls", Json.array().add(Json.object()
                            .add("index", index)
                            .add("id", Json.stringOrNull(Json.text(toolUse, "toolUseId")))
                            .add("type", "function")
                            .add("function", Json.object()
                                    .add("name", Json.stringOrNull(Json.text(toolUse, "name")))
                                    .add("arguments", "")))), null);
                }
            }
            case "contentBlockDelta" -> delta(Json.intField(data, "contentBlockIndex", -1),
                    Json.objectField(data, "delta"));
            case "messageStop" -> {
                if (!stopped) {
                    start();
                    stopped = true;
                    chunk(Json.object(), StopReasons.finishReason(Json.text(data, "stopReason")));
                }
            }
            case "metadata" -> end(Usage.of(Json.objectField(data, "usage")));
            default -> {
                // contentBlockStop and event types added later carry nothing a chat client can use
            }
        }
    }

    private void delta(int block, JsonObject delta) {
        if (delta == null) {
            return;
        }
        String text = Json.text(delta, "text");
        if (text != null) {
            content("content", text);
            return;
        }
        JsonObject toolUse = Json.objectField(delta, "toolUse");
        if (toolUse != null) {
            Integer index = toolIndexByBlock.get(block);
            String input = Json.text(toolUse, "input");
            if (index != null && input != null && !input.isEmpty()) {
                chunk(Json.object().add("tool_calls", Json.array().add(Json.object()
                        .add("index", index)
                        .add("function", Json.object().add("arguments", input)))), null);
            }
            return;
        }
        content("reasoning_content", Json.text(Json.objectField(delta, "reasoningContent"), "text"));
    }

    private void content(String field, String text) {
        if (text != null && !text.isEmpty()) {
            start();
            chunk(Json.object().add(field, text), null);
        }
    }

    @Override
    protected void upstreamEnded() {
        if (!stopped) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE,
                    "the provider's stream ended before messageStop");
        }
        end(Usage.NONE);
    }

    private void end(Usage usage) {
        if (!stopped) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE,
                    "the provider sent its stream's metadata before messageStop");
        }
        if (includeUsage) {
            emit(StreamEvent.data(header().add("choices", Json.array()).add("usage", usage.chat()).build()));
        }
        emit(StreamEvent.DONE);
        finish();
    }

    /** The role chunk, once, before anything else. */
    private void start() {
        if (!started) {
            started = true;
            chunk(Json.object().add("role", "assistant").add("content", ""), null);
        }
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
}
