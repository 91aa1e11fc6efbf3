package io.gateway.translation.anthropic;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds an OpenAI Response, and the Responses stream events that lead to it, from Anthropic's message
 * events. Streams feed it the upstream events one by one; a complete answer is fed as the events it
 * would have streamed ({@link #ofMessage}), so both paths produce the same output items.
 *
 * <p>Output items follow the content blocks in order: a {@code thinking} block is a {@code reasoning}
 * item whose summary holds the thinking text (and, when the client asked for
 * {@code reasoning.encrypted_content}, whose {@code encrypted_content} holds Anthropic's signature so the
 * item can be sent back); consecutive {@code text} blocks are the content parts of one {@code message}
 * item; a {@code tool_use} block is a {@code function_call} item. Redacted thinking and server-tool
 * blocks have no Responses form and are left out.
 *
 * <p>Status: {@code max_tokens} and {@code model_context_window_exceeded} make the response
 * {@code incomplete} with reason {@code max_output_tokens}, {@code refusal} with reason
 * {@code content_filter}; the last event is then {@code response.incomplete}, as OpenAI sends it,
 * otherwise {@code response.completed}.
 */
final class ResponsesTranslation {

    private final JsonObject request;
    private final long createdAt;
    private final boolean includeSignatures;
    private final Consumer<JsonObjectBuilder> sink;
    private final List<JsonObject> output = new ArrayList<>();
    private final Map<Integer, Block> blocks = new HashMap<>();
    private String messageId = "msg_anthropic";
    private String model;
    private Usage usage = Usage.NONE;
    private String stopReason;
    private OpenMessage openMessage;
    private int messageItems;
    private JsonObject result;

    /**
     * @param request           the client's Responses request, echoed in the response object
     * @param fallbackModel     the model asked for, used until {@code message_start} names one
     * @param createdAt         {@code created_at} in epoch seconds
     * @param includeSignatures whether reasoning items carry {@code encrypted_content}
     * @param sink              receives each stream event (without {@code sequence_number})
     */
    ResponsesTranslation(JsonObject request, String fallbackModel, long createdAt, boolean includeSignatures,
                         Consumer<JsonObjectBuilder> sink) {
        this.request = request;
        this.model = fallbackModel;
        this.createdAt = createdAt;
        this.includeSignatures = includeSignatures;
        this.sink = sink;
    }

    /**
     * The Response for a complete Messages answer.
     *
     * @param message           the answer
     * @param request           the client's request
     * @param fallbackModel     the model asked for
     * @param createdAt         {@code created_at} in epoch seconds
     * @param includeSignatures whether reasoning items carry {@code encrypted_content}
     * @return the Response object
     */
    static JsonObject ofMessage(JsonObject message, JsonObject request, String fallbackModel, long createdAt,
                                boolean includeSignatures) {
        ResponsesTranslation translation = new ResponsesTranslation(request, fallbackModel, createdAt,
                includeSignatures, event -> { });
        JsonObjectBuilder start = Json.object(message).add("content", Json.array());
        translation.accept("message_start", Json.object().add("message", start).build());
        JsonArray content = Json.arrayField(message, "content");
        if (content != null) {
            for (int i = 0; i < content.size(); i++) {
                if (content.get(i) instanceof JsonObject block) {
                    translation.accept("content_block_start",
                            Json.object().add("index", i).add("content_block", block).build());
                    translation.accept("content_block_stop", Json.object().add("index", i).build());
                }
            }
        }
        translation.accept("message_delta", Json.object()
                .add("delta", Json.object().add("stop_reason", Json.stringOrNull(Json.text(message, "stop_reason"))))
                .build());
        translation.accept("message_stop", JsonValue.EMPTY_JSON_OBJECT);
        return translation.result();
    }

    /**
     * Whether {@code message_stop} has been translated.
     *
     * @return {@code true} when the response is final
     */
    boolean finished() {
        return result != null;
    }

    /**
     * The final Response object.
     *
     * @return the response, or {@code null} before {@code message_stop}
     */
    JsonObject result() {
        return result;
    }

    /**
     * Translates one Anthropic event.
     *
     * @param type the event type
     * @param data its JSON
     */
    void accept(String type, JsonObject data) {
        switch (type) {
            case "message_start" -> {
                JsonObject message = Json.objectField(data, "message");
                String id = Json.text(message, "id");
                if (id != null && !id.isEmpty()) {
                    messageId = id;
                }
                String messageModel = Json.text(message, "model");
                if (messageModel != null) {
                    model = messageModel;
                }
                usage = usage.merge(Json.objectField(message, "usage"));
                JsonObject started = response("in_progress", null, false, JsonValue.NULL);
                sink.accept(Json.object().add("type", "response.created").add("response", started));
                sink.accept(Json.object().add("type", "response.in_progress").add("response", started));
            }
            case "content_block_start" -> blockStart((int) Json.longField(data, "index", -1),
                    Json.objectField(data, "content_block"));
            case "content_block_delta" -> blockDelta((int) Json.longField(data, "index", -1),
                    Json.objectField(data, "delta"));
            case "content_block_stop" -> blockStop((int) Json.longField(data, "index", -1));
            case "message_delta" -> {
                usage = usage.merge(Json.objectField(data, "usage"));
                String reason = Json.text(Json.objectField(data, "delta"), "stop_reason");
                if (reason != null) {
                    stopReason = reason;
                }
            }
            case "message_stop" -> {
                String incomplete = StopReasons.incompleteReason(stopReason);
                String status = incomplete == null ? "completed" : "incomplete";
                closeMessage(status);
                result = response(status, incomplete, true, usage.responses());
                sink.accept(Json.object()
                        .add("type", incomplete == null ? "response.completed" : "response.incomplete")
                        .add("response", result));
            }
            default -> {
                // event types added to the API later have no Responses form
            }
        }
    }

    private void blockStart(int index, JsonObject block) {
        String type = Json.text(block, "type");
        if ("text".equals(type)) {
            if (openMessage == null) {
                openMessage = new OpenMessage(output.size(),
                        messageItems == 0 ? messageId : messageId + "_" + output.size());
                messageItems++;
                output.add(null);
                sink.accept(Json.object()
                        .add("type", "response.output_item.added")
                        .add("output_index", openMessage.outputIndex)
                        .add("item", message(openMessage, "in_progress", Json.array())));
            }
            Block text = new Block("text", openMessage.outputIndex, openMessage.itemId);
            text.contentIndex = openMessage.parts.size();
            openMessage.parts.add("");
            blocks.put(index, text);
            sink.accept(part(text, "response.content_part.added").add("part", textPart("")));
            textDelta(text, Json.text(block, "text"));
        } else if ("tool_use".equals(type)) {
            closeMessage("completed");
            String callId = Json.text(block, "id");
            callId = callId == null ? "toolu_" + index : callId;
            String itemId = "fc_" + (callId.startsWith("toolu_") ? callId.substring(6) : callId);
            Block tool = new Block("tool_use", output.size(), itemId);
            tool.callId = callId;
            tool.name = Json.text(block, "name");
            tool.initialInput = block.get("input");
            output.add(null);
            blocks.put(index, tool);
            sink.accept(Json.object()
                    .add("type", "response.output_item.added")
                    .add("output_index", tool.outputIndex)
                    .add("item", functionCall(tool, "in_progress", "")));
        } else if ("thinking".equals(type)) {
            closeMessage("completed");
            Block thinking = new Block("thinking", output.size(),
                    "rs_" + bareId() + "_" + output.size());
            output.add(null);
            blocks.put(index, thinking);
            sink.accept(Json.object()
                    .add("type", "response.output_item.added")
                    .add("output_index", thinking.outputIndex)
                    .add("item", Json.object()
                            .add("id", thinking.itemId)
                            .add("type", "reasoning")
                            .add("summary", Json.array())));
            sink.accept(summary(thinking, "response.reasoning_summary_part.added").add("part", summaryPart("")));
            String signature = Json.text(block, "signature");
            if (signature != null) {
                thinking.signature.append(signature);
            }
            thinkingDelta(thinking, Json.text(block, "thinking"));
        }
    }

    private void blockDelta(int index, JsonObject delta) {
        Block block = blocks.get(index);
        if (block == null) {
            return;
        }
        String type = Json.text(delta, "type");
        if ("text_delta".equals(type) && block.kind.equals("text")) {
            textDelta(block, Json.text(delta, "text"));
        } else if ("input_json_delta".equals(type) && block.kind.equals("tool_use")) {
            String partial = Json.text(delta, "partial_json");
            if (partial != null && !partial.isEmpty()) {
                block.text.append(partial);
                sink.accept(Json.object()
                        .add("type", "response.function_call_arguments.delta")
                        .add("item_id", block.itemId)
                        .add("output_index", block.outputIndex)
                        .add("delta", partial));
            }
        } else if ("thinking_delta".equals(type) && block.kind.equals("thinking")) {
            thinkingDelta(block, Json.text(delta, "thinking"));
        } else if ("signature_delta".equals(type) && block.kind.equals("thinking")) {
            String signature = Json.text(delta, "signature");
            if (signature != null) {
                block.signature.append(signature);
            }
        }
    }

    private void blockStop(int index) {
        Block block = blocks.remove(index);
        if (block == null) {
            return;
        }
        switch (block.kind) {
            case "text" -> {
                String text = block.text.toString();
                openMessage.parts.set(block.contentIndex, text);
                sink.accept(part(block, "response.output_text.done").add("text", text).add("logprobs", Json.array()));
                sink.accept(part(block, "response.content_part.done").add("part", textPart(text)));
            }
            case "tool_use" -> {
                String arguments = block.text.toString();
                if (arguments.isEmpty()) {
                    arguments = block.initialInput instanceof JsonObject input ? input.toString() : "{}";
                }
                sink.accept(Json.object()
                        .add("type", "response.function_call_arguments.done")
                        .add("item_id", block.itemId)
                        .add("output_index", block.outputIndex)
                        .add("name", Json.stringOrNull(block.name))
                        .add("arguments", arguments));
                JsonObject item = functionCall(block, "completed", arguments).build();
                output.set(block.outputIndex, item);
                sink.accept(Json.object()
                        .add("type", "response.output_item.done")
                        .add("output_index", block.outputIndex)
                        .add("item", item));
            }
            case "thinking" -> {
                String text = block.text.toString();
                sink.accept(summary(block, "response.reasoning_summary_text.done").add("text", text));
                sink.accept(summary(block, "response.reasoning_summary_part.done").add("part", summaryPart(text)));
                JsonObjectBuilder item = Json.object()
                        .add("id", block.itemId)
                        .add("type", "reasoning")
                        .add("summary", Json.array().add(summaryPart(text)));
                if (includeSignatures && !block.signature.isEmpty()) {
                    item.add("encrypted_content", block.signature.toString());
                }
                JsonObject done = item.build();
                output.set(block.outputIndex, done);
                sink.accept(Json.object()
                        .add("type", "response.output_item.done")
                        .add("output_index", block.outputIndex)
                        .add("item", done));
            }
            default -> {
                // only the kinds above are tracked
            }
        }
    }

    private void textDelta(Block block, String delta) {
        if (delta != null && !delta.isEmpty()) {
            block.text.append(delta);
            sink.accept(part(block, "response.output_text.delta").add("delta", delta).add("logprobs", Json.array()));
        }
    }

    private void thinkingDelta(Block block, String delta) {
        if (delta != null && !delta.isEmpty()) {
            block.text.append(delta);
            sink.accept(summary(block, "response.reasoning_summary_text.delta").add("delta", delta));
        }
    }

    /** Ends the open message item, if any: its text parts are final. */
    private void closeMessage(String status) {
        if (openMessage == null) {
            return;
        }
        JsonArrayBuilder parts = Json.array();
        openMessage.parts.forEach(text -> parts.add(textPart(text)));
        JsonObject item = message(openMessage, status, parts).build();
        output.set(openMessage.outputIndex, item);
        sink.accept(Json.object()
                .add("type", "response.output_item.done")
                .add("output_index", openMessage.outputIndex)
                .add("item", item));
        openMessage = null;
    }

    private String bareId() {
        return messageId.startsWith("msg_") ? messageId.substring(4) : messageId;
    }

    private JsonObject response(String status, String incompleteReason, boolean withOutput, JsonValue usageValue) {
        JsonArrayBuilder items = Json.array();
        if (withOutput) {
            for (JsonObject item : output) {
                if (item != null) {
                    items.add(item);
                }
            }
        }
        return ResponseObjects.response(request, "resp_" + bareId(), createdAt, model, status, incompleteReason,
                items.build(), usageValue);
    }

    private static JsonObjectBuilder message(OpenMessage message, String status, JsonArrayBuilder content) {
        return Json.object()
                .add("id", message.itemId)
                .add("type", "message")
                .add("status", status)
                .add("role", "assistant")
                .add("content", content);
    }

    private static JsonObjectBuilder functionCall(Block tool, String status, String arguments) {
        return Json.object()
                .add("id", tool.itemId)
                .add("type", "function_call")
                .add("status", status)
                .add("call_id", tool.callId)
                .add("name", Json.stringOrNull(tool.name))
                .add("arguments", arguments);
    }

    private static JsonObjectBuilder textPart(String text) {
        return Json.object()
                .add("type", "output_text")
                .add("text", text)
                .add("annotations", Json.array())
                .add("logprobs", Json.array());
    }

    private static JsonObjectBuilder summaryPart(String text) {
        return Json.object().add("type", "summary_text").add("text", text);
    }

    private static JsonObjectBuilder part(Block block, String type) {
        return Json.object()
                .add("type", type)
                .add("item_id", block.itemId)
                .add("output_index", block.outputIndex)
                .add("content_index", block.contentIndex);
    }

    private static JsonObjectBuilder summary(Block block, String type) {
        return Json.object()
                .add("type", type)
                .add("item_id", block.itemId)
                .add("output_index", block.outputIndex)
                .add("summary_index", 0);
    }

    /** The message item being written: text blocks add parts to it until another kind of block starts. */
    private static final class OpenMessage {
        private final int outputIndex;
        private final String itemId;
        private final List<String> parts = new ArrayList<>();

        private OpenMessage(int outputIndex, String itemId) {
            this.outputIndex = outputIndex;
            this.itemId = itemId;
        }
    }

    /** One Anthropic content block between its start and stop. */
    private static final class Block {
        private final String kind;
        private final int outputIndex;
        private final String itemId;
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder signature = new StringBuilder();
        private int contentIndex;
        private String callId;
        private String name;
        private JsonValue initialInput;

        private Block(String kind, int outputIndex, String itemId) {
            this.kind = kind;
            this.outputIndex = outputIndex;
            this.itemId = itemId;
        }
    }
}
