package io.gateway.plugins.bedrock;

import io.gateway.spi.GatewayException;
import io.gateway.toolkit.settings.BaseUrl;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.PartitionMetadata;

/**
 * Where a Bedrock provider's calls go: the runtime API ({@code bedrock-runtime.REGION.amazonaws.com},
 * {@code /model/{modelId}/converse}, {@code converse-stream}, {@code invoke}) and the control plane
 * ({@code bedrock.REGION.amazonaws.com}, {@code /foundation-models}, {@code /inference-profiles}), in
 * the DNS domain of the region's partition ({@code amazonaws.com.cn} for China, for example), or one
 * configured {@code base-url} for every region and both APIs (a proxy, a test fake). Thread-safe.
 */
final class Endpoints {

    private final BaseUrl base;
    private final Map<String, String> runtimeByRegion = new ConcurrentHashMap<>();
    private final Map<String, String> controlByRegion = new ConcurrentHashMap<>();

    /**
     * @param base the configured base URL, or {@code null} for AWS's regional endpoints
     */
    Endpoints(BaseUrl base) {
        this.base = base;
    }

    /**
     * A runtime API call on a model: {@code {base}/model/{modelId}/{action}}.
     *
     * @param region  the call's region
     * @param modelId the model id, inference profile id or ARN, as the client named it
     * @param action  {@code converse}, {@code converse-stream} or {@code invoke}
     * @return the URI, the model id percent-encoded as one path segment
     */
    URI model(String region, String modelId, String action) {
        String root = base != null ? base.toString()
                : runtimeByRegion.computeIfAbsent(region, r -> "https://bedrock-runtime." + r + "." + dnsSuffix(r));
        return URI.create(root + "/model/" + segment(modelId) + "/" + action);
    }

    /**
     * A control plane call: {@code {base}/{pathAndQuery}}.
     *
     * @param region      the call's region
     * @param pathAndQuery e.g. {@code foundation-models?byInferenceType=ON_DEMAND}
     * @return the URI
     */
    URI control(String region, String pathAndQuery) {
        String root = base != null ? base.toString()
                : controlByRegion.computeIfAbsent(region, r -> "https://bedrock." + r + "." + dnsSuffix(r));
        return URI.create(root + "/" + pathAndQuery);
    }

    private static String dnsSuffix(String region) {
        PartitionMetadata partition = PartitionMetadata.of(Region.of(region));
        return partition.dnsSuffix();
    }

    /**
     * A model id as one path segment: ARNs hold {@code :} and {@code /}, ids hold {@code :}; everything
     * but unreserved characters is percent-encoded, as the AWS SDK encodes path labels.
     *
     * @param modelId the id
     * @return the encoded segment
     * @throws GatewayException 400 for an empty id
     */
    static String segment(String modelId) {
        if (modelId == null || modelId.isBlank()) {
            throw GatewayException.invalidRequest("'model' is required: a Bedrock model id, inference profile id"
                    + " or ARN, e.g. us.anthropic.claude-sonnet-4-20250514-v1:0", "model");
        }
        StringBuilder out = new StringBuilder(modelId.length() + 8);
        for (byte b : modelId.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
