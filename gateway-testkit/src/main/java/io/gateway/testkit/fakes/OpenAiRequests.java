package io.gateway.testkit.fakes;

import static io.gateway.testkit.fakes.FakeJson.arrayField;
import static io.gateway.testkit.fakes.FakeJson.objectField;
import static io.gateway.testkit.fakes.FakeJson.text;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The request checks of OpenAI's API, shared by {@link FakeOpenAi} and {@link FakeAzure} (Azure OpenAI
 * takes OpenAI's bodies): unknown top-level fields refused ({@code Unrecognized request argument
 * supplied}), required fields per operation, chat roles, {@code tool} messages answering the preceding
 * {@code tool_calls} and every tool call answered, {@code tool_choice} only with {@code tools} and naming
 * a declared function, {@code stream_options} only when streaming, and value ranges ({@code temperature},
 * {@code top_p}, {@code n}, {@code max_tokens}, {@code dimensions}, image {@code size},
 * {@code response_format}). Failures are 400 {@code invalid_request_error} with a {@code param} and a
 * {@code code}, in OpenAI's error shape. Stateless.
 */
final class OpenAiRequests {

    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Set<String> CHAT_FIELDS = Set.of("model", "messages", "frequency_penalty", "logit_bias",
            "logprobs", "top_logprobs", "max_tokens", "max_completion_tokens", "n", "presence_penalty",
            "response_format", "seed", "stop", "stream", "stream_options", "temperature", "top_p", "tools",
            "tool_choice", "parallel_tool_calls", "user", "function_call", "functions",
            "reasoning_effort", "store", "metadata", "modalities", "audio", "prediction", "service_tier",
            "web_search_options", "safety_identifier", "prompt_cache_key", "verbosity");
    private static final Set<String> COMPLETION_FIELDS = Set.of("model", "prompt", "best_of", "echo",
            "frequency_penalty", "logit_bias", "logprobs", "max_tokens", "n", "presence_penalty", "seed", "stop",
            "stream", "stream_options", "suffix", "temperature", "top_p", "user");
    private static final Set<String> EMBEDDING_FIELDS = Set.of("model", "input", "encoding_format", "dimensions",
            "user");
    private static final Set<String> IMAGE_FIELDS = Set.of("model", "prompt", "n", "size", "quality", "style",
            "response_format", "user", "background", "moderation", "output_format", "output_compression",
            "stream", "partial_images", "input_fidelity");
    private static final Set<String> RESPONSES_FIELDS = Set.of("model", "input", "instructions", "tools",
            "tool_choice", "parallel_tool_calls", "max_output_tokens", "max_tool_calls", "temperature", "top_p",
            "stream", "stream_options", "store", "metadata", "previous_response_id", "reasoning", "text", "user",
            "truncation", "include", "background", "service_tier", "top_logprobs", "prompt", "prompt_cache_key",
            "safety_identifier", "conversation");
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
    private static final Set<String> IMAGE_SIZES = Set.of("auto", "256x256", "512x512", "1024x1024", "1792x1024",
            "1024x1792", "1536x1024", "1024x1536");

    static Invalid invalid(String param, String code, String message) {
        return new Invalid(message, param, code);
    }

    /** A request OpenAI refuses: 400 {@code invalid_request_error} with {@code param} and {@code code}. */
    static final class Invalid extends FakeJson.Rejection {
        private final String param;
        private final String code;

        Invalid(String message, String param, String code) {
            super(400, "invalid_request_error", message);
            this.param = param;
            this.code = code;
        }

        /**
         * The OpenAI error body for this refusal.
         *
         * @return {@code {"error":{"message","type","param","code"}}}
         */
        JsonObject body() {
            JsonObjectBuilder error = FakeJson.object().add("message", getMessage()).add("type", kind());
            error.add("param", param == null ? JsonValue.NULL : FakeJson.JSON.createValue(param));
            error.add("code", code == null ? JsonValue.NULL : FakeJson.JSON.createValue(code));
            return FakeJson.object().add("error", error).build();
        }
    }

