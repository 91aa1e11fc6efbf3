package io.gateway.plugins.azure;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.MultipartForm;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.openai.OpenAiRoutes;
import io.gateway.toolkit.settings.KeySettings;
import io.gateway.toolkit.upstream.UpstreamCalls;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Pass-through to Azure OpenAI. Azure speaks the OpenAI wire format, so the request body goes up as
 * the router prepared it (only {@code model} set to the deployment where the URL does not name it)
 * and the answer comes back byte for byte: JSON unparsed, streams event by event — including Azure's
 * extra fields ({@code prompt_filter_results}, {@code content_filter_results}) and its first chat
 * chunk with empty {@code choices}, which this provider never looks into.
 */
final class AzureProvider implements Provider {

    /**
     * Every operation of OpenAI's API but image variations (no DALL·E 2 on Azure), moderations (Azure filters
     * content itself) and rerank; Anthropic-format requests reach it translated into chat; passthrough
     * calls go below the resource's URL.
     */
    private static final Set<Operation> OPERATIONS = Set.copyOf(EnumSet.complementOf(EnumSet.of(
            Operation.IMAGE_VARIATION, Operation.MODERATION, Operation.RERANK, Operation.MESSAGES,
            Operation.COUNT_TOKENS)));

    private final String name;
    private final AzureEndpoints endpoints;
    private final KeySettings<Map<String, String>> deployments;
    private final Map<String, String> modelsByDeployment;
    private final UpstreamCalls upstream;

    /**
     * @param name               the provider name, for messages
     * @param endpoints          the resource's URLs
     * @param deployments        each key's model → deployment map
     * @param modelsByDeployment deployment → model, the union of all keys' maps reversed
     * @param upstream           the call skeleton: the api-key header, extra headers, Azure's errors
     */
    AzureProvider(String name, AzureEndpoints endpoints, KeySettings<Map<String, String>> deployments,
                  Map<String, String> modelsByDeployment, UpstreamCalls upstream) {
        this.name = name;
        this.endpoints = endpoints;
        this.deployments = deployments;
        this.modelsByDeployment = Map.copyOf(modelsByDeployment);
        this.upstream = upstream;
    }

    @Override
    public Set<Operation> operations() {
        return OPERATIONS;
    }

    /** Deployment names, so that deployment-style routes resolve them to the model each serves. */
    @Override
    public Map<String, String> modelAliases() {
        return modelsByDeployment;
    }

    /**
     * The deployment serving a model with a key: the key's {@code deployments} entry, else the model
     * name itself.
     *
     * @param key   the key of the attempt
     * @param model the bare model name
     * @return the deployment name
     */
    String deploymentFor(ApiKey key, String model) {
        return deployments.of(key, Map.of()).getOrDefault(model, model);
    }

    @Override
    public Response call(ProviderCall call) {
        Operation operation = call.operation();
        if (!OPERATIONS.contains(operation)) {
            throw GatewayException.of(ErrorCode.UNSUPPORTED_OPERATION, "provider " + name + " (azure) does not offer "
                    + operation.wireName());
        }
        if (operation == Operation.PASSTHROUGH) {
            // below the resource: the client writes openai/..., with its own api-version
            return upstream.passThrough(call, endpoints.base());
        }
        if (operation == Operation.LIST_MODELS) {
            return upstream.relay(upstream.get(call, endpoints.uri(operation, null)));
        }
        switch (operation) {
            case FILE_UPLOAD, FILE_LIST, FILE_RETRIEVE, FILE_CONTENT, FILE_DELETE, BATCH_CREATE, BATCH_LIST,
                 BATCH_RETRIEVE, BATCH_CANCEL -> {
                // the resource's files and batches: no deployment (a batch's lines name theirs)
                return OpenAiRoutes.relay(call, upstream, endpoints.uri(call, null), call.bodyBytes(),
                        call.form().orElse(null));
            }
            case SPEECH, TRANSCRIPTION, TRANSLATION, IMAGE_EDIT -> {
                return deploymentScoped(call);
            }
            default -> {
            }
        }
        String model = call.model() != null ? call.model() : JsonBodies.string(call.body(), "model");
        if (model == null || model.isBlank()) {
            throw GatewayException.invalidRequest("'model' is required", "model");
        }
        String deployment = deploymentFor(call.key(), model);
        if (!Deployments.validName(deployment)) {
            throw GatewayException.invalidRequest("'" + deployment + "' is not a valid Azure deployment name;"
                    + " map the model to a deployment in the key's 'deployments'", "model");
        }
        URI uri = endpoints.uri(operation, deployment);
        // the client's own bytes when the body already names the deployment (or the URL does)
        boolean rename = endpoints.deploymentInBody(operation)
                && !deployment.equals(JsonBodies.string(call.body(), "model"));
        byte[] body = rename ? JsonBodies.toBytes(withModel(call.body(), deployment)) : call.bodyBytes();
        return upstream.relay(upstream.post(call, uri, body));
    }

    /** Audio and image edits: to the model's deployment, named in the URL or (v1) in the body or form. */
    private Response deploymentScoped(ProviderCall call) {
        String deployment = deployment(call);
        URI uri = endpoints.uri(call, deploymentInUrl() ? deployment : null);
        MultipartForm form = call.form().map(f -> endpoints.v1() ? f.withField("model", deployment) : f).orElse(null);
        byte[] body = call.form().isPresent() ? null
                : endpoints.v1() && !deployment.equals(JsonBodies.string(call.body(), "model"))
                ? JsonBodies.toBytes(withModel(call.body(), deployment)) : call.bodyBytes();
        return OpenAiRoutes.relay(call, upstream, uri, body, form);
    }

    private boolean deploymentInUrl() {
        return !endpoints.v1();
    }

    private String deployment(ProviderCall call) {
        String model = call.model() != null ? call.model() : JsonBodies.string(call.body(), "model");
        if (model == null || model.isBlank()) {
            throw GatewayException.invalidRequest("'model' is required", "model");
        }
        String deployment = deploymentFor(call.key(), model);
        if (!Deployments.validName(deployment)) {
            throw GatewayException.invalidRequest("'" + deployment + "' is not a valid Azure deployment name;"
                    + " map the model to a deployment in the key's 'deployments'", "model");
        }
        return deployment;
    }

    private static JsonObject withModel(JsonObject body, String deployment) {
        return Json.object(body).add("model", deployment).build();
    }

    @Override
    public String toString() {
        return "AzureProvider[" + name + " " + endpoints + "]";
    }
}
