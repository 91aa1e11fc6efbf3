package io.gateway.translation.gemini;

import io.gateway.spi.GatewayException;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.EventStream;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.json.RequestFields;
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
 * {@code responses} through {@code generateContent}: input items become Gemini turns, the answer a
 * Response object with message and function call items. Gemini keeps no conversations, so
 * {@code previous_response_id} and {@code conversation} answer 400: send the whole conversation.
 */
final class Responses {

    private Responses() {
    }

    static Response call(GeminiTransport provider, ProviderCall call) {
        JsonObject request = request(call.body());
        if (call.stream()) {
            Answer<EventStream> events = provider.events(call,
                    provider.endpoint(call.model(), "streamGenerateContent", true), request);
            return new Response.Streaming(events.status(), events.headers(),
                    new ResponsesStream(events.body(), call.body(), call.model(), provider.now()));
        }
        Answer<JsonObject> answer = provider.postForJson(call,
                provider.endpoint(call.model(), "generateContent", false), request);
        return Response.Complete.of(200, answer.headers(),
                response(answer.body(), call.body(), call.model(), provider.now()));
    }

    // ---------------------------------------------------------------- request

    static JsonObject request(JsonObject body) {
        if (!Json.absent(body.get("previous_response_id"))) {
            throw GatewayException.invalidRequest("gemini keeps no stored responses: send the whole conversation"
                    + " in 'input' instead of 'previous_response_id'", "previous_response_id");
        }
        if (!Json.absent(body.get("conversation"))) {
            throw GatewayException.invalidRequest("gemini keeps no conversations: send the whole conversation"
                    + " in 'input'", "conversation");
        }
        Conversation conversation = new Conversation();
        String instructions = RequestFields.optionalString(body, "instructions", "instructions");
        conversation.system(instructions);
        JsonValue input = body.get("input");
        if (input instanceof JsonString string) {
            conversation.user(List.of(Parts.text(string.getString())));
        } else if (input instanceof JsonArray items) {
            for (int i = 0; i < items.size(); i++) {
                if (!(items.get(i) instanceof JsonObject item)) {
                    throw GatewayException.invalidRequest("each input item must be an object", "input");
                }
                item(conversation, item, "input[" + i + "]");
            }
        } else {
            throw GatewayException.invalidRequest("'input' must be a string or an array of input items", "input");
        }
        JsonObjectBuilder request = Json.object();
        conversation.writeTo(request, "input");
        Tools.apply(body, request, true);
        JsonObjectBuilder config = Json.object();
        Generation.number(body, "temperature", config, "temperature");
        Generation.number(body, "top_p", config, "topP");
        Generation.integer(body, "max_output_tokens", 1, config, "maxOutputTokens");
        JsonObject text = RequestFields.optionalObject(body, "text", "text");
        JsonObject format = Json.objectField(text, "format");
        Generation.responseFormat(format, format, config, "text.format");
        Generation.writeTo(config, request);
        return request.build();
    }

    private static void item(Conversation conversation, JsonObject item, String param) {
        String type = Json.text(item, "type");
        if (type == null || type.equals("message")) {
            message(conversation, item, param);
            return;
        }
        switch (type) {
            case "function_call" -> conversation.functionCall(Json.text(item, "call_id"), Json.text(item, "name"),
                    Json.text(item, "arguments"), ChatCompletions.signature(item), param);
            case "function_call_output" -> conversation.functionResult(Json.text(item, "call_id"),
                    output(item.get("output"), param), param);
            case "reasoning" -> {
                // Gemini's thinking is not replayed as text; its signatures travel with function calls
            }
            default -> throw GatewayException.invalidRequest("gemini does not take input items of type '" + type
                    + "'", param);
        }
    }

    private static String output(JsonValue output, String param) {
        if (output instanceof JsonString string) {
            return string.getString();
        }
        if (output instanceof JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (JsonValue value : parts) {
                if (value instanceof JsonObject part && Json.text(part, "text") != null) {
                    text.append(Json.text(part, "text"));
                } else {
                    throw GatewayException.invalidRequest("gemini takes text function call outputs only", param);
                }
            }
            return text.toString();
        }
        throw GatewayException.invalidRequest("'output' must be a string or an array of text parts", param);
    }

    private static void message(Conversation conversation, JsonObject item, String param) {
        String role = Json.text(item, "role");
        JsonValue content = item.get("content");
        if (role == null) {
            throw GatewayException.invalidRequest("every message item needs a role", param);
        }
        switch (role) {
            case "system", "developer" -> conversation.system(text(content, param));
            case "assistant" -> conversation.modelText(text(content, param));
            case "user" -> conversation.user(userParts(content, param));
            default -> throw GatewayException.invalidRequest("unknown message role '" + role + "'", param);
        }
    }

