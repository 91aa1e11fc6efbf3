package io.gateway.translation.gemini;

import io.gateway.spi.GatewayException;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.EventStream;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
import io.gateway.toolkit.openai.OpenAiRequests;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code chat/completions} through {@code generateContent} ({@code streamGenerateContent?alt=sse} for
 * streams).
 */
final class ChatCompletions {

    private ChatCompletions() {
    }

    static Response call(GeminiTransport provider, ProviderCall call) {
        JsonObject request = request(call.body());
        if (call.stream()) {
            Answer<EventStream> events = provider.events(call,
                    provider.endpoint(call.model(), "streamGenerateContent", true), request);
            return new Response.Streaming(events.status(), events.headers(), new ChatStream(events.body(),
                    call.model(), provider.now(), OpenAiRequests.includeUsage(call.body())));
        }
        Answer<JsonObject> answer = provider.postForJson(call,
                provider.endpoint(call.model(), "generateContent", false), request);
        return Response.Complete.of(200, answer.headers(), completion(answer.body(), call.model(), provider.now()));
    }

    // ---------------------------------------------------------------- request

    static JsonObject request(JsonObject body) {
        JsonArray messages = RequestFields.optionalArray(body, "messages", "messages");
        if (messages == null || messages.isEmpty()) {
            throw GatewayException.invalidRequest("'messages' must be a non-empty array", "messages");
        }
        Conversation conversation = new Conversation();
        for (int i = 0; i < messages.size(); i++) {
            if (!(messages.get(i) instanceof JsonObject message)) {
                throw GatewayException.invalidRequest("each message must be an object", "messages");
            }
            message(conversation, message, "messages[" + i + "]");
        }
        JsonObjectBuilder request = Json.object();
        conversation.writeTo(request, "messages");
        Tools.apply(body, request, false);
        Generation.writeTo(generationConfig(body), request);
        return request.build();
    }

    private static void message(Conversation conversation, JsonObject message, String param) {
        String role = Json.text(message, "role");
        if (role == null) {
            throw GatewayException.invalidRequest("every message needs a role", param);
        }
        JsonValue content = message.get("content");
        switch (role) {
            case "system", "developer" -> {
                if (content instanceof JsonArray parts) {
                    for (JsonValue part : parts) {
                        conversation.system(Parts.plainText(Json.array().add(part).build(), param));
                    }
                } else {
                    conversation.system(Parts.plainText(content, param));
                }
            }
            case "user" -> conversation.user(userParts(content, param));
            case "assistant" -> {
                conversation.modelText(Parts.plainText(content, param));
                JsonArray toolCalls = RequestFields.optionalArray(message, "tool_calls", param + ".tool_calls");
                if (toolCalls != null) {
                    for (JsonValue value : toolCalls) {
                        if (!(value instanceof JsonObject toolCall)) {
                            throw GatewayException.invalidRequest("each tool call must be an object", param);
                        }
                        JsonObject function = Json.objectField(toolCall, "function");
                        if (function == null) {
                            throw GatewayException.invalidRequest("a tool call needs a 'function' object", param);
                        }
                        conversation.functionCall(Json.text(toolCall, "id"), Json.text(function, "name"),
                                Json.text(function, "arguments"), signature(toolCall), param);
                    }
                }
                JsonObject legacyCall = Json.objectField(message, "function_call");
                if (legacyCall != null) {
                    conversation.functionCall(null, Json.text(legacyCall, "name"),
                            Json.text(legacyCall, "arguments"), null, param);
                }
            }
            case "tool" -> conversation.functionResult(Json.text(message, "tool_call_id"),
                    Parts.plainText(content, param), param);
            case "function" -> {
                String name = Json.text(message, "name");
                if (name == null) {
                    throw GatewayException.invalidRequest("a function message needs a name", param);
                }
                conversation.functionResultNamed(name, Parts.plainText(content, param));
            }
            default -> throw GatewayException.invalidRequest("unknown message role '" + role + "'", param);
        }
    }

    /** The thought signature a client handed back with a tool call, as Gemini's OpenAI layer names it. */
    static String signature(JsonObject toolCall) {
        JsonObject google = Json.objectField(Json.objectField(toolCall, "extra_content"), "google");
        return Json.text(google, "thought_signature");
    }

