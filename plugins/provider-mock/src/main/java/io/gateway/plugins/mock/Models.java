package io.gateway.plugins.mock;

import io.gateway.toolkit.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.util.List;

/** {@code models}: the configured ids, bare, as the server qualifies them with the provider name. */
final class Models {

    private Models() {
    }

    static JsonObject body(List<String> ids, long created) {
        JsonArrayBuilder data = Json.array();
        for (String id : ids) {
            data.add(Json.object()
                    .add("id", id)
                    .add("object", "model")
                    .add("created", created)
                    .add("owned_by", "mock"));
        }
        return Json.object()
                .add("object", "list")
                .add("data", data)
                .build();
    }
}
