package io.gateway.translation.gemini;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The output of one Responses API answer, built from Gemini candidate content as it arrives: message
 * items with {@code output_text}, function call items, the final status and usage. Used whole for
 * complete answers and piece by piece by {@link ResponsesStream}.
 */
final class ResponseOutput {

    /** One output item. */
    abstract static class Item {
        final String id;
        final int outputIndex;

        Item(String id, int outputIndex) {
            this.id = id;
            this.outputIndex = outputIndex;
        }

        abstract JsonObject json(String status);
    }

    /** An assistant message with one {@code output_text} part. */
    static final class Message extends Item {
        final StringBuilder text = new StringBuilder();
        String status = "in_progress";

        Message(String id, int outputIndex) {
            super(id, outputIndex);
        }

        @Override
        JsonObject json(String itemStatus) {
            JsonArrayBuilder content = Json.array();
            if (!itemStatus.equals("in_progress")) {
                content.add(textPart(text.toString()));
            }
            return Json.object()
                    .add("id", id)
                    .add("type", "message")
                    .add("status", itemStatus)
                    .add("content", content)
                    .add("role", "assistant")
                    .build();
        }
    }

    /** A function call of the model. */
    static final class FunctionCall extends Item {
        final String callId;
        final Candidates.Call call;

        FunctionCall(String id, int outputIndex, String callId, Candidates.Call call) {
            super(id, outputIndex);
            this.callId = callId;
            this.call = call;
        }

        @Override
        JsonObject json(String itemStatus) {
            JsonObjectBuilder item = Json.object()
                    .add("id", id)
                    .add("type", "function_call")
                    .add("status", itemStatus)
                    .add("arguments", itemStatus.equals("in_progress") ? "" : call.arguments())
                    .add("call_id", callId)
                    .add("name", call.name() == null ? "" : call.name());
            if (call.signature() != null) {
                item.add("extra_content", Json.object()
                        .add("google", Json.object().add("thought_signature", call.signature())));
            }
            return item.build();
        }
    }

    final String seed;
    private final List<Item> items = new ArrayList<>();
    private Message open;
    private int calls;
    private String finishReason;
    private boolean blocked;
    private JsonObject usage;

    ResponseOutput(String seed) {
        this.seed = seed;
    }

    static JsonObject textPart(String text) {
        return Json.object()
                .add("type", "output_text")
                .add("annotations", Json.array())
                .add("logprobs", Json.array())
                .add("text", text)
                .build();
    }

    /** The open message, started when text arrives after a function call or first; {@code null} if new. */
    Message openMessage() {
        return open;
    }

    Message startMessage() {
        open = new Message("msg_" + seed + (items.isEmpty() ? "" : "_" + items.size()), items.size());
        items.add(open);
        return open;
    }

    /** Ends the open message, if any, with a status, and answers it. */
    Message closeMessage(String status) {
        Message message = open;
        open = null;
        if (message != null) {
            message.status = status;
        }
        return message;
    }

    FunctionCall addCall(Candidates.Call call) {
        int index = calls++;
        FunctionCall item = new FunctionCall("fc_" + seed + "_" + index, items.size(), Ids.call(seed, 0, index),
                call);
        items.add(item);
        return item;
    }

    /** Takes a whole candidate (or chunk): its text, then its calls. */
    void addContent(Candidates.Content content) {
        if (!content.text().isEmpty()) {
            Message message = open != null ? open : startMessage();
            message.text.append(content.text());
        }
        for (Candidates.Call call : content.calls()) {
            closeMessage("completed");
            addCall(call);
        }
    }

    void finishReason(String reason) {
        if (reason != null) {
            finishReason = reason;
        }
    }

    void blocked() {
        blocked = true;
    }

    void usage(JsonObject usageMetadata) {
        if (usageMetadata != null) {
            usage = usageMetadata;
        }
    }

    /** {@code completed}, or {@code incomplete} for truncated or filtered answers. */
    String status() {
        return incompleteReason() == null ? "completed" : "incomplete";
    }

    /** Why the answer is incomplete: {@code max_output_tokens}, {@code content_filter}, or {@code null}. */
    String incompleteReason() {
        if (blocked || Candidates.filtered(finishReason)) {
            return "content_filter";
        }
        if ("MAX_TOKENS".equals(finishReason)) {
            return "max_output_tokens";
        }
        return null;
    }

    JsonArrayBuilder outputJson() {
        JsonArrayBuilder output = Json.array();
        String finalStatus = status();
        for (Item item : items) {
            if (item instanceof Message message) {
                output.add(message.json(message.status.equals("in_progress") ? finalStatus : message.status));
            } else {
                output.add(item.json("completed"));
            }
        }
        return output;
    }

    JsonValue usageJson() {
        return Usage.responses(usage);
    }
}
