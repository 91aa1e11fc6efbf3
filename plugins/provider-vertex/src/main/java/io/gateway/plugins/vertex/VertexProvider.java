package io.gateway.plugins.vertex;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.settings.KeySettings;
import io.gateway.translation.anthropic.AnthropicTranslation;
import io.gateway.translation.gemini.GeminiTranslation;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Serves OpenAI-format calls from Vertex AI. A model whose id starts with {@code claude} is a Claude model
 * and goes through the shared Anthropic translation to {@code rawPredict}; any other is a Google model and
 * goes through the shared Gemini translation to {@code generateContent} (embeddings to {@code predict}).
 * The call's key chooses the {@link VertexTarget} (project, location, credential); a provider without keys
 * has one. The model list is the configured {@code models}, when there are any (Vertex has no list of the
 * models a project may call). Thread-safe.
 */
final class VertexProvider implements Provider {

    private final String name;
    private final VertexTarget shared;
    private final KeySettings<VertexTarget> byKey;
    private final int defaultMaxTokens;
    private final List<String> models;
    private final Set<Operation> operations;

    /**
     * @param name             the provider name, for messages
     * @param shared           the target of a provider without keys (and of keys without their own), or
     *                         {@code null} when every key has one
     * @param byKey            each key's target
     * @param defaultMaxTokens {@code max_tokens} of Claude requests that set no limit
     * @param models           the ids {@code GET models} lists; empty for no model list
     */
    VertexProvider(String name, VertexTarget shared, KeySettings<VertexTarget> byKey, int defaultMaxTokens,
                   List<String> models) {
        this.name = name;
        this.shared = shared;
        this.byKey = byKey;
        this.defaultMaxTokens = defaultMaxTokens;
        this.models = List.copyOf(models);
        EnumSet<Operation> offered = EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.EMBEDDING,
                Operation.IMAGE_GENERATION);
        if (!models.isEmpty()) {
            offered.add(Operation.LIST_MODELS);
        }
        this.operations = Set.copyOf(offered);
    }

    @Override
    public Set<Operation> operations() {
        return operations;
    }

    @Override
    public Response call(ProviderCall call) {
        if (!operations.contains(call.operation())) {
            throw unsupported(call.operation().wireName());
        }
        if (call.operation() == Operation.LIST_MODELS) {
            return Response.Complete.ok(modelList());
        }
        VertexTarget target = byKey.of(call.key(), shared);
        if (target == null) {
            throw GatewayException.of(ErrorCode.INTERNAL, "provider " + name + " has no credentials for key '"
                    + call.key().name() + "'");
        }
        boolean claude = isClaude(call.model());
        return switch (call.operation()) {
            case CHAT_COMPLETION -> claude ? AnthropicTranslation.chat(target, call, defaultMaxTokens)
                    : GeminiTranslation.chat(target, call);
            case RESPONSES -> claude ? AnthropicTranslation.responses(target, call, defaultMaxTokens)
                    : GeminiTranslation.responses(target, call);
            case EMBEDDING -> {
                refuseClaude(claude, "embeddings");
                yield VertexEmbeddings.call(target, call);
            }
            case IMAGE_GENERATION -> {
                refuseClaude(claude, "image generation");
                yield GeminiTranslation.images(target, call);
            }
            default -> throw unsupported(call.operation().wireName());
        };
    }

    /** Claude models are Anthropic's on Vertex; every other id is a Google model. */
    static boolean isClaude(String model) {
        return model != null && model.toLowerCase(Locale.ROOT).startsWith("claude");
    }

    private static void refuseClaude(boolean claude, String what) {
        if (claude) {
            throw GatewayException.invalidRequest("Claude models on Vertex AI do not offer " + what
                    + "; use a Google model such as gemini-embedding-001 or gemini-2.5-flash-image", "model");
        }
    }

    private GatewayException unsupported(String operation) {
        return GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "provider " + name + " (vertex) does not offer "
                + operation + (operation.equals("list_models") ? "; list the models in its 'models' key" : ""));
    }

    private JsonObject modelList() {
        JsonArrayBuilder data = Json.array();
        for (String id : models) {
            data.add(Json.object().add("id", id).add("object", "model").add("created", 0)
                    .add("owned_by", isClaude(id) ? "anthropic" : "google"));
        }
        return Json.object().add("object", "list").add("data", data).build();
    }

    @Override
    public String toString() {
        return "VertexProvider[" + name + (shared == null ? "" : " " + shared) + " keys=" + byKey.all().keySet() + "]";
    }
}
