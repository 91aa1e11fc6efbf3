package io.gateway.plugins.anthropic;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Anthropic's model list ({@code {data: [{type: "model", id, display_name, created_at}], has_more,
 * first_id, last_id}}) as OpenAI's ({@code {object: "list", data: [{id, object: "model", created,
 * owned_by}]}}), with {@code created_at} (RFC 3339) as epoch seconds.
 */
final class Models {

    private Models() {
    }

    /**
     * Adds one page's models.
     *
     * @param page Anthropic's page
     * @param data the OpenAI list being built
     */
    static void addPage(JsonObject page, JsonArrayBuilder data) {
        JsonArray models = Json.arrayField(page, "data");
        if (models == null) {
            return;
        }
        for (JsonValue value : models) {
            if (!(value instanceof JsonObject model)) {
                continue;
            }
            String id = Json.text(model, "id");
            if (id == null || id.isBlank()) {
                continue;
            }
            data.add(Json.object()
                    .add("id", id)
                    .add("object", "model")
                    .add("created", epochSeconds(Json.text(model, "created_at")))
                    .add("owned_by", "anthropic"));
        }
    }

    static JsonObject list(JsonArrayBuilder data) {
        return Json.object().add("object", "list").add("data", data).build();
    }

    private static long epochSeconds(String timestamp) {
        if (timestamp == null) {
            return 0;
        }
        try {
            return OffsetDateTime.parse(timestamp).toEpochSecond();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }
}
