package io.gateway.plugins.azure;

import io.gateway.spi.Operation;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.openai.OpenAiPaths;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The upstream URLs of one Azure OpenAI resource.
 *
 * <p>Classic form (any dated {@code api-version}):
 * <ul>
 *   <li>{@code {base}/openai/deployments/{deployment}/{chat/completions|completions|embeddings|images/generations}?api-version=V}</li>
 *   <li>{@code {base}/openai/responses?api-version=R} (the Responses API is not deployment-scoped; the
 *       deployment goes in the body's {@code model}; R is {@code responses-api-version})</li>
 *   <li>{@code {base}/openai/models?api-version=V}</li>
 * </ul>
 * Audio (speech, transcriptions, translations) and image edits are deployment-scoped like chat:
 * {@code {base}/openai/deployments/{deployment}/audio/transcriptions?api-version=V}. Files and batches
 * belong to the resource: {@code {base}/openai/files[/{id}[/content]]?api-version=V},
 * {@code {base}/openai/batches[/{id}[/cancel]]?api-version=V}.
 *
 * <p>v1 form ({@code api-version: v1}): {@code {base}/openai/v1/{op}} without a query, the deployment
 * in the body's (or the form's) {@code model}.
 */
final class AzureEndpoints {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final String base;
    private final String apiVersion;
    private final boolean v1;
    private final URI models;
    private final URI responses;
    private final URI[] v1Operations = new URI[Operation.values().length];

    /**
     * @param base               scheme, authority and optional path prefix, without a trailing slash
     * @param apiVersion         the dated api-version, or {@code v1} for the v1 form
     * @param responsesApiVersion the api-version for the classic Responses endpoint
     */
    AzureEndpoints(String base, String apiVersion, String responsesApiVersion) {
        this.base = base;
        this.apiVersion = apiVersion;
        this.v1 = isV1(apiVersion);
        if (v1) {
            for (Operation operation : Operation.values()) {
                String path = OpenAiPaths.of(operation);
                v1Operations[operation.ordinal()] = path == null ? null : URI.create(base + "/openai/v1/" + path);
            }
            this.models = v1Operations[Operation.LIST_MODELS.ordinal()];
            this.responses = v1Operations[Operation.RESPONSES.ordinal()];
        } else {
            this.models = URI.create(base + "/openai/models?api-version=" + apiVersion);
            this.responses = URI.create(base + "/openai/responses?api-version=" + responsesApiVersion);
        }
    }

    static boolean isV1(String apiVersion) {
        return "v1".equalsIgnoreCase(apiVersion);
    }

    /**
     * Whether this resource is reached through the {@code /openai/v1/} form.
     *
     * @return {@code true} for the v1 form
     */
    boolean v1() {
        return v1;
    }

    /**
     * The URL of an operation.
     *
     * @param operation  the operation
     * @param deployment the deployment name (ignored for {@link Operation#LIST_MODELS}, for
     *                   {@link Operation#RESPONSES} and in the v1 form, where it goes in the body)
     * @return the absolute URL
     */
    /**
     * The resource's base URL: scheme, authority and optional path prefix, without a trailing slash.
     *
     * @return e.g. {@code https://res.openai.azure.com}
     */
    URI base() {
        return URI.create(base);
    }

    URI uri(Operation operation, String deployment) {
        if (operation == Operation.LIST_MODELS) {
            return models;
        }
        if (operation == Operation.RESPONSES) {
            return responses;
        }
        if (v1) {
            return v1Operations[operation.ordinal()];
        }
        return URI.create(base + "/openai/deployments/" + pathSegment(deployment) + "/" + OpenAiPaths.of(operation)
                + "?api-version=" + apiVersion);
    }

    /**
     * The URL of one call of the operations added with SPI 2.1: deployment-scoped for audio and image
     * edits, resource-scoped (with the id and the list query) for files and batches.
     *
     * @param call       the call
     * @param deployment the deployment, or {@code null} for files and batches
     * @return the absolute URL
     */
    URI uri(ProviderCall call, String deployment) {
        String path = OpenAiPaths.of(call);
        if (v1) {
            return URI.create(base + "/openai/v1/" + path);
        }
        if (deployment == null) {
            return URI.create(base + "/openai/" + path + (path.indexOf('?') >= 0 ? "&" : "?")
                    + "api-version=" + apiVersion);
        }
        return URI.create(base + "/openai/deployments/" + pathSegment(deployment) + "/" + path
                + "?api-version=" + apiVersion);
    }

    /**
     * Whether the deployment name must be written into the body's {@code model}: in the v1 form and
     * for the Responses API, where the URL does not name it.
     *
     * @param operation the operation
     * @return {@code true} if the body carries the deployment
     */
    boolean deploymentInBody(Operation operation) {
        return v1 || operation == Operation.RESPONSES;
    }

    /**
     * Percent-encodes a path segment: RFC 3986 unreserved characters stay, every other UTF-8 byte
     * becomes {@code %XX}, so a name can never add a path segment or a query.
     *
     * @param segment the raw segment
     * @return the encoded segment
     */
    static String pathSegment(String segment) {
        StringBuilder out = new StringBuilder(segment.length() + 8);
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return base + (v1 ? " (v1)" : " (api-version " + apiVersion + ")");
    }
}