    /**
     * Checks a request body of an operation as OpenAI's API does.
     *
     * @param operation the path below {@code /v1/}: {@code chat/completions}, {@code completions},
     *                  {@code embeddings}, {@code images/generations} or {@code responses}
     * @param body      the body
     * @param extra     top-level fields a compatible service accepts besides OpenAI's
     * @throws Invalid for what OpenAI refuses
     */
    static void validate(String operation, JsonObject body, Set<String> extra) {
        switch (operation) {
            case "chat/completions" -> validateChat(body, extra);
            case "completions" -> validateCompletion(body, extra);
            case "embeddings" -> validateEmbeddings(body, extra);
            case "images/generations" -> validateImages(body, extra);
            case "responses" -> validateResponses(body, extra);
            default -> throw new IllegalArgumentException("not an OpenAI operation: " + operation);
        }
    }

    private static void unknownFields(JsonObject body, Set<String> known, Set<String> extra) {
        for (String field : FakeJson.unknownKeys(body, known)) {
            if (extra.contains(field)) {
                continue;
            }
            throw invalid(field, "unknown_parameter", "Unrecognized request argument supplied: " + field);
        }
    }

    private static void missing(String field) {
        throw invalid(field, "missing_required_parameter", "Missing required parameter: '" + field + "'.");
    }

    private static void range(JsonObject body, String field, double min, double max) {
        if (body.containsKey(field) && body.get(field) != JsonValue.NULL && !FakeJson.inRange(body.get(field), min, max)) {
            throw invalid(field, "invalid_value", "Invalid '" + field + "': expected a number between " + min
                    + " and " + max + ", but got " + body.get(field) + " instead.");
        }
    }

    private static void positiveInteger(JsonObject body, String field, long max) {
        JsonValue value = body.get(field);
        if (value != null && value != JsonValue.NULL && !(FakeJson.isInteger(value, 1)
                && ((JsonNumber) value).longValue() <= max)) {
            throw invalid(field, "integer_below_min_value", "Invalid '" + field + "': integer between 1 and " + max
                    + " expected, got " + value + ".");
        }
    }

    private static void streamOptions(JsonObject body) {
        JsonValue stream = body.get("stream");
        if (stream != null && stream != JsonValue.TRUE && stream != JsonValue.FALSE && stream != JsonValue.NULL) {
            throw invalid("stream", "invalid_type", "Invalid type for 'stream': expected a boolean, but got "
                    + stream + " instead.");
        }
        if (body.containsKey("stream_options") && body.get("stream_options") != JsonValue.NULL
                && stream != JsonValue.TRUE) {
            throw invalid("stream_options", "invalid_value", "The 'stream_options' parameter is only allowed when"
                    + " 'stream' is enabled.");
        }
    }

