package io.gateway.translation.gemini;

import io.gateway.spi.EventStream;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.stream.TranslatedStream;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * Translates Gemini's stream into the Responses API's named events, one upstream frame at a time:
 * {@code response.created} and {@code response.in_progress} once the first frame arrived, then for
 * text {@code response.output_item.added}, {@code response.content_part.added} and
 * {@code response.output_text.delta}s, for each function call its item and arguments events, the
 * {@code .done} events as items end, and {@code response.completed} (or {@code response.incomplete})
 * carrying the whole response with usage. Every event has {@code type} and an increasing
 * {@code sequence_number}. Single consumer; {@link #close()} may come from another thread.
 */
final class ResponsesStream extends TranslatedStream {

    private final JsonObject body;
    private final String model;
    private final long created;
    private ResponseOutput output;
    private int sequence;

    ResponsesStream(EventStream upstream, JsonObject body, String model, long created) {
        super(upstream);
        this.body = body;
        this.model = model;
        this.created = created;
    }

    @Override
    protected void translate(StreamEvent frame) {
        if (!frame.isDone()) {
            translateChunk(GeminiErrors.frame(frame.data()));
        }
    }

    private void begin(String responseId) {
        output = new ResponseOutput(Ids.seed(responseId));
        JsonObject started = Responses.body(output, "in_progress", Json.array(), JsonValue.NULL, body, model,
                created);
        emit(Json.object().add("type", "response.created").add("response", started));
        emit(Json.object().add("type", "response.in_progress").add("response", started));
    }

    private void translateChunk(JsonObject chunk) {
        if (output == null) {
            begin(Json.text(chunk, "responseId"));
        }
        output.usage(Json.objectField(chunk, "usageMetadata"));
        JsonArray candidates = Json.arrayField(chunk, "candidates");
        if (candidates == null || candidates.isEmpty()) {
            if (Candidates.blockReason(chunk) != null) {
                output.blocked();
            }
            return;
        }
        if (!(candidates.get(0) instanceof JsonObject candidate)) {
            return;
        }
        Candidates.Content content = Candidates.content(candidate);
        if (!content.text().isEmpty()) {
            ResponseOutput.Message message = output.openMessage();
            if (message == null) {
                message = output.startMessage();
                emit(Json.object()
                        .add("type", "response.output_item.added")
                        .add("output_index", message.outputIndex)
                        .add("item", message.json("in_progress")));
                emit(part("response.content_part.added", message).add("part", ResponseOutput.textPart("")));
            }
            message.text.append(content.text());
            emit(part("response.output_text.delta", message)
                    .add("delta", content.text())
                    .add("logprobs", Json.array()));
        }
        for (Candidates.Call call : content.calls()) {
            closeMessage("completed");
            ResponseOutput.FunctionCall item = output.addCall(call);
            emit(Json.object()
                    .add("type", "response.output_item.added")
                    .add("output_index", item.outputIndex)
                    .add("item", item.json("in_progress")));
            emit(Json.object()
                    .add("type", "response.function_call_arguments.delta")
                    .add("item_id", item.id)
                    .add("output_index", item.outputIndex)
                    .add("delta", call.arguments()));
            emit(Json.object()
                    .add("type", "response.function_call_arguments.done")
                    .add("item_id", item.id)
                    .add("output_index", item.outputIndex)
                    .add("name", call.name() == null ? "" : call.name())
                    .add("arguments", call.arguments()));
            emit(Json.object()
                    .add("type", "response.output_item.done")
                    .add("output_index", item.outputIndex)
                    .add("item", item.json("completed")));
        }
        output.finishReason(Json.text(candidate, "finishReason"));
    }

    private void closeMessage(String status) {
        ResponseOutput.Message message = output.closeMessage(status);
        if (message == null) {
            return;
        }
        String text = message.text.toString();
        emit(part("response.output_text.done", message)
                .add("text", text)
                .add("logprobs", Json.array()));
        emit(part("response.content_part.done", message).add("part", ResponseOutput.textPart(text)));
        emit(Json.object()
                .add("type", "response.output_item.done")
                .add("output_index", message.outputIndex)
                .add("item", message.json(status)));
    }

    @Override
    protected void upstreamEnded() {
        if (output == null) {
            begin(null);
        }
        String status = output.status();
        closeMessage(status);
        JsonObject response = Responses.body(output, status, output.outputJson(), output.usageJson(), body, model,
                created);
        emit(Json.object()
                .add("type", status.equals("completed") ? "response.completed" : "response.incomplete")
                .add("response", response));
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