    /** The text of a content value: a string or text parts (input_text, output_text, refusal). */
    private static String text(JsonValue content, String param) {
        if (content instanceof JsonString string) {
            return string.getString();
        }
        if (!(content instanceof JsonArray parts)) {
            throw GatewayException.invalidRequest("'content' must be a string or an array of parts", param);
        }
        StringBuilder text = new StringBuilder();
        for (JsonValue value : parts) {
            JsonObject part = value instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
            String type = Json.text(part, "type");
            String partText = "refusal".equals(type) ? Json.text(part, "refusal") : Json.text(part, "text");
            if (partText == null) {
                throw GatewayException.invalidRequest("only text parts are allowed here, not '" + type + "'", param);
            }
            text.append(partText);
        }
        return text.toString();
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
            throw GatewayException.invalidRequest("'content' must be a string or an array of parts", param);
        }
        for (JsonValue value : array) {
            if (!(value instanceof JsonObject part)) {
                throw GatewayException.invalidRequest("content parts must be objects", param);
            }
            String type = Json.text(part, "type");
            switch (type == null ? "" : type) {
                case "input_text" -> {
                    String text = Json.text(part, "text");
                    if (text == null) {
                        throw GatewayException.invalidRequest("an input_text part needs 'text'", param);
                    }
                    if (!text.isEmpty()) {
                        parts.add(Parts.text(text));
                    }
                }
                case "input_image" -> {
                    String url = Json.text(part, "image_url");
                    if (url == null) {
                        throw GatewayException.invalidRequest("gemini needs images as 'image_url'; uploaded file ids"
                                + " are not supported", param);
                    }
                    parts.add(Parts.fromUrl(url, "image/jpeg", param));
                }
                case "input_file" -> {
                    String data = Json.text(part, "file_data");
                    String url = Json.text(part, "file_url");
                    if (data != null) {
                        parts.add(data.startsWith("data:") ? Parts.fromDataUrl(data, param)
                                : Parts.inline(Parts.guessType(String.valueOf(Json.text(part, "filename")),
                                        "application/pdf"), data, param));
                    } else if (url != null) {
                        parts.add(Parts.fromUrl(url, "application/pdf", param));
                    } else {
                        throw GatewayException.invalidRequest("gemini needs files as 'file_data' or 'file_url';"
                                + " uploaded file ids are not supported", param);
                    }
                }
                default -> throw GatewayException.invalidRequest("gemini does not take content parts of type '"
                        + type + "'", param);
            }
        }
        return parts;
    }

    // ---------------------------------------------------------------- response

    static JsonObject response(JsonObject gemini, JsonObject body, String model, long created) {
        ResponseOutput output = new ResponseOutput(Ids.seed(Json.text(gemini, "responseId")));
        JsonArray candidates = Json.arrayField(gemini, "candidates");
        if (candidates == null || candidates.isEmpty()) {
            if (Candidates.blockReason(gemini) != null) {
                output.blocked();
            }
        } else if (candidates.get(0) instanceof JsonObject candidate) {
            output.addContent(Candidates.content(candidate));
            output.finishReason(Json.text(candidate, "finishReason"));
        }
        output.closeMessage(output.status());
        output.usage(Json.objectField(gemini, "usageMetadata"));
        return body(output, output.status(), output.outputJson(), output.usageJson(), body, model, created);
    }

    /** A Response object with every field the API returns, echoing the request's settings. */
    static JsonObject body(ResponseOutput output, String status, JsonArrayBuilder items, JsonValue usage,
                           JsonObject body, String model, long created) {
        String reason = status.equals("incomplete") ? output.incompleteReason() : null;
        return Json.object()
                .add("id", "resp_" + output.seed)
                .add("object", "response")
                .add("created_at", created)
                .add("status", status)
                .add("background", false)
                .add("error", JsonValue.NULL)
                .add("incomplete_details", reason == null ? JsonValue.NULL
                        : Json.object().add("reason", reason).build())
                .add("instructions", Json.valueOr(body, "instructions", JsonValue.NULL))
                .add("max_output_tokens", Json.valueOr(body, "max_output_tokens", JsonValue.NULL))
                .add("max_tool_calls", Json.valueOr(body, "max_tool_calls", JsonValue.NULL))
                .add("model", model)
                .add("output", items)
                .add("parallel_tool_calls", Json.valueOr(body, "parallel_tool_calls", JsonValue.TRUE))
                .add("previous_response_id", JsonValue.NULL)
                .add("reasoning", Json.object().add("effort", JsonValue.NULL).add("summary", JsonValue.NULL))
                .add("service_tier", "default")
                .add("store", false)
                .add("temperature", Json.valueOr(body, "temperature", JsonValue.NULL))
                .add("text", Json.valueOr(body, "text", Json.object()
                        .add("format", Json.object().add("type", "text")).build()))
                .add("tool_choice", Json.valueOr(body, "tool_choice", Json.string("auto")))
                .add("tools", Json.valueOr(body, "tools", JsonValue.EMPTY_JSON_ARRAY))
                .add("top_p", Json.valueOr(body, "top_p", JsonValue.NULL))
                .add("truncation", Json.valueOr(body, "truncation", Json.string("disabled")))
                .add("usage", usage)
                .add("user", Json.valueOr(body, "user", JsonValue.NULL))
                .add("metadata", Json.valueOr(body, "metadata", JsonValue.EMPTY_JSON_OBJECT))
                .build();
    }
}
