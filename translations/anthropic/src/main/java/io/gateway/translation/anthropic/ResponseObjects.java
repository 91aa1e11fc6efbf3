package io.gateway.translation.anthropic;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The OpenAI Response object. It carries every field the Responses API returns, echoing the request's
 * settings where it has them, because typed SDKs treat fields such as {@code tools} or
 * {@code parallel_tool_calls} as required. {@code store} is {@code false}: nothing is stored, so the
 * response cannot be retrieved or continued by id.
 */
final class ResponseObjects {

    private ResponseObjects() {
    }

    /**
     * A Response object.
     *
     * @param request          the client's request
     * @param id               the response id ({@code resp_…})
     * @param createdAt        epoch seconds
     * @param model            the model
     * @param status           {@code in_progress}, {@code completed} or {@code incomplete}
     * @param incompleteReason why it is incomplete, or {@code null}
     * @param output           the output items
     * @param usage            the usage, or JSON {@code null} while in progress
     * @return the object
     */
    static JsonObject response(JsonObject request, String id, long createdAt, String model, String status,
                               String incompleteReason, JsonArray output, JsonValue usage) {
        JsonObject reasoning = Json.objectField(request, "reasoning");
        return Json.object()
                .add("id", id)
                .add("object", "response")
                .add("created_at", createdAt)
                .add("status", status)
                .add("background", false)
                .add("error", JsonValue.NULL)
                .add("incomplete_details", incompleteReason == null ? JsonValue.NULL
                        : Json.object().add("reason", incompleteReason).build())
                .add("instructions", echo(request, "instructions", JsonValue.NULL))
                .add("max_output_tokens", echo(request, "max_output_tokens", JsonValue.NULL))
                .add("model", model)
                .add("output", output)
                .add("parallel_tool_calls", echo(request, "parallel_tool_calls", JsonValue.TRUE))
                .add("previous_response_id", JsonValue.NULL)
                .add("reasoning", Json.object()
                        .add("effort", echo(reasoning, "effort", JsonValue.NULL))
                        .add("summary", echo(reasoning, "summary", JsonValue.NULL)))
                .add("store", false)
                .add("temperature", echo(request, "temperature", Json.number(1.0)))
                .add("text", echo(request, "text", Json.object()
                        .add("format", Json.object().add("type", "text"))
                        .build()))
                .add("tool_choice", echo(request, "tool_choice", Json.string("auto")))
                .add("tools", echo(request, "tools", JsonValue.EMPTY_JSON_ARRAY))
                .add("top_p", echo(request, "top_p", Json.number(1.0)))
                .add("truncation", echo(request, "truncation", Json.string("disabled")))
                .add("usage", usage)
                .add("user", echo(request, "user", JsonValue.NULL))
                .add("metadata", echo(request, "metadata", JsonValue.EMPTY_JSON_OBJECT))
                .build();
    }

    private static JsonValue echo(JsonObject object, String field, JsonValue fallback) {
        JsonValue value = object == null ? null : object.get(field);
        return Json.absent(value) ? fallback : value;
    }
}
