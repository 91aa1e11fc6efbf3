package io.gateway.plugins.bedrock;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The output items of one Responses answer, built from Converse content blocks as they arrive: an
 * assistant message item per run of text, a {@code function_call} item per tool use, then the stop
 * reason and usage, and the Response object that holds them. Used whole for complete answers and piece
 * by piece by {@link ResponsesStream}. Not thread-safe; one per answer.
 */
final class ResponseOutput {

    /** One output item. */
    abstract static class Item {
        final String id;
        final int outputIndex;
        boolean done;

        Item(String id, int outputIndex) {
            this.id = id;
            this.outputIndex = outputIndex;
        }

        abstract JsonObject json(String status);
    }

    /** An assistant message with one {@code output_text} part. */
    static final class Message extends Item {
        final StringBuilder text = new StringBuilder();

        Message(String id, int outputIndex) {
            super(id, outputIndex);
        }

        @Override
        JsonObject json(String status) {
            JsonArrayBuilder content = Json.array();
            if (!status.equals("in_progress")) {
                content.add(textPart(text.toString()));
            }
            return Json.object()
                    .add("id", id)
                    .add("type", "message")
                    .add("status", status)
                    .add("content", content)
                    .add("role", "assistant")
                    .build();
        }
    }

    /** A function call of the model. */
    static final class FunctionCall extends Item {
        final String callId;
        final String name;
        final StringBuilder arguments = new StringBuilder();

        FunctionCall(String id, int outputIndex, String callId, String name) {
            super(id, outputIndex);
            this.callId = callId;
            this.name = name;
        }

        @Override
        JsonObject json(String status) {
            return Json.object()
                    .add("id", id)
                    .add("type", "function_call")
                    .add("status", status)
                    .add("arguments", status.equals("in_progress") ? "" : arguments())
                    .add("call_id", callId)
                    .add("name", name)
                    .build();
        }

        String arguments() {
            return arguments.isEmpty() ? "{}" : arguments.toString();
        }
    }

    final String id;
    private final List<Item> items = new ArrayList<>();
    private String stopReason;
    private Usage usage = Usage.NONE;

    /**
     * @param id the response id ({@code resp_} and the upstream request id)
     */
    ResponseOutput(String id) {
        this.id = id;
    }

    static JsonObject textPart(String text) {
        return Json.object()
                .add("type", "output_text")
                .add("annotations", Json.array())
                .add("logprobs", Json.array())
                .add("text", text)
                .build();
    }

    /** Starts a message item. */
    Message startMessage() {
        Message message = new Message("msg_" + id.substring("resp_".length()) + "_" + items.size(), items.size());
        items.add(message);
        return message;
    }

    /** Starts a function call item. */
    FunctionCall startCall(String callId, String name) {
        FunctionCall call = new FunctionCall("fc_" + (callId == null ? id + "_" + items.size() : callId), items.size(),
                callId == null ? "" : callId, name == null ? "" : name);
        items.add(call);
        return call;
    }

    /**
     * Takes a whole Converse message's content: text blocks, tool uses (reasoning is left out).
     *
     * @param content the blocks, may be {@code null}
     */
    void addContent(jakarta.json.JsonArray content) {
        if (content == null) {
            return;
        }
        Message open = null;
        for (JsonValue value : content) {
            if (!(value instanceof JsonObject block)) {
                continue;
            }
            String text = Json.text(block, "text");
            JsonObject toolUse = Json.objectField(block, "toolUse");
            if (text != null) {
                if (open == null) {
                    open = startMessage();
                }
                open.text.append(text);
            } else if (toolUse != null) {
                open = null;
                FunctionCall call = startCall(Json.text(toolUse, "toolUseId"), Json.text(toolUse, "name"));
                JsonValue input = toolUse.get("input");
                call.arguments.append(Json.absent(input) ? "{}" : input.toString());
            }
        }
    }

    void stopReason(String reason) {
        if (reason != null) {
            stopReason = reason;
        }
    }

    void usage(Usage value) {
        usage = value;
    }

    /** {@code completed}, or {@code incomplete} for truncated or filtered answers. */
    String status() {
        return StopReasons.incompleteReason(stopReason) == null ? "completed" : "incomplete";
    }

    JsonArrayBuilder outputJson() {
        JsonArrayBuilder output = Json.array();
        String status = status();
        for (Item item : items) {
            output.add(item.json(item instanceof Message ? status : "completed"));
        }
        return output;
    }

    /**
     * The Response object with every field the API returns, echoing the request's settings.
     *
     * @param status  the response status
     * @param output  the output items
     * @param usage   the usage, or JSON null
     * @param body    the client's request
     * @param model   the model asked for
     * @param created the creation time in epoch seconds
     * @return the object
     */
    JsonObject response(String status, JsonArrayBuilder output, JsonValue usage, JsonObject body, String model,
                        long created) {
        String reason = status.equals("incomplete") ? StopReasons.incompleteReason(stopReason) : null;
        JsonObjectBuilder response = Json.object()
                .add("id", id)
                .add("object", "response")
                .add("created_at", created)
                .add("status", status)
                .add("background", false)
                .add("error", JsonValue.NULL)
                .add("incomplete_details", reason == null ? JsonValue.NULL
                        : Json.object().add("reason", reason).build())
                .add("instructions", Json.valueOr(body, "instructions", JsonValue.NULL))
                .add("max_output_tokens", Json.valueOr(body, "max_output_tokens", JsonValue.NULL))
                .add("max_tool_calls", Json.valueOr(body, "max_tool_calls", JsonValue.NULL))
                .add("model", model)
                .add("output", output)
                .add("parallel_tool_calls", Json.valueOr(body, "parallel_tool_calls", JsonValue.TRUE))
                .add("previous_response_id", JsonValue.NULL)
                .add("reasoning", Json.object().add("effort", JsonValue.NULL).add("summary", JsonValue.NULL))
                .add("service_tier", "default")
                .add("store", false)
                .add("temperature", Json.valueOr(body, "temperature", JsonValue.NULL))
                .add("text", Json.valueOr(body, "text", Json.object()
                        .add("format", Json.object().add("type", "text")).build()))
                .add("tool_choice", Json.valueOr(body, "tool_choice", Json.string("auto")))
                .add("tools", Json.valueOr(body, "tools", JsonValue.EMPTY_JSON_ARRAY))
                .add("top_p", Json.valueOr(body, "top_p", JsonValue.NULL))
                .add("truncation", Json.valueOr(body, "truncation", Json.string("disabled")))
                .add("usage", usage)
                .add("user", Json.valueOr(body, "user", JsonValue.NULL))
                .add("metadata", Json.valueOr(body, "metadata", JsonValue.EMPTY_JSON_OBJECT));
        return response.build();
    }

    /** The final Response object: every item, the status and the usage. */
    JsonObject finalResponse(JsonObject body, String model, long created) {
        return response(status(), outputJson(), usage.responses(), body, model, created);
    }
}
