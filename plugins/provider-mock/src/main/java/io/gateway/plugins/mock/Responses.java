package io.gateway.plugins.mock;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code responses}: a Response object with one assistant message, or the event sequence OpenAI
 * streams for it.
 *
 * <p>The body carries every field the Responses API returns (echoing the request's settings where it
 * has them) because typed SDKs treat fields such as {@code tools} or {@code parallel_tool_calls} as
 * required. It never carries {@code output_text}: that is a convenience the SDKs compute, not part of
 * the wire format. When {@code max_output_tokens} cuts the text, the response is {@code incomplete}
 * with reason {@code max_output_tokens} and the stream ends with {@code response.incomplete}, as
 * OpenAI's does.
 */
final class Responses {

    private final MockCall mock;
    private final String id;
    private final String messageId;
    private final Reply reply;
    private final int inputTokens;

    private Responses(MockCall mock, Reply reply, int inputTokens) {
        this.mock = mock;
        this.id = "resp_mock" + mock.digest();
        this.messageId = "msg_mock" + mock.digest();
        this.reply = reply;
        this.inputTokens = inputTokens;
    }

    static Responses prepare(MockCall mock) {
        JsonObject body = mock.body();
        Integer maxOutputTokens = RequestFields.optionalInteger(body, "max_output_tokens", 1, Integer.MAX_VALUE);
        int inputTokens = 0;
        JsonValue instructions = body.get("instructions");
        if (instructions instanceof JsonString string) {
            inputTokens += Reply.tokens(string.getString());
        }
        String lastUser = "";
        JsonValue input = body.get("input");
        if (input instanceof JsonString string) {
            lastUser = string.getString();
            inputTokens += Reply.tokens(lastUser);
        } else if (input instanceof JsonArray items) {
            for (JsonValue value : items) {
                if (!(value instanceof JsonObject item)) {
                    throw GatewayException.invalidRequest("each of 'input' must be an object", "input");
                }
                String text = itemText(item);
                inputTokens += Reply.tokens(text);
                if ("user".equals(JsonBodies.string(item, "role"))) {
                    lastUser = text;
                }
            }
        } else if (input != null && input.getValueType() != JsonValue.ValueType.NULL) {
            throw GatewayException.invalidRequest("'input' must be a string or an array of input items", "input");
        }
        return new Responses(mock, Reply.to(ChatCompletions.LEAD, ChatCompletions.FALLBACK, lastUser,
                maxOutputTokens), inputTokens);
    }

    /** Messages hold their text in {@code content}; tool results in {@code output}. */
    private static String itemText(JsonObject item) {
        JsonValue content = item.get("content");
        if (content instanceof JsonString string) {
            return string.getString();
        }
        if (content instanceof JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (JsonValue part : parts) {
                if (part instanceof JsonObject object) {
                    String type = JsonBodies.string(object, "type");
                    String partText = JsonBodies.string(object, "text");
                    if (partText != null && ("input_text".equals(type) || "output_text".equals(type)
                            || "text".equals(type))) {
                        if (!text.isEmpty()) {
                            text.append(' ');
                        }
                        text.append(partText);
                    }
                }
            }
            return text.toString();
        }
        String output = JsonBodies.string(item, "output");
        return output == null ? "" : output;
    }

    JsonObject body() {
        return response(finalStatus(),
                Json.array().add(message(finalStatus(), Json.array().add(textPart(reply.text())))), usage());
    }

    List<StreamEvent> events() {
        Sequence events = new Sequence();
        JsonObject started = response("in_progress", Json.array(), JsonValue.NULL);
        events.add(Json.object().add("type", "response.created").add("response", started));
        events.add(Json.object().add("type", "response.in_progress").add("response", started));
        events.add(Json.object()
                .add("type", "response.output_item.added")
                .add("output_index", 0)
                .add("item", message("in_progress", Json.array())));
        events.add(partEvent("response.content_part.added").add("part", textPart("")));
        for (String delta : reply.deltas()) {
            events.add(partEvent("response.output_text.delta")
                    .add("delta", delta)
                    .add("logprobs", Json.array()));
        }
        events.add(partEvent("response.output_text.done")
                .add("text", reply.text())
                .add("logprobs", Json.array()));
        events.add(partEvent("response.content_part.done").add("part", textPart(reply.text())));
        events.add(Json.object()
                .add("type", "response.output_item.done")
                .add("output_index", 0)
                .add("item", message(finalStatus(), Json.array().add(textPart(reply.text())))));
        events.add(Json.object()
                .add("type", reply.truncated() ? "response.incomplete" : "response.completed")
                .add("response", body()));
        return events.list();
    }