    private static List<JsonObject> userParts(JsonValue content, String param) {
        List<JsonObject> parts = new ArrayList<>();
        if (content instanceof JsonString string) {
            if (!string.getString().isEmpty()) {
                parts.add(Parts.text(string.getString()));
            }
            return parts;
        }
        if (!(content instanceof JsonArray array)) {
            throw GatewayException.invalidRequest("user content must be a string or an array of parts", param);
        }
        for (JsonValue value : array) {
            if (!(value instanceof JsonObject part)) {
                throw GatewayException.invalidRequest("content parts must be objects", param);
            }
            String type = Json.text(part, "type");
            switch (type == null ? "" : type) {
                case "text" -> {
                    String text = Json.text(part, "text");
                    if (text == null) {
                        throw GatewayException.invalidRequest("a text part needs 'text'", param);
                    }
                    if (!text.isEmpty()) {
                        parts.add(Parts.text(text));
                    }
                }
                case "image_url" -> {
                    JsonValue image = part.get("image_url");
                    String url = image instanceof JsonObject object ? Json.text(object, "url")
                            : image instanceof JsonString string ? string.getString() : null;
                    parts.add(Parts.fromUrl(url, "image/jpeg", param));
                }
                case "input_audio" -> {
                    JsonObject audio = Json.objectField(part, "input_audio");
                    parts.add(Parts.inline(Parts.audioType(Json.text(audio, "format")), Json.text(audio, "data"),
                            param));
                }
                case "file" -> {
                    JsonObject file = Json.objectField(part, "file");
                    String data = Json.text(file, "file_data");
                    if (data == null) {
                        throw GatewayException.invalidRequest("gemini needs files inline as 'file_data' data: URLs;"
                                + " uploaded file ids are not supported", param);
                    }
                    parts.add(data.startsWith("data:") ? Parts.fromDataUrl(data, param)
                            : Parts.inline(Parts.guessType(String.valueOf(Json.text(file, "filename")),
                                    "application/pdf"), data, param));
                }
                default -> throw GatewayException.invalidRequest("gemini does not take content parts of type '"
                        + type + "'", param);
            }
        }
        return parts;
    }

    private static JsonObjectBuilder generationConfig(JsonObject body) {
        JsonObjectBuilder config = Json.object();
        Generation.number(body, "temperature", config, "temperature");
        Generation.number(body, "top_p", config, "topP");
        if (RequestFields.optionalNumber(body, "max_completion_tokens") != null) {
            Generation.integer(body, "max_completion_tokens", 1, config, "maxOutputTokens");
        } else {
            Generation.integer(body, "max_tokens", 1, config, "maxOutputTokens");
        }
        Generation.stop(body, config);
        Generation.integer(body, "n", 1, config, "candidateCount");
        Generation.integer(body, "seed", Integer.MIN_VALUE, config, "seed");
        Generation.number(body, "presence_penalty", config, "presencePenalty");
        Generation.number(body, "frequency_penalty", config, "frequencyPenalty");
        JsonObject format = RequestFields.optionalObject(body, "response_format", "response_format");
        Generation.responseFormat(format, Json.objectField(format, "json_schema"), config, "response_format");
        return config;
    }

    // ---------------------------------------------------------------- response

    static JsonObject completion(JsonObject response, String model, long created) {
        String seed = Ids.seed(Json.text(response, "responseId"));
        JsonArrayBuilder choices = Json.array();
        JsonArray candidates = Json.arrayField(response, "candidates");
        if (candidates == null || candidates.isEmpty()) {
            // no candidates: the prompt itself was blocked (promptFeedback.blockReason)
            String blocked = Candidates.blockReason(response);
            choices.add(choice(0, null, List.of(), seed, blocked != null ? "content_filter" : "stop"));
        } else {
            for (int i = 0; i < candidates.size(); i++) {
                JsonObject candidate = candidates.get(i) instanceof JsonObject object ? object
                        : JsonValue.EMPTY_JSON_OBJECT;
                int index = Candidates.index(candidate, i);
                Candidates.Content content = Candidates.content(candidate);
                String finish = Candidates.chatFinishReason(Json.text(candidate, "finishReason"),
                        !content.calls().isEmpty());
                choices.add(choice(index, content.text().isEmpty() ? null : content.text(), content.calls(), seed,
                        finish));
            }
        }
        return Json.object()
                .add("id", "chatcmpl-" + seed)
                .add("object", "chat.completion")
                .add("created", created)
                .add("model", model)
                .add("choices", choices)
                .add("usage", Usage.chat(Json.objectField(response, "usageMetadata")))
                .build();
    }

    private static JsonObject choice(int index, String text, List<Candidates.Call> calls, String seed,
                                     String finishReason) {
        JsonObjectBuilder message = Json.object()
                .add("role", "assistant")
                .add("content", text == null ? JsonValue.NULL : Json.string(text))
                .add("refusal", JsonValue.NULL)
                .add("annotations", Json.array());
        if (!calls.isEmpty()) {
            JsonArrayBuilder toolCalls = Json.array();
            for (int i = 0; i < calls.size(); i++) {
                toolCalls.add(toolCall(calls.get(i), Ids.call(seed, index, i)));
            }
            message.add("tool_calls", toolCalls);
        }
        return Json.object()
                .add("index", index)
                .add("message", message)
                .add("logprobs", JsonValue.NULL)
                .add("finish_reason", finishReason)
                .build();
    }

    /** An OpenAI tool call; a thought signature travels in {@code extra_content.google}. */
    static JsonObjectBuilder toolCall(Candidates.Call call, String id) {
        JsonObjectBuilder toolCall = Json.object()
                .add("id", id)
                .add("type", "function")
                .add("function", Json.object()
                        .add("name", call.name() == null ? "" : call.name())
                        .add("arguments", call.arguments()));
        if (call.signature() != null) {
            toolCall.add("extra_content", Json.object()
                    .add("google", Json.object().add("thought_signature", call.signature())));
        }
        return toolCall;
    }
}