    private static void validateChat(JsonObject body, Set<String> extra) {
        unknownFields(body, CHAT_FIELDS, extra);
        if (!body.containsKey("messages")) {
            missing("messages");
        }
        if (!(body.get("messages") instanceof JsonArray messages)) {
            throw invalid("messages", "invalid_type", "Invalid type for 'messages': expected an array.");
        }
        if (messages.isEmpty()) {
            throw invalid("messages", "empty_array", "Invalid 'messages': empty array. Expected an array with"
                    + " minimum length 1, but got an empty array instead.");
        }
        Set<String> pending = new LinkedHashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            String param = "messages[" + i + "]";
            if (!(messages.get(i) instanceof JsonObject message)) {
                throw invalid(param, "invalid_type", "Invalid type for '" + param + "': expected an object.");
            }
            String role = text(message, "role");
            if (role == null) {
                throw invalid(param + ".role", "missing_required_parameter", "Missing required parameter: '"
                        + param + ".role'.");
            }
            if (!ROLES.contains(role)) {
                throw invalid(param + ".role", "invalid_value", "Invalid value: '" + role + "'. Supported values are:"
                        + " 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.");
            }
            if (role.equals("tool")) {
                String id = text(message, "tool_call_id");
                if (id == null || !pending.remove(id)) {
                    throw invalid(param + ".role", null, "Invalid parameter: messages with role 'tool' must be a"
                            + " response to a preceeding message with 'tool_calls'.");
                }
                continue;
            }
            if (!pending.isEmpty()) {
                throw invalid("messages.[" + (i - 1) + "].role", null, "An assistant message with 'tool_calls' must"
                        + " be followed by tool messages responding to each 'tool_call_id'. The following"
                        + " tool_call_ids did not have response messages: " + String.join(", ", pending));
            }
            JsonValue content = message.get("content");
            JsonArray toolCalls = arrayField(message, "tool_calls");
            if ((content == null || content == JsonValue.NULL) && !(role.equals("assistant")
                    && (toolCalls != null || message.containsKey("function_call")))) {
                throw invalid(param + ".content", "missing_required_parameter", "Missing required parameter: '"
                        + param + ".content'.");
            }
            if (toolCalls != null) {
                if (!role.equals("assistant")) {
                    throw invalid(param + ".tool_calls", "invalid_value", "Only assistant messages can have"
                            + " tool_calls.");
                }
                for (JsonValue call : toolCalls) {
                    String id = call instanceof JsonObject object ? text(object, "id") : null;
                    JsonObject function = call instanceof JsonObject object ? objectField(object, "function") : null;
                    if (id == null || function == null || text(function, "name") == null
                            || text(function, "arguments") == null) {
                        throw invalid(param + ".tool_calls", "invalid_value", "Each tool call needs an id and a"
                                + " function with name and arguments.");
                    }
                    pending.add(id);
                }
            }
        }
        if (!pending.isEmpty()) {
            throw invalid("messages", null, "An assistant message with 'tool_calls' must be followed by tool messages"
                    + " responding to each 'tool_call_id'. The following tool_call_ids did not have response"
                    + " messages: " + String.join(", ", pending));
        }
        range(body, "temperature", 0, 2);
        range(body, "top_p", 0, 1);
        range(body, "frequency_penalty", -2, 2);
        range(body, "presence_penalty", -2, 2);
        positiveInteger(body, "n", 128);
        positiveInteger(body, "max_tokens", Integer.MAX_VALUE);
        positiveInteger(body, "max_completion_tokens", Integer.MAX_VALUE);
        streamOptions(body);
        Set<String> names = new HashSet<>();
        if (body.containsKey("tools")) {
            if (!(body.get("tools") instanceof JsonArray tools)) {
                throw invalid("tools", "invalid_type", "Invalid type for 'tools': expected an array.");
            }
            for (int i = 0; i < tools.size(); i++) {
                JsonObject tool = tools.get(i) instanceof JsonObject object ? object : null;
                JsonObject function = objectField(tool, "function");
                String name = text(function, "name");
                if (tool == null || !"function".equals(text(tool, "type")) && !"custom".equals(text(tool, "type"))) {
                    throw invalid("tools[" + i + "].type", "invalid_value", "Invalid value for 'tools[" + i
                            + "].type'.");
                }
                if ("function".equals(text(tool, "type")) && (name == null || !FUNCTION_NAME.matcher(name).matches())) {
                    throw invalid("tools[" + i + "].function.name", "invalid_value", "Invalid 'tools[" + i
                            + "].function.name': string does not match pattern. Expected a string that matches the"
                            + " pattern '^[a-zA-Z0-9_-]+$'.");
                }
                names.add(name);
            }
        }
        JsonValue choice = body.get("tool_choice");
        if (choice != null && choice != JsonValue.NULL) {
            if (!body.containsKey("tools")) {
                throw invalid("tool_choice", null, "Invalid value for 'tool_choice': 'tool_choice' is only allowed"
                        + " when 'tools' are specified.");
            }
            if (choice instanceof JsonString string) {
                if (!Set.of("none", "auto", "required").contains(string.getString())) {
                    throw invalid("tool_choice", "invalid_value", "Invalid value: '" + string.getString()
                            + "'. Supported values are: 'none', 'auto', and 'required'.");
                }
            } else if (choice instanceof JsonObject object) {
                String name = text(objectField(object, "function"), "name");
                if ("function".equals(text(object, "type")) && !names.contains(name)) {
                    throw invalid("tool_choice", null, "Invalid value for 'tool_choice': function '" + name
                            + "' is not among the tools.");
                }
            } else {
                throw invalid("tool_choice", "invalid_type", "Invalid type for 'tool_choice'.");
            }
        }
    }

    private static void validateCompletion(JsonObject body, Set<String> extra) {
        unknownFields(body, COMPLETION_FIELDS, extra);
        JsonValue prompt = body.get("prompt");
        if (prompt == null || prompt == JsonValue.NULL) {
            missing("prompt");
        }
        range(body, "temperature", 0, 2);
        range(body, "top_p", 0, 1);
        positiveInteger(body, "n", 128);
        positiveInteger(body, "max_tokens", Integer.MAX_VALUE);
        streamOptions(body);
    }

    private static void validateEmbeddings(JsonObject body, Set<String> extra) {
        unknownFields(body, EMBEDDING_FIELDS, extra);
        JsonValue input = body.get("input");
        if (input == null || input == JsonValue.NULL) {
            missing("input");
        }
        boolean empty = input instanceof JsonString string ? string.getString().isEmpty()
                : !(input instanceof JsonArray array) || array.isEmpty();
        if (empty) {
            throw invalid("input", "invalid_value", "'$.input' is invalid. Please check the API reference:"
                    + " https://platform.openai.com/docs/api-reference.");
        }
        String format = text(body, "encoding_format");
        if (body.containsKey("encoding_format") && !"float".equals(format) && !"base64".equals(format)) {
            throw invalid("encoding_format", "invalid_value", "Invalid value: '" + body.get("encoding_format")
                    + "'. Supported values are: 'float' and 'base64'.");
        }
        positiveInteger(body, "dimensions", 3072);
    }

    private static void validateImages(JsonObject body, Set<String> extra) {
        unknownFields(body, IMAGE_FIELDS, extra);
        if (!(body.get("prompt") instanceof JsonString prompt) || prompt.getString().isBlank()) {
            missing("prompt");
            return;
        }
        positiveInteger(body, "n", 10);
        String size = text(body, "size");
        if (body.containsKey("size") && !IMAGE_SIZES.contains(size)) {
            throw invalid("size", "invalid_value", "Invalid value: '" + body.get("size") + "'. Supported values are:"
                    + " " + String.join(", ", IMAGE_SIZES) + ".");
        }
        String format = text(body, "response_format");
        if (body.containsKey("response_format") && !"url".equals(format) && !"b64_json".equals(format)) {
            throw invalid("response_format", "invalid_value", "Invalid value: '" + body.get("response_format")
                    + "'. Supported values are: 'url' and 'b64_json'.");
        }
        JsonValue partial = body.get("partial_images");
        if (partial != null && !(FakeJson.isInteger(partial, 0) && ((JsonNumber) partial).intValue() <= 3)) {
            throw invalid("partial_images", "invalid_value", "Invalid 'partial_images': expected an integer between"
                    + " 0 and 3.");
        }
        streamOptions(body);
    }

    private static void validateResponses(JsonObject body, Set<String> extra) {
        unknownFields(body, RESPONSES_FIELDS, extra);
        JsonValue input = body.get("input");
        if (input == null || input == JsonValue.NULL) {
            missing("input");
        }
        if (!(input instanceof JsonString) && !(input instanceof JsonArray)) {
            throw invalid("input", "invalid_type", "Invalid type for 'input': expected a string or an array.");
        }
        range(body, "temperature", 0, 2);
        range(body, "top_p", 0, 1);
        positiveInteger(body, "max_output_tokens", Integer.MAX_VALUE);
    }

    private OpenAiRequests() {
    }
}