    private String finalStatus() {
        return reply.truncated() ? "incomplete" : "completed";
    }

    private JsonObject usage() {
        return Usage.responses(inputTokens, reply.tokens());
    }

    private JsonObjectBuilder partEvent(String type) {
        return Json.object()
                .add("type", type)
                .add("item_id", messageId)
                .add("output_index", 0)
                .add("content_index", 0);
    }

    private static JsonObjectBuilder textPart(String text) {
        return Json.object()
                .add("type", "output_text")
                .add("annotations", Json.array())
                .add("logprobs", Json.array())
                .add("text", text);
    }

    private JsonObjectBuilder message(String status, JsonArrayBuilder content) {
        return Json.object()
                .add("id", messageId)
                .add("type", "message")
                .add("status", status)
                .add("content", content)
                .add("role", "assistant");
    }

    private JsonObject response(String status, JsonArrayBuilder output, JsonValue usage) {
        JsonObject body = mock.body();
        JsonValue incomplete = "incomplete".equals(status)
                ? Json.object().add("reason", "max_output_tokens").build()
                : JsonValue.NULL;
        return Json.object()
                .add("id", id)
                .add("object", "response")
                .add("created_at", mock.created())
                .add("status", status)
                .add("background", false)
                .add("error", JsonValue.NULL)
                .add("incomplete_details", incomplete)
                .add("instructions", Json.valueOr(body, "instructions", JsonValue.NULL))
                .add("max_output_tokens", Json.valueOr(body, "max_output_tokens", JsonValue.NULL))
                .add("max_tool_calls", Json.valueOr(body, "max_tool_calls", JsonValue.NULL))
                .add("model", mock.model())
                .add("output", output)
                .add("parallel_tool_calls", Json.valueOr(body, "parallel_tool_calls", JsonValue.TRUE))
                .add("previous_response_id", Json.valueOr(body, "previous_response_id", JsonValue.NULL))
                .add("reasoning", Json.valueOr(body, "reasoning", Json.object()
                        .add("effort", JsonValue.NULL)
                        .add("summary", JsonValue.NULL)
                        .build()))
                .add("service_tier", "default")
                .add("store", Json.valueOr(body, "store", JsonValue.TRUE))
                .add("temperature", Json.valueOr(body, "temperature", Json.number(1.0)))
                .add("text", Json.valueOr(body, "text", Json.object()
                        .add("format", Json.object().add("type", "text"))
                        .build()))
                .add("tool_choice", Json.valueOr(body, "tool_choice", Json.string("auto")))
                .add("tools", Json.valueOr(body, "tools", JsonValue.EMPTY_JSON_ARRAY))
                .add("top_p", Json.valueOr(body, "top_p", Json.number(1.0)))
                .add("truncation", Json.valueOr(body, "truncation", Json.string("disabled")))
                .add("usage", usage)
                .add("user", Json.valueOr(body, "user", JsonValue.NULL))
                .add("metadata", Json.valueOr(body, "metadata", JsonValue.EMPTY_JSON_OBJECT))
                .build();
    }

    /** Numbers events in order, as {@code sequence_number} lets clients detect gaps and reordering. */
    private static final class Sequence {
        private final List<StreamEvent> events = new ArrayList<>();

        void add(JsonObjectBuilder event) {
            events.add(StreamEvent.typed(event.add("sequence_number", events.size()).build()));
        }

        List<StreamEvent> list() {
            return events;
        }
    }
}
