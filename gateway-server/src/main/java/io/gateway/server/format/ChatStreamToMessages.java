package io.gateway.server.format;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.TokenUsage;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A chat completion stream as Anthropic's Messages event sequence, translated one upstream chunk at a
 * time: {@code message_start} and a {@code ping} with the first chunk, a {@code content_block_start}
 * when text, reasoning or a tool call begins, {@code content_block_delta}s ({@code text_delta},
 * {@code thinking_delta}, {@code input_json_delta}) as the pieces arrive, and once the upstream ended,
 * {@code content_block_stop}s, a {@code message_delta} with the stop reason and the usage, and
 * {@code message_stop}. Nothing is read ahead.
 *
 * <p>A text or thinking block is closed when another kind of block begins; tool call blocks stay open
 * until the end, so the pieces of parallel calls that arrive interleaved each reach their own block.
 * An upstream that ends before {@code [DONE]} and before any finish reason was cut short: that is an
 * error, which the relay turns into Anthropic's {@code error} event. Single consumer; {@link #close()}
 * may come from any thread.
 */
final class ChatStreamToMessages implements EventStream {

    private enum Open { NONE, TEXT, THINKING }

    private final EventStream upstream;
    private final String model;
    private final ArrayDeque<StreamEvent> pending = new ArrayDeque<>();
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    private final List<Integer> openTools = new ArrayList<>();
    private boolean started;
    private boolean ended;
    private boolean upstreamEnded;
    private Open open = Open.NONE;
    private int nextIndex;
    private int openIndex = -1;
    private String finishReason;
    private boolean calledTools;
    private TokenUsage usage = TokenUsage.NONE;

    /**
     * @param upstream the chat chunks; closed with this stream
     * @param model    the model to name until a chunk names one
     */
    ChatStreamToMessages(EventStream upstream, String model) {
        this.upstream = upstream;
        this.model = model;
    }

    @Override
    public StreamEvent next() {
        while (true) {
            StreamEvent out = pending.poll();
            if (out != null) {
                return out;
            }
            if (ended) {
                drain();
                return null;
            }
            StreamEvent in = upstream.next();
            if (in == null) {
                upstreamEnded = true;
                if (!started || finishReason == null) {
                    ended = true;
                    throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider's stream ended before "
                            + "it finished the answer");
                }
                finish();
            } else if (in.isDone()) {
                if (!started) {
                    start(null);
                }
                finish();
            } else if (!in.data().isBlank()) {
                chunk(in.json());
            }
        }
    }

    private void chunk(JsonObject chunk) {
        if (!started) {
            start(chunk);
        }
        if (chunk.get("usage") instanceof JsonObject u) {
            usage = TokenUsage.parse(u);
        }
        if (!(chunk.get("choices") instanceof JsonArray choices) || choices.isEmpty()
                || !(choices.get(0) instanceof JsonObject choice)) {
            return;
        }
        if (choice.get("delta") instanceof JsonObject delta) {
            for (String field : new String[] {"reasoning_content", "reasoning"}) {
                if (delta.get(field) instanceof JsonString reasoning && !reasoning.getString().isEmpty()) {
                    open(Open.THINKING, object().add("type", "thinking").add("thinking", "").add("signature", ""));
                    delta(object().add("type", "thinking_delta").add("thinking", reasoning.getString()));
                    break;
                }
            }
            String text = delta.get("content") instanceof JsonString c ? c.getString()
                    : delta.get("refusal") instanceof JsonString r ? r.getString() : null;
            if (text != null && !text.isEmpty()) {
                open(Open.TEXT, object().add("type", "text").add("text", ""));
                delta(object().add("type", "text_delta").add("text", text));
            }
            if (delta.get("tool_calls") instanceof JsonArray calls) {
                for (JsonValue value : calls) {
                    if (value instanceof JsonObject call) {
                        toolCall(call);
                    }
                }
            }
        }
        if (choice.get("finish_reason") instanceof JsonString finish) {
            finishReason = finish.getString();
        }
    }

    private void toolCall(JsonObject call) {
        int toolIndex = call.getInt("index", toolBlocks.size());
        JsonObject function = call.get("function") instanceof JsonObject f ? f : JsonValue.EMPTY_JSON_OBJECT;
        Integer block = toolBlocks.get(toolIndex);
        if (block == null) {
            closeTextOrThinking();
            block = nextIndex++;
            toolBlocks.put(toolIndex, block);
            openTools.add(block);
            calledTools = true;
            emit(object().add("type", "content_block_start").add("index", block)
                    .add("content_block", object().add("type", "tool_use")
                            .add("id", ChatToMessage.toolUseId(call.getString("id", null), toolIndex))
                            .add("name", function.getString("name", ""))
                            .add("input", JsonValue.EMPTY_JSON_OBJECT)));
        }
        if (function.get("arguments") instanceof JsonString arguments && !arguments.getString().isEmpty()) {
            emit(object().add("type", "content_block_delta").add("index", block)
                    .add("delta", object().add("type", "input_json_delta").add("partial_json", arguments.getString())));
        }
    }

    private void start(JsonObject chunk) {
        started = true;
        String id = chunk == null ? null : chunk.getString("id", null);
        String named = chunk != null && chunk.get("model") instanceof JsonString m ? m.getString() : model;
        emit(object().add("type", "message_start").add("message", object()
                .add("id", ChatToMessage.messageId(id))
                .add("type", "message")
                .add("role", "assistant")
                .add("model", named == null ? "" : named)
                .add("content", JsonValue.EMPTY_JSON_ARRAY)
                .add("stop_reason", JsonValue.NULL)
                .add("stop_sequence", JsonValue.NULL)
                .add("usage", object().add("input_tokens", 0).add("output_tokens", 0))));
        emit(object().add("type", "ping"));
    }

    private void open(Open kind, JsonObjectBuilder contentBlock) {
        if (open == kind) {
            return;
        }
        closeTextOrThinking();
        open = kind;
        openIndex = nextIndex++;
        emit(object().add("type", "content_block_start").add("index", openIndex).add("content_block", contentBlock));
    }

    private void delta(JsonObjectBuilder delta) {
        emit(object().add("type", "content_block_delta").add("index", openIndex).add("delta", delta));
    }

    private void closeTextOrThinking() {
        if (open != Open.NONE) {
            emit(object().add("type", "content_block_stop").add("index", openIndex));
            open = Open.NONE;
        }
    }

    private void finish() {
        closeTextOrThinking();
        for (int block : openTools) {
            emit(object().add("type", "content_block_stop").add("index", block));
        }
        openTools.clear();
        emit(object().add("type", "message_delta")
                .add("delta", object().add("stop_reason", ChatToMessage.stopReason(finishReason, calledTools))
                        .add("stop_sequence", JsonValue.NULL))
                .add("usage", ChatToMessage.usage(usage)));
        emit(object().add("type", "message_stop"));
        ended = true;
    }

    /**
     * Reads what the upstream sends after {@code [DONE]} (normally nothing), so its connection can be
     * reused and its attempt ends as completed.
     */
    private void drain() {
        if (upstreamEnded) {
            return;
        }
        upstreamEnded = true;
        try {
            while (upstream.next() != null) {
                // nothing after [DONE] is for the client
            }
        } catch (RuntimeException ignored) {
            // the client has its whole answer; a broken tail changes nothing for it
        }
    }

    private void emit(JsonObjectBuilder event) {
        pending.add(StreamEvent.typed(event.build()));
    }

    private static JsonObjectBuilder object() {
        return JsonBodies.provider().createObjectBuilder();
    }

    @Override
    public void close() {
        upstream.close();
    }
}
