package io.gateway.plugins.bedrock;

import java.util.Locale;

/**
 * Which InvokeModel body a model takes, told from its id. The id may carry a cross-region inference
 * profile's geography ({@code us.}, {@code eu.}, {@code apac.}, {@code global.}) or be an ARN of a
 * foundation model or inference profile; the family is found inside it either way. Stateless.
 */
enum Families {

    /** Amazon Titan Text Embeddings v2: one text per call, {@code dimensions}, {@code normalize}. */
    TITAN_EMBED_V2,
    /** Amazon Titan Text Embeddings v1 (and G1): one text per call, fixed size. */
    TITAN_EMBED_V1,
    /** Amazon Titan Multimodal Embeddings: one text per call, {@code embeddingConfig.outputEmbeddingLength}. */
    TITAN_EMBED_IMAGE,
    /** Cohere Embed (v3, v4): up to 96 texts per call, {@code input_type}, {@code embedding_types}. */
    COHERE_EMBED,
    /** Amazon Titan Image Generator and Amazon Nova Canvas: {@code TEXT_IMAGE} tasks. */
    AMAZON_IMAGE,
    /** Anything else. */
    OTHER;

    /**
     * The family of a model id.
     *
     * @param modelId the id, inference profile id or ARN
     * @return the family, {@link #OTHER} when unknown
     */
    static Families of(String modelId) {
        String id = modelId == null ? "" : modelId.toLowerCase(Locale.ROOT);
        if (id.contains("amazon.titan-embed-text-v2")) {
            return TITAN_EMBED_V2;
        }
        if (id.contains("amazon.titan-embed-image")) {
            return TITAN_EMBED_IMAGE;
        }
        if (id.contains("amazon.titan-embed")) {
            return TITAN_EMBED_V1;
        }
        if (id.contains("cohere.embed")) {
            return COHERE_EMBED;
        }
        if (id.contains("amazon.titan-image-generator") || id.contains("amazon.nova-canvas")) {
            return AMAZON_IMAGE;
        }
        return OTHER;
    }
}
