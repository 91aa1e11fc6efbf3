package io.gateway.testkit;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * What an answer must look like, per operation (OpenAI-shaped, and Anthropic's Messages shape for
 * {@link Operation#MESSAGES} and {@link Operation#COUNT_TOKENS}): the checks {@link ProviderConformance}
 * applies to a provider's answers, usable on their own (the gateway's own integration tests apply them
 * to the server's answers). Each method returns the problems it found, empty for a well-formed answer.
 * Stateless.
 */
public final class AnswerChecks {

    private AnswerChecks() {
    }

    /**
     * Checks a complete answer.
     *
     * @param operation the operation
     * @param answer    the body
     * @param inputs    how many inputs an embedding request had, or documents a rerank request had (ignored
     *                  for other operations)
     * @return the problems, empty when well-formed
     */
    public static List<String> complete(Operation operation, JsonObject answer, int inputs) {
        List<String> problems = new ArrayList<>();
        String where = operation.wireName();
        switch (operation) {
            case CHAT_COMPLETION -> {
                expect(problems, "chat.completion".equals(answer.getString("object", "")),
                        where + ": object is not chat.completion");
                JsonArray choices = array(answer, "choices");
                expect(problems, choices != null && !choices.isEmpty(), where + ": no choices");
                if (choices != null && !choices.isEmpty() && choices.get(0) instanceof JsonObject choice) {
                    JsonObject message = object(choice, "message");
                    expect(problems, message != null && "assistant".equals(message.getString("role", "")),
                            where + ": choices[0].message.role is not assistant");
                    expect(problems, choice.containsKey("finish_reason"), where + ": choices[0] has no finish_reason");
                }
                expect(problems, object(answer, "usage") != null && answer.getJsonObject("usage")
                        .containsKey("total_tokens"), where + ": no usage.total_tokens");
            }
            case TEXT_COMPLETION -> {
                expect(problems, "text_completion".equals(answer.getString("object", "")),
                        where + ": object is not text_completion");
                JsonArray choices = array(answer, "choices");
                expect(problems, choices != null && !choices.isEmpty() && choices.get(0) instanceof JsonObject first
                        && first.containsKey("text"), where + ": no choices[0].text");
            }
            case RESPONSES -> {
                expect(problems, "response".equals(answer.getString("object", "")), where + ": object is not response");
                expect(problems, array(answer, "output") != null, where + ": no output array");
                expect(problems, object(answer, "usage") != null && answer.getJsonObject("usage")
                        .containsKey("input_tokens"), where + ": no usage.input_tokens");
            }
            case EMBEDDING -> {
                expect(problems, "list".equals(answer.getString("object", "")), where + ": object is not list");
                JsonArray data = array(answer, "data");
                expect(problems, data != null && data.size() == inputs, where + ": " + inputs
                        + " embeddings expected for " + inputs + " inputs, got " + (data == null ? "none" : data.size()));
                if (data != null && !data.isEmpty() && data.get(0) instanceof JsonObject first) {
                    expect(problems, first.get("embedding") instanceof JsonArray
                            || first.get("embedding") instanceof jakarta.json.JsonString,
                            where + ": data[0].embedding is neither floats nor base64");
                }
            }
            case IMAGE_GENERATION -> {
                JsonArray data = array(answer, "data");
                expect(problems, data != null && !data.isEmpty() && data.get(0) instanceof JsonObject first
                        && (first.containsKey("b64_json") || first.containsKey("url")),
                        where + ": data[0] has no b64_json or url");
            }
            case LIST_MODELS -> {
                expect(problems, "list".equals(answer.getString("object", "")), where + ": object is not list");
                JsonArray data = array(answer, "data");
                expect(problems, data != null, where + ": no data array");
                if (data != null) {
                    for (JsonValue model : data) {
                        expect(problems, model instanceof JsonObject object && !object.getString("id", "").isBlank(),
                                where + ": an entry without an id: " + model);
                    }
                }
            }
            case MESSAGES -> {
                expect(problems, "message".equals(answer.getString("type", "")), where + ": type is not message");
                expect(problems, "assistant".equals(answer.getString("role", "")), where + ": role is not assistant");
                expect(problems, !answer.getString("id", "").isBlank(), where + ": no id");
                JsonArray content = array(answer, "content");
                expect(problems, content != null, where + ": no content array");
                if (content != null) {
                    for (JsonValue block : content) {
                        expect(problems, block instanceof JsonObject object && !object.getString("type", "").isBlank(),
                                where + ": a content block without a type: " + block);
                    }
                }
                expect(problems, answer.containsKey("stop_reason"), where + ": no stop_reason");
                JsonObject usage = object(answer, "usage");
                expect(problems, usage != null && usage.containsKey("input_tokens") && usage.containsKey("output_tokens"),
                        where + ": no usage.input_tokens and output_tokens");
            }
            case COUNT_TOKENS -> expect(problems, answer.get("input_tokens") instanceof jakarta.json.JsonNumber n
                    && n.longValue() > 0, where + ": no positive input_tokens");
            case RERANK -> {
                JsonArray results = array(answer, "results");
                expect(problems, results != null && !results.isEmpty(), where + ": no results");
                if (results != null) {
                    double previous = Double.POSITIVE_INFINITY;
                    for (JsonValue value : results) {
                        if (!(value instanceof JsonObject result)
                                || !(result.get("index") instanceof jakarta.json.JsonNumber index) || !index.isIntegral()
                                || !(result.get("relevance_score") instanceof jakarta.json.JsonNumber score)) {
                            problems.add(where + ": a result without an integer index and a relevance_score: " + value);
                            continue;
                        }
                        expect(problems, index.intValue() >= 0 && index.intValue() < inputs, where + ": index "
                                + index + " is not one of the " + inputs + " documents");
                        expect(problems, score.doubleValue() <= previous, where
                                + ": results are not ordered by relevance_score, highest first");
                        previous = score.doubleValue();
                    }
                }
            }
            default -> problems.add(where + ": an operation these checks do not know");
        }
        return problems;
    }

    /**
     * Checks a stream's events: chat and text completions as unnamed {@code chat.completion.chunk} or
     * {@code text_completion} frames ending with {@code [DONE]} (a usage chunk with empty
     * {@code choices} when usage was asked for; chunks with empty {@code choices} such as Azure's
     * prompt-filter chunk are allowed); Responses and images as named events whose name is the JSON's
     * {@code type}, without {@code [DONE]}, Responses from {@code response.created} to
     * {@code response.completed} (or {@code response.incomplete}).
     *
     * @param operation    the operation
     * @param events       the events, read to the end
     * @param usageAsked   whether a chat request set {@code stream_options.include_usage}
     * @return the problems, empty when well-formed
     */
    public static List<String> stream(Operation operation, List<StreamEvent> events, boolean usageAsked) {
        List<String> problems = new ArrayList<>();
        String where = operation.wireName() + " stream";
        if (events.isEmpty()) {
            problems.add(where + ": no events");
            return problems;
        }
        if (operation.namedEvents()) {
            for (StreamEvent event : events) {
                if (event.isDone()) {
                    problems.add(where + ": named-event streams end without [DONE]");
                    continue;
                }
                JsonObject json = json(event, where, problems);
                if (json != null) {
                    expect(problems, event.event() != null && event.event().equals(json.getString("type", null)),
                            where + ": event name '" + event.event() + "' differs from its type '"
                                    + json.getString("type", null) + "'");
                }
            }
            if (operation == Operation.MESSAGES) {
                List<String> names = events.stream().map(StreamEvent::event).toList();
                expect(problems, "message_start".equals(names.get(0)), where + ": the first event is "
                        + names.get(0) + ", not message_start");
                expect(problems, "message_stop".equals(names.get(names.size() - 1)), where + ": the last event is "
                        + names.get(names.size() - 1) + ", not message_stop");
                expect(problems, names.contains("message_delta"), where + ": no message_delta (stop reason, usage)");
                long starts = names.stream().filter("content_block_start"::equals).count();
                long stops = names.stream().filter("content_block_stop"::equals).count();
                expect(problems, starts == stops, where + ": " + starts + " content blocks started but " + stops
                        + " stopped");
            }
            if (operation == Operation.RESPONSES) {
                expect(problems, "response.created".equals(events.get(0).event()), where + ": the first event is "
                        + events.get(0).event() + ", not response.created");
                String last = events.get(events.size() - 1).event();
                expect(problems, "response.completed".equals(last) || "response.incomplete".equals(last),
                        where + ": the last event is " + last + ", not response.completed");
            }
            return problems;
        }
        expect(problems, events.get(events.size() - 1).isDone(), where + ": does not end with [DONE]");
        String object = operation == Operation.CHAT_COMPLETION ? "chat.completion.chunk" : "text_completion";
        boolean usageChunk = false;
        for (StreamEvent event : events) {
            expect(problems, event.event() == null, where + ": unexpected event name " + event.event());
            if (event.isDone()) {
                continue;
            }
            JsonObject chunk = json(event, where, problems);
            if (chunk == null) {
                continue;
            }
            JsonArray choices = array(chunk, "choices");
            if (choices != null && choices.isEmpty()) {
                usageChunk |= chunk.get("usage") instanceof JsonObject;
                if (!(chunk.get("usage") instanceof JsonObject)) {
                    continue; // a filter-results chunk (Azure's prompt_filter_results) carries no object type
                }
            }
            expect(problems, object.equals(chunk.getString("object", "")), where + ": chunk object "
                    + chunk.getString("object", "?") + ", not " + object);
        }
        if (operation == Operation.CHAT_COMPLETION && usageAsked) {
            expect(problems, usageChunk, where + ": no usage chunk although stream_options.include_usage was set");
        }
        return problems;
    }

    /**
     * A minimal request body for an operation, as the checks send it: one user message for chat, a
     * prompt for text completions and images, an input for Responses, two inputs for embeddings
     * ({@link #complete} expects two embeddings back), a query and two documents for rerank, {@code {}}
     * for the model list, one user message and {@code max_tokens} for Anthropic's Messages (and its token count). A streamed chat request asks
     * for the usage chunk.
     *
     * @param operation the operation
     * @param model     the model as the receiver expects it: bare for a provider, {@code provider/model}
     *                  for a gateway
     * @param stream    whether to ask for a stream
     * @return the JSON text
     */
    public static String requestBody(Operation operation, String model, boolean stream) {
        String common = "\"model\":\"" + model + "\"" + (stream ? ",\"stream\":true" : "");
        return switch (operation) {
            case CHAT_COMPLETION -> "{" + common + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]"
                    + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "") + "}";
            case TEXT_COMPLETION -> "{" + common + ",\"prompt\":\"Say hello\"}";
            case RESPONSES -> "{" + common + ",\"input\":\"Say hello\"}";
            case EMBEDDING -> "{" + common + ",\"input\":[\"hello\",\"world\"]}";
            case IMAGE_GENERATION -> "{" + common + ",\"prompt\":\"a red fox\"}";
            case MESSAGES -> "{" + common + ",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":"
                    + "\"Say hello\"}]}";
            case COUNT_TOKENS -> "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                    + "\"Say hello\"}]}";
            case RERANK -> "{" + common + ",\"query\":\"capital of France\",\"documents\":[\"Berlin is in Germany\","
                    + "\"Paris is the capital of France\"]}";
            default -> "{}";
        };
    }

    private static JsonObject json(StreamEvent event, String where, List<String> problems) {
        try {
            return event.json();
        } catch (GatewayException notJson) {
            problems.add(where + ": an event is not a JSON object: " + abbreviate(event.data()));
            return null;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }

    private static JsonArray array(JsonObject object, String name) {
        return object.get(name) instanceof JsonArray array ? array : null;
    }

    private static JsonObject object(JsonObject object, String name) {
        return object.get(name) instanceof JsonObject value ? value : null;
    }

    private static void expect(List<String> problems, boolean condition, String problem) {
        if (!condition) {
            problems.add(problem);
        }
    }
}
