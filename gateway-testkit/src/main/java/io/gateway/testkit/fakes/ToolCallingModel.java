package io.gateway.testkit.fakes;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fake chat model that uses tools, for tests of tool loops (the gateway's MCP agent loop, or a client's
 * own): given as the standing responder of a fake that speaks OpenAI's chat format
 * ({@code openai.answerWith(ToolCallingModel.calling("calc__add", "{\"a\":2,\"b\":3}"))}), it answers a
 * chat request
 * <ol>
 *   <li>whose last message is a {@code tool} message with the text {@code "The tool answered: "} and
 *       that message's content ({@code finish_reason: stop});</li>
 *   <li>else, when the request offers the configured tool in {@code tools}, with one call of it per
 *       configured argument set (all in one answer, {@code finish_reason: tool_calls}), ids
 *       {@code call_1}, {@code call_2}, … counted over the model's life;</li>
 *   <li>else with {@code "No tool named <name> was offered."}.</li>
 * </ol>
 * A model made with {@link #callingEveryTime} skips the first rule: it calls the tool again after
 * every result.
 * Every answer reports usage: 10 prompt tokens per message, 5 completion tokens. Thread-safe.
 */
public final class ToolCallingModel implements Function<RecordedRequest, Reply> {

    private final String tool;
    private final List<String> argumentSets;
    private final boolean everyTime;
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger answers = new AtomicInteger();

    private ToolCallingModel(String tool, List<String> argumentSets, boolean everyTime) {
        this.tool = tool;
        this.argumentSets = List.copyOf(argumentSets);
        this.everyTime = everyTime;
    }

    /**
     * A model that calls {@code tool} once, with these arguments.
     *
     * @param tool          the function name to call when offered
     * @param argumentsJson the call's {@code arguments} (a JSON object as text)
     * @return the model
     */
    public static ToolCallingModel calling(String tool, String argumentsJson) {
        return new ToolCallingModel(tool, List.of(argumentsJson), false);
    }

    /**
     * A model that never answers: it calls {@code tool} again after every result, as a model stuck in a
     * loop does (for tests of a loop's step limit).
     *
     * @param tool          the function name to call when offered
     * @param argumentsJson the call's {@code arguments}
     * @return the model
     */
    public static ToolCallingModel callingEveryTime(String tool, String argumentsJson) {
        return new ToolCallingModel(tool, List.of(argumentsJson), true);
    }

    /**
     * A model that calls {@code tool} several times in one answer (parallel tool calls).
     *
     * @param tool         the function name to call when offered
     * @param argumentSets each call's {@code arguments}
     * @return the model
     */
    public static ToolCallingModel callingInParallel(String tool, List<String> argumentSets) {
        if (argumentSets.isEmpty()) {
            throw new IllegalArgumentException("name at least one argument set");
        }
        return new ToolCallingModel(tool, argumentSets, false);
    }

    /**
     * How many chat requests the model answered.
     *
     * @return the count
     */
    public int answers() {
        return answers.get();
    }

    @Override
    public Reply apply(RecordedRequest request) {
        answers.incrementAndGet();
        JsonObject body = request.bodyJson();
        JsonArray messages = body.getJsonArray("messages");
        JsonObject last = messages.isEmpty() ? JsonValue.EMPTY_JSON_OBJECT : messages.getJsonObject(messages.size() - 1);
        String model = body.getString("model", "gpt-4o-mini");
        int promptTokens = 10 * messages.size();
        if ("tool".equals(last.getString("role", "")) && !everyTime) {
            List<String> results = new ArrayList<>();
            for (int i = messages.size() - 1; i >= 0; i--) {
                JsonObject message = messages.getJsonObject(i);
                if (!"tool".equals(message.getString("role", ""))) {
                    break;
                }
                results.add(0, message.get("content") instanceof JsonString text ? text.getString()
                        : String.valueOf(message.get("content")));
            }
            return answer(model, JsonBodies.provider().createObjectBuilder().add("role", "assistant")
                    .add("content", "The tool answered: " + String.join(" | ", results)).build(), "stop", promptTokens);
        }
        if (offers(body)) {
            JsonArrayBuilder calls = JsonBodies.provider().createArrayBuilder();
            for (String arguments : argumentSets) {
                calls.add(JsonBodies.provider().createObjectBuilder()
                        .add("id", "call_" + ids.incrementAndGet())
                        .add("type", "function")
                        .add("function", JsonBodies.provider().createObjectBuilder()
                                .add("name", tool).add("arguments", arguments)));
            }
            return answer(model, JsonBodies.provider().createObjectBuilder().add("role", "assistant")
                    .addNull("content").add("tool_calls", calls).build(), "tool_calls", promptTokens);
        }
        return answer(model, JsonBodies.provider().createObjectBuilder().add("role", "assistant")
                .add("content", "No tool named " + tool + " was offered.").build(), "stop", promptTokens);
    }

    private boolean offers(JsonObject body) {
        if (!(body.get("tools") instanceof JsonArray tools)) {
            return false;
        }
        for (JsonValue value : tools) {
            if (value instanceof JsonObject offered && offered.get("function") instanceof JsonObject function
                    && tool.equals(function.getString("name", null))) {
                return true;
            }
        }
        return false;
    }

    private Reply answer(String model, JsonObject message, String finishReason, int promptTokens) {
        JsonObject answer = JsonBodies.provider().createObjectBuilder()
                .add("id", "chatcmpl-tools-" + answers.get())
                .add("object", "chat.completion")
                .add("created", 1_700_000_000L)
                .add("model", model)
                .add("choices", JsonBodies.provider().createArrayBuilder().add(JsonBodies.provider()
                        .createObjectBuilder().add("index", 0).add("message", message)
                        .add("finish_reason", finishReason)))
                .add("usage", JsonBodies.provider().createObjectBuilder().add("prompt_tokens", promptTokens)
                        .add("completion_tokens", 5).add("total_tokens", promptTokens + 5))
                .build();
        return Reply.json(200, answer);
    }

    @Override
    public String toString() {
        return "ToolCallingModel[" + tool + "]";
    }
}
