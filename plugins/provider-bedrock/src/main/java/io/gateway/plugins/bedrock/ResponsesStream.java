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
 * ConverseStream's events as the Responses API's named events, one upstream event at a time:
 * {@code response.created} and {@code response.in_progress} at {@code messageStart}; for a text block
 * {@code response.output_item.added}, {@code response.content_part.added}, one
 * {@code response.output_text.delta} per delta and, when the block stops, the {@code .done} events;
 * for a tool use block its {@code function_call} item, {@code response.function_call_arguments.delta}s
 * and the {@code .done} events; at {@code metadata} (after {@code messageStop}) {@code response.completed}
 * (or {@code response.incomplete}) carrying the whole response with its usage. Every event has
 * {@code type} and an increasing {@code sequence_number}. Reasoning deltas are left out. A stream that
 * ends before {@code messageStop} fails with 502. Single consumer; {@link #close()} may come from another
 * thread.
 */
final class ResponsesStream extends TranslatedStream {

    private final ResponseOutput output;
    private final JsonObject body;
    private final String model;
    private final long created;
    private final Map<Integer, ResponseOutput.Item> blocks = new HashMap<>();
    private boolean begun;
    private boolean stopped;
    private int sequence;

    /**
     * @param upstream the decoded ConverseStream events
     * @param output   the answer being built
     * @param body     the client's request, echoed in the Response objects
     * @param model    the model asked for
     * @param created  the creation time in epoch seconds
     */
    ResponsesStream(EventStream upstream, ResponseOutput output, JsonObject body, String model, long created) {
        super(upstream);
        this.output = output;
        this.body = body;
        this.model = model;
        this.created = created;
    }

    @Override
    protected void translate(StreamEvent event) {
        JsonObject data = event.json();
        begin();
        int block = Json.intField(data, "contentBlockIndex", -1);
        switch (event.event() == null ? "" : event.event()) {
            case "contentBlockStart" -> {
                JsonObject toolUse = Json.objectField(Json.objectField(data, "start"), "toolUse");
                if (toolUse != null) {
                    ResponseOutput.FunctionCall call = output.startCall(Json.text(toolUse, "toolUseId"),
                            Json.text(toolUse, "name"));
                    blocks.put(block, call);
                    emit(Json.object()
                            .add("type", "response.output_item.added")
                            .add("output_index", call.outputIndex)
                            .add("item", call.json("in_progress")));
                }
            }
            case "contentBlockDelta" -> delta(block, Json.objectField(data, "delta"));
            case "contentBlockStop" -> stop(blocks.remove(block));
            case "messageStop" -> {
                blocks.values().forEach(this::stop);
                blocks.clear();
                output.stopReason(Json.text(data, "stopReason"));
                stopped = true;
            }
            case "metadata" -> {
                output.usage(Usage.of(Json.objectField(data, "usage")));
                complete();
            }
            default -> {
                // messageStart (handled by begin) and event types added later
            }
        }
    }

    private void begin() {
        if (begun) {
            return;
        }
        begun = true;
        JsonObject started = output.response("in_progress", Json.array(), JsonValue.NULL, body, model, created);
        emit(Json.object().add("type", "response.created").add("response", started));
        emit(Json.object().add("type", "response.in_progress").add("response", started));
    }

    private void delta(int block, JsonObject delta) {
        if (delta == null) {
            return;
        }
        String text = Json.text(delta, "text");
        if (text != null) {
            ResponseOutput.Message message = blocks.get(block) instanceof ResponseOutput.Message open ? open : null;
            if (message == null) {
                message = output.startMessage();
                blocks.put(block, message);
                emit(Json.object()
                        .add("type", "response.output_item.added")
                        .add("output_index", message.outputIndex)
                        .add("item", message.json("in_progress")));
                emit(part("response.content_part.added", message).add("part", ResponseOutput.textPart("")));
            }
            if (!text.isEmpty()) {
                message.text.append(text);
                emit(part("response.output_text.delta", message).add("delta", text).add("logprobs", Json.array()));
            }
            return;
        }
        JsonObject toolUse = Json.objectField(delta, "toolUse");
        if (toolUse != null && blocks.get(block) instanceof ResponseOutput.FunctionCall call) {
            String input = Json.text(toolUse, "input");
            if (input != null && !input.isEmpty()) {
                call.arguments.append(input);
                emit(Json.object()
                        .add("type", "response.function_call_arguments.delta")
                        .add("item_id", call.id)
                        .add("output_index", call.outputIndex)
                        .add("delta", input));
            }
        }
    }

    private void stop(ResponseOutput.Item item) {
        if (item == null || item.done) {
            return;
        }
        item.done = true;
        if (item instanceof ResponseOutput.Message message) {
            String text = message.text.toString();
            emit(part("response.output_text.done", message).add("text", text).add("logprobs", Json.array()));
            emit(part("response.content_part.done", message).add("part", ResponseOutput.textPart(text)));
            emit(Json.object()
                    .add("type", "response.output_item.done")
                    .add("output_index", message.outputIndex)
                    .add("item", message.json("completed")));
        } else if (item instanceof ResponseOutput.FunctionCall call) {
            emit(Json.object()
                    .add("type", "response.function_call_arguments.done")
                    .add("item_id", call.id)
                    .add("output_index", call.outputIndex)
                    .add("name", call.name)
                    .add("arguments", call.arguments()));
            emit(Json.object()
                    .add("type", "response.output_item.done")
                    .add("output_index", call.outputIndex)
                    .add("item", call.json("completed")));
        }
    }

    private void complete() {
        if (!stopped) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE,
                    "the provider sent its stream's metadata before messageStop");
        }
        JsonObject response = output.finalResponse(body, model, created);
        emit(Json.object()
                .add("type", response.getString("status").equals("completed") ? "response.completed"
                        : "response.incomplete")
                .add("response", response));
        finish();
    }

    @Override
    protected void upstreamEnded() {
        if (!stopped) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE,
                    "the provider's stream ended before messageStop");
        }
        complete();
    }

    private JsonObjectBuilder part(String type, ResponseOutput.Message message) {
        return Json.object()
                .add("type", type)
                .add("item_id", message.id)
                .add("output_index", message.outputIndex)
                .add("content_index", 0);
    }

    private void emit(JsonObjectBuilder event) {
        emit(StreamEvent.typed(event.add("sequence_number", sequence++).build()));
    }
}
