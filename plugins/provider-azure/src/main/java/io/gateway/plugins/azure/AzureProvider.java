package io.gateway.plugins.azure;

import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.Response;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamResponse;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.EnumSet;
import java.util.Locale;
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

    private static final Set<Operation> OPERATIONS = Set.copyOf(EnumSet.allOf(Operation.class));

    private final String name;
    private final AzureEndpoints endpoints;
    private final Headers fixedHeaders;
    private final Map<String, Map<String, String>> deploymentsByKey;
    private final Map<String, String> modelsByDeployment;
    private final UpstreamClient upstream;

    /**
     * @param name               the provider name, for messages
     * @param endpoints          the resource's URLs
     * @param extraHeaders       headers sent with every request
     * @param deploymentsByKey   key name → (model → deployment)
     * @param modelsByDeployment deployment → model, the union of all keys' maps reversed
     * @param upstream           the server's HTTP client
     */
    AzureProvider(String name, AzureEndpoints endpoints, Map<String, String> extraHeaders,
                  Map<String, Map<String, String>> deploymentsByKey, Map<String, String> modelsByDeployment,
                  UpstreamClient upstream) {
        this.name = name;
        this.endpoints = endpoints;
        Headers.Builder headers = Headers.builder();
        extraHeaders.forEach(headers::set);
        this.fixedHeaders = headers.build();
        this.deploymentsByKey = Map.copyOf(deploymentsByKey);
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
        Map<String, String> deployments = deploymentsByKey.getOrDefault(key.name(), Map.of());
        return deployments.getOrDefault(model, model);
    }

    @Override
    public Response call(ProviderCall call) {
        Operation operation = call.operation();
        Headers.Builder headers = fixedHeaders.toBuilder();
        if (!call.key().value().isEmpty()) {
            headers.set("api-key", call.key().value().reveal());
        }
        UpstreamResponse response;
        if (operation == Operation.LIST_MODELS) {
            headers.set("accept", "application/json");
            response = upstream.send(call.request("GET", endpoints.uri(operation, null), headers.build(), null));
        } else {
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
            headers.set("content-type", "application/json");
            headers.set("accept", call.stream() ? "text/event-stream" : "application/json");
            response = upstream.send(call.request("POST", uri, headers.build(), body));
        }
        return answer(call, response);
    }

    private Response answer(ProviderCall call, UpstreamResponse response) {
        int status = response.status();
        Headers relayed = UpstreamHeaders.relayed(response.headers());
        if (status < 200 || status > 299) {
            byte[] errorBody;
            try {
                errorBody = response.body();
            } catch (GatewayException unreadable) {
                errorBody = new byte[0];
            } finally {
                response.close();
            }
            throw AzureErrors.toException(status, errorBody, relayed);
        }
        String contentType = response.headers().first("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (call.stream() && contentType.startsWith("text/event-stream")) {
            return new Response.Streaming(status, relayed, response.events());
        }
        byte[] bytes = response.body();
        if (bytes.length == 0) {
            throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "provider " + name
                    + " answered HTTP " + status + " with an empty body");
        }
        return Response.Complete.ofBytes(status, relayed, bytes);
    }

    private static JsonObject withModel(JsonObject body, String deployment) {
        if (deployment.equals(JsonBodies.string(body, "model"))) {
            return body;
        }
        return JsonBodies.provider().createObjectBuilder(body).add("model", deployment).build();
    }

    @Override
    public String toString() {
        return "AzureProvider[" + name + " " + endpoints + "]";
    }
}
