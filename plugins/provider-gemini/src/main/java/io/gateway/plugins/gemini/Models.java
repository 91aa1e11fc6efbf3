package io.gateway.plugins.gemini;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * {@code models}: Gemini's {@code models.list}, every page of it, as OpenAI's model list with bare ids
 * ({@code models/} stripped).
 */
final class Models {

    /** The largest page Gemini serves. */
    static final int PAGE_SIZE = 1000;
    /** A bound on pages, against an upstream that keeps answering page tokens. */
    static final int MAX_PAGES = 20;

    private Models() {
    }

    static Response call(GeminiProvider provider, ProviderCall call) {
        JsonArrayBuilder data = Json.array();
        String pageToken = null;
        Headers headers = Headers.empty();
        for (int page = 0; page < MAX_PAGES; page++) {
            Answer<JsonObject> answer = provider.get(call, provider.modelsEndpoint(PAGE_SIZE, pageToken));
            headers = answer.headers();
            JsonArray models = Json.arrayField(answer.body(), "models");
            if (models == null && !answer.body().containsKey("nextPageToken") && page == 0
                    && !answer.body().isEmpty()) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "gemini answered no model list");
            }
            if (models != null) {
                for (JsonValue value : models) {
                    String name = value instanceof JsonObject model ? Json.text(model, "name") : null;
                    if (name == null) {
                        continue;
                    }
                    data.add(Json.object()
                            .add("id", name.startsWith("models/") ? name.substring("models/".length()) : name)
                            .add("object", "model")
                            .add("created", 0)
                            .add("owned_by", "google"));
                }
            }
            pageToken = Json.text(answer.body(), "nextPageToken");
            if (pageToken == null || pageToken.isEmpty()) {
                break;
            }
        }
        return Response.Complete.of(200, headers, Json.object()
                .add("object", "list")
                .add("data", data)
                .build());
    }
}
