package io.gateway.plugins.cohere;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.settings.ExtraHeaders;
import io.gateway.toolkit.upstream.HeaderRelay;
import io.gateway.toolkit.upstream.KeyHeader;
import io.gateway.toolkit.upstream.UpstreamCalls;
import java.util.Map;
import java.util.Set;

/**
 * Creates {@link CohereProvider}s for {@code type: cohere} entries. Keys read: {@code base-url},
 * {@code default-input-type}, {@code extra-headers}.
 */
final class CohereProviderFactory implements ProviderFactory {

    static final String DEFAULT_BASE_URL = "https://api.cohere.com";
    /** What embeddings are for when the request does not say: documents to search, as most callers store. */
    static final String DEFAULT_INPUT_TYPE = "search_document";

    private static final String OWN_HEADER = "the plugin sets this header itself";

    @Override
    public String type() {
        return "cohere";
    }

    @Override
    public Provider create(PluginConfig config, PluginContext context) {
        BaseUrl base = BaseUrl.read(config, DEFAULT_BASE_URL, "e.g. " + DEFAULT_BASE_URL
                + " (the provider appends /v2/chat, /v2/embed, /v2/rerank)", context);
        String inputType = config.string("default-input-type", DEFAULT_INPUT_TYPE).strip();
        if (!Embeddings.INPUT_TYPES.contains(inputType)) {
            throw config.invalid("default-input-type", "'" + inputType + "' is not one of " + Embeddings.INPUT_TYPES);
        }
        UpstreamCalls upstream = UpstreamCalls.builder(config.name(), context.upstream(), CohereErrors::parse)
                .headers(ExtraHeaders.read(config, Map.of("content-type", OWN_HEADER, "accept", OWN_HEADER)))
                .key(KeyHeader.bearer())
                .relay(HeaderRelay.rateLimits())
                .build();
        return new CohereProvider(config.name(), base, inputType, upstream, context.clock());
    }

    /** The operations the provider offers. */
    static final Set<io.gateway.spi.Operation> OPERATIONS = Set.of(io.gateway.spi.Operation.CHAT_COMPLETION,
            io.gateway.spi.Operation.EMBEDDING, io.gateway.spi.Operation.RERANK, io.gateway.spi.Operation.LIST_MODELS,
            io.gateway.spi.Operation.PASSTHROUGH);
}
