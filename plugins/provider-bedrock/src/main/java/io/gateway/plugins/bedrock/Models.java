package io.gateway.plugins.bedrock;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Response;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The model list from Bedrock's control plane in the region of the attempt's key: the foundation
 * models that can be invoked on demand ({@code GET /foundation-models?byInferenceType=ON_DEMAND}),
 * then the inference profiles ({@code GET /inference-profiles}, paged), whose ids
 * ({@code us.anthropic.claude-…}) are what newer models must be called with. A key whose policy does
 * not allow {@code bedrock:ListInferenceProfiles} (403) still gets the foundation models. Stateless.
 */
final class Models {

    private static final int PAGE_SIZE = 1000;
    private static final int MAX_PAGES = 10;

    private Models() {
    }

    static Response call(BedrockCalls calls, ProviderCall call) {
        JsonArrayBuilder data = Json.array();
        Set<String> seen = new HashSet<>();
        Answer<JsonObject> models = calls.get(call, calls.control(call, "foundation-models?byInferenceType=ON_DEMAND"));
        Headers relayed = models.headers();
        JsonArray summaries = Json.arrayField(models.body(), "modelSummaries");
        if (summaries != null) {
            for (JsonValue value : summaries) {
                if (value instanceof JsonObject model && onDemand(model)) {
                    add(data, seen, Json.text(model, "modelId"), Json.text(model, "providerName"));
                }
            }
        }
        String next = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            String query = "inference-profiles?maxResults=" + PAGE_SIZE
                    + (next == null ? "" : "&nextToken=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            Answer<JsonObject> profiles;
            try {
                profiles = calls.get(call, calls.control(call, query));
            } catch (GatewayException e) {
                if (e.status() == 403) {
                    break; // the key may list models but not profiles
                }
                throw e;
            }
            JsonArray list = Json.arrayField(profiles.body(), "inferenceProfileSummaries");
            if (list != null) {
                for (JsonValue value : list) {
                    if (value instanceof JsonObject profile && !"DISABLED".equals(Json.text(profile, "status"))) {
                        add(data, seen, Json.text(profile, "inferenceProfileId"), "aws");
                    }
                }
            }
            next = Json.text(profiles.body(), "nextToken");
            if (next == null || next.isEmpty()) {
                break;
            }
        }
        return Response.Complete.of(200, relayed, Json.object().add("object", "list").add("data", data).build());
    }

    /** Models without {@code inferenceTypesSupported} are listed; those that name it need ON_DEMAND. */
    private static boolean onDemand(JsonObject model) {
        JsonArray types = Json.arrayField(model, "inferenceTypesSupported");
        if (types == null) {
            return true;
        }
        for (JsonValue type : types) {
            if (type instanceof JsonString string && string.getString().equals("ON_DEMAND")) {
                return true;
            }
        }
        return false;
    }

    private static void add(JsonArrayBuilder data, Set<String> seen, String id, String owner) {
        if (id == null || id.isBlank() || !seen.add(id)) {
            return;
        }
        data.add(Json.object()
                .add("id", id)
                .add("object", "model")
                .add("created", 0)
                .add("owned_by", owner == null ? "aws" : owner));
    }
}
