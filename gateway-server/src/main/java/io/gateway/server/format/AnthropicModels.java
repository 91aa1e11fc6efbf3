package io.gateway.server.format;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's model list in Anthropic's format ({@code GET /anthropic/v1/models}): each model as
 * {@code {"type": "model", "id", "display_name", "created_at"}}, paged with {@code limit},
 * {@code after_id} and {@code before_id} as Anthropic pages it. Ids are the gateway's
 * {@code provider/model} names, which the Messages route takes as they are. Stateless.
 */
public final class AnthropicModels {

    /** Anthropic's default page size. */
    static final int DEFAULT_LIMIT = 20;
    /** Anthropic's largest page size. */
    static final int MAX_LIMIT = 1000;

    private AnthropicModels() {
    }

    /**
     * One page of the list.
     *
     * @param openAiList the merged OpenAI-format list ({@code {"object": "list", "data": [...]}})
     * @param limit      page size, 1..1000 ({@code null}: 20)
     * @param afterId    the page starts after this id, or {@code null}
     * @param beforeId   the page ends before this id, or {@code null}
     * @return the page
     */
    public static JsonObject page(JsonObject openAiList, Integer limit, String afterId, String beforeId) {
        List<JsonObject> models = new ArrayList<>();
        if (openAiList.get("data") instanceof JsonArray data) {
            for (JsonValue value : data) {
                if (value instanceof JsonObject model && model.get("id") instanceof JsonString id) {
                    long created = model.get("created") instanceof JsonNumber n ? n.longValue() : 0;
                    models.add(JsonBodies.provider().createObjectBuilder()
                            .add("type", "model")
                            .add("id", id.getString())
                            .add("display_name", id.getString())
                            .add("created_at", Instant.ofEpochSecond(Math.max(0, created)).toString())
                            .build());
                }
            }
        }
        int size = limit == null ? DEFAULT_LIMIT : Math.max(1, Math.min(MAX_LIMIT, limit));
        int from = 0;
        int to = models.size();
        if (afterId != null) {
            from = indexOf(models, afterId) + 1;
            to = Math.min(models.size(), from + size);
        } else if (beforeId != null) {
            to = Math.max(0, indexOf(models, beforeId));
            from = Math.max(0, to - size);
        } else {
            to = Math.min(models.size(), size);
        }
        if (from > to) {
            from = to;
        }
        List<JsonObject> page = models.subList(from, to);
        JsonArrayBuilder out = JsonBodies.provider().createArrayBuilder();
        page.forEach(out::add);
        boolean more = beforeId != null ? from > 0 : to < models.size();
        return JsonBodies.provider().createObjectBuilder()
                .add("data", out)
                .add("has_more", more)
                .add("first_id", page.isEmpty() ? JsonValue.NULL : JsonBodies.provider().createValue(
                        page.getFirst().getString("id")))
                .add("last_id", page.isEmpty() ? JsonValue.NULL : JsonBodies.provider().createValue(
                        page.getLast().getString("id")))
                .build();
    }

    /**
     * One model of the list.
     *
     * @param openAiList the merged OpenAI-format list
     * @param id         the model's id
     * @return the model, or {@code null} when the list has none of that id
     */
    public static JsonObject model(JsonObject openAiList, String id) {
        JsonObject all = page(openAiList, MAX_LIMIT, null, null);
        for (JsonValue value : all.getJsonArray("data")) {
            if (value instanceof JsonObject model && id.equals(model.getString("id"))) {
                return model;
            }
        }
        return null;
    }

    private static int indexOf(List<JsonObject> models, String id) {
        for (int i = 0; i < models.size(); i++) {
            if (models.get(i).getString("id").equals(id)) {
                return i;
            }
        }
        return -1;
    }
}
