package io.gateway.plugins.cohere;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiUsage;
import io.gateway.toolkit.stream.TranslatedStream;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * Translates Cohere's v2 chat stream into {@code chat.completion.chunk}s, one upstream event at a time:
 * {@code message-start} gives the role chunk, each {@code content-delta} a content chunk, each
 * {@code tool-call-start} a tool call chunk with its id and name and each {@code tool-call-delta} one with
 * an arguments fragment (tool calls numbered in order), {@code message-end} the finish chunk, then the
 * usage chunk when {@code stream_options.include_usage} asked for it, and {@code [DONE]}. Tool plans,
 * citations and event types Cohere adds later are skipped. A stream that ends before {@code message-end}
 * fails with 502. Single consumer; {@link #close()} may come from another thread.
 */
final class ChatStream extends TranslatedStream {

    private final String model;
    private final long created;
    private final boolean includeUsage;
    private String id = "cohere";
    private boolean started;
    private int toolCalls;

    ChatStream(EventStream upstream, String model, long created, boolean includeUsage) {
        super(upstream);
        this.model = model;
        this.created = created;
        this.includeUsage = includeUsage;
    }

    @Override
    protected void translate(StreamEvent event) {
        if (event.isDone()) {
            return;
        }
        JsonObject data = event.json();
        String type = Json.text(data, "type");
        if (type == null) {
            type = event.event() == null ? "" : event.event();
        }
        JsonObject message = Json.objectField(Json.objectField(data, "delta"), "message");
        switch (type) {
            case "message-start" -> {
                if (Json.text(data, "id") != null) {
                    id = Json.text(data, "id");
                }
                start();
            }
            case "content-delta" -> {
                start();
                String text = Json.text(Json.objectField(message, "content"), "text");
                if (text != null && !text.isEmpty()) {
                    emit(chunk(Json.object().add("content", text), null));
                }
            }
            case "tool-call-start" -> {
                start();
                JsonObject call = Json.objectField(message, "tool_calls");
                JsonObject function = Json.objectField(call, "function");
                String arguments = Json.text(function, "arguments");
                JsonObjectBuilder delta = Json.object().add("index", toolCalls++)
                        .add("id", Json.stringOrNull(Json.text(call, "id"))).add("type", "function")
                        .add("function", Json.object().add("name", Json.stringOrNull(Json.text(function, "name")))
                                .add("arguments", arguments == null ? "" : arguments));
                emit(chunk(Json.object().add("tool_calls", Json.array().add(delta)), null));
            }
            case "tool-call-delta" -> {
                String arguments = Json.text(Json.objectField(Json.objectField(message, "tool_calls"), "function"),
                        "arguments");
                if (arguments != null && !arguments.isEmpty() && toolCalls > 0) {
                    JsonObjectBuilder fragment = Json.object().add("index", toolCalls - 1)
                            .add("function", Json.object().add("arguments", arguments));
                    emit(chunk(Json.object().add("tool_calls", Json.array().add(fragment)), null));
                }
            }
            case "message-end" -> {
                start();
                JsonObject delta = Json.objectField(data, "delta");
                emit(chunk(Json.object(), ChatResponses.finishReason(Json.text(delta, "finish_reason"))));
                if (includeUsage) {
                    emit(StreamEvent.data(base().add("choices", Json.array())
                            .add("usage", OpenAiUsage.chat(ChatResponses.tokens(Json.objectField(delta, "usage"))))
                            .build()));
                }
                emit(StreamEvent.DONE);
                finish();
            }
            default -> {
                // tool-plan-delta, citation-start/-end, content-start/-end, tool-call-end, debug: nothing for OpenAI
            }
        }
    }

    @Override
    protected void upstreamEnded() {
        throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "cohere's stream ended before message-end");
    }

    private void start() {
        if (!started) {
            started = true;
            emit(chunk(Json.object().add("role", "assistant").add("content", "").add("refusal", JsonValue.NULL), null));
        }
    }

    private StreamEvent chunk(JsonObjectBuilder delta, String finishReason) {
        JsonObjectBuilder chunk = base().add("choices", Json.array().add(Json.object()
                .add("index", 0)
                .add("delta", delta)
                .add("logprobs", JsonValue.NULL)
                .add("finish_reason", finishReason == null ? JsonValue.NULL : Json.string(finishReason))));
        if (includeUsage) {
            chunk.add("usage", JsonValue.NULL);
        }
        return StreamEvent.data(chunk.build());
    }

    private JsonObjectBuilder base() {
        return Json.object().add("id", "chatcmpl-" + id).add("object", "chat.completion.chunk")
                .add("created", created).add("model", model);
    }
}
