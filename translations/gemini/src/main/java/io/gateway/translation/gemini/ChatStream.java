package io.gateway.translation.gemini;

import io.gateway.spi.EventStream;
import io.gateway.spi.StreamEvent;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.stream.TranslatedStream;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.TreeMap;

/**
 * Translates Gemini's stream ({@code alt=sse}: every frame a {@code GenerateContentResponse}) into
 * {@code chat.completion.chunk} events, pulling one upstream frame at a time: a frame's translation is
 * returned before the next frame is read.
 *
 * <p>Per candidate: a first chunk with the role, a chunk per text delta and per group of function
 * calls, and a finish chunk. Then, when the client asked with {@code stream_options.include_usage},
 * a usage chunk with empty {@code choices}, and {@code [DONE]}. Single consumer; {@link #close()} may
 * come from another thread.
 */
final class ChatStream extends TranslatedStream {

    private final String model;
    private final long created;
    private final boolean includeUsage;
    private final Map<Integer, CandidateState> candidates = new TreeMap<>();
    private String seed;
    private JsonObject usage;

    private static final class CandidateState {
        boolean finished;
        int calls;
    }

    ChatStream(EventStream upstream, String model, long created, boolean includeUsage) {
        super(upstream);
        this.model = model;
        this.created = created;
        this.includeUsage = includeUsage;
    }

    @Override
    protected void translate(StreamEvent frame) {
        if (!frame.isDone()) {
            translateChunk(GeminiErrors.frame(frame.data()));
        }
    }

    private void translateChunk(JsonObject chunk) {
        if (seed == null) {
            seed = Ids.seed(Json.text(chunk, "responseId"));
        }
        JsonObject chunkUsage = Json.objectField(chunk, "usageMetadata");
        if (chunkUsage != null) {
            usage = chunkUsage;
        }
        JsonArray list = Json.arrayField(chunk, "candidates");
        if (list == null || list.isEmpty()) {
            if (Candidates.blockReason(chunk) != null) {
                CandidateState state = start(0);
                if (!state.finished) {
                    state.finished = true;
                    emit(chunk(0, Json.object(), "content_filter"));
                }
            }
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof JsonObject candidate)) {
                continue;
            }
            int index = Candidates.index(candidate, i);
            CandidateState state = start(index);
            if (state.finished) {
                continue;
            }
            Candidates.Content content = Candidates.content(candidate);
            if (!content.text().isEmpty()) {
                emit(chunk(index, Json.object().add("content", content.text()), null));
            }
            if (!content.calls().isEmpty()) {
                var toolCalls = Json.array();
                for (Candidates.Call call : content.calls()) {
                    int callIndex = state.calls++;
                    toolCalls.add(ChatCompletions.toolCall(call, Ids.call(seed, index, callIndex))
                            .add("index", callIndex));
                }
                emit(chunk(index, Json.object().add("tool_calls", toolCalls), null));
            }
            String finishReason = Json.text(candidate, "finishReason");
            if (finishReason != null) {
                state.finished = true;
                emit(chunk(index, Json.object(),
                        Candidates.chatFinishReason(finishReason, state.calls > 0)));
            }
        }
    }

    /** The state of a candidate, sending its role chunk the first time it appears. */
    private CandidateState start(int index) {
        CandidateState state = candidates.get(index);
        if (state == null) {
            state = new CandidateState();
            candidates.put(index, state);
            emit(chunk(index, Json.object().add("role", "assistant").add("content", "")
                    .add("refusal", JsonValue.NULL), null));
        }
        return state;
    }

    @Override
    protected void upstreamEnded() {
        if (seed == null) {
            seed = Ids.seed(null);
        }
        if (candidates.isEmpty()) {
            start(0);
        }
        // an upstream that ends without a finish reason still gets a well-formed end
        for (Map.Entry<Integer, CandidateState> entry : candidates.entrySet()) {
            if (!entry.getValue().finished) {
                entry.getValue().finished = true;
                emit(chunk(entry.getKey(), Json.object(),
                        entry.getValue().calls > 0 ? "tool_calls" : "stop"));
            }
        }
        if (includeUsage) {
            emit(StreamEvent.data(base()
                    .add("choices", Json.array())
                    .add("usage", Usage.chat(usage))
                    .build()));
        }
        emit(StreamEvent.DONE);
    }

    private StreamEvent chunk(int index, JsonObjectBuilder delta, String finishReason) {
        JsonObjectBuilder chunk = base()
                .add("choices", Json.array().add(Json.object()
                        .add("index", index)
                        .add("delta", delta)
                        .add("logprobs", JsonValue.NULL)
                        .add("finish_reason", finishReason == null ? JsonValue.NULL : Json.string(finishReason))));
        if (includeUsage) {
            chunk.add("usage", JsonValue.NULL);
        }
        return StreamEvent.data(chunk.build());
    }

    private JsonObjectBuilder base() {
        return Json.object()
                .add("id", "chatcmpl-" + seed)
                .add("object", "chat.completion.chunk")
                .add("created", created)
                .add("model", model);
    }
}
