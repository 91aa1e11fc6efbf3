package io.gateway.plugins.cohere;

import io.gateway.spi.Headers;
import io.gateway.spi.Response;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code models}: Cohere's {@code GET /v1/models}, every page of it (at most {@value #MAX_PAGES}), as
 * OpenAI's model list.
 */
final class Models {

    static final int PAGE_SIZE = 1000;
    static final int MAX_PAGES = 10;

    private Models() {
    }

    static Response call(CohereProvider provider, ProviderCall call) {
        JsonArrayBuilder data = Json.array();
        Headers headers = Headers.empty();
        String token = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            String query = "?page_size=" + PAGE_SIZE + (token == null ? ""
                    : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            Answer<JsonObject> answer = provider.models(call, query);
            headers = answer.headers();
            JsonArray models = Json.arrayField(answer.body(), "models");
            if (models != null) {
                for (JsonValue value : models) {
                    String name = value instanceof JsonObject model ? Json.text(model, "name") : null;
                    if (name != null) {
                        data.add(Json.object().add("id", name).add("object", "model").add("created", 0)
                                .add("owned_by", "cohere"));
                    }
                }
            }
            token = Json.text(answer.body(), "next_page_token");
            if (token == null || token.isEmpty()) {
                break;
            }
        }
        return Response.Complete.of(200, headers, Json.object().add("object", "list").add("data", data).build());
    }
}
