package io.gateway.plugins.anthropic;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.settings.ExtraHeaders;
import io.gateway.toolkit.upstream.KeyHeader;
import io.gateway.toolkit.upstream.UpstreamCalls;
import io.gateway.translation.anthropic.AnthropicTranslation;
import java.time.Clock;
import java.util.Map;

/**
 * Creates {@link AnthropicProvider}s. Keys read: {@code base-url}, {@code anthropic-version},
 * {@code default-max-tokens}, {@code extra-headers}.
 */
final class AnthropicProviderFactory implements ProviderFactory {

    static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
    static final String DEFAULT_VERSION = "2023-06-01";
    static final int DEFAULT_MAX_TOKENS = 4096;

    /** Headers this plugin sets itself: a value in {@code extra-headers} would clash with the one it sends. */
    private static final String OWN_HEADER = "the plugin sets this header itself";
    private static final Map<String, String> RESERVED_HEADERS = Map.of(
            "anthropic-version", "set it with the provider's 'anthropic-version' key instead",
            "content-type", OWN_HEADER,
            "accept", OWN_HEADER);

    @Override
    public String type() {
        return "anthropic";
    }

    @Override
    public Provider create(PluginConfig config, PluginContext context) {
        BaseUrl base = BaseUrl.read(config, DEFAULT_BASE_URL, "e.g. " + DEFAULT_BASE_URL
                + " (the provider appends /v1/messages)", context);
        String version = config.string("anthropic-version", DEFAULT_VERSION).strip();
        if (version.isEmpty()) {
            throw config.invalid("anthropic-version", "must not be empty; Anthropic requires it, e.g. "
                    + DEFAULT_VERSION);
        }
        int defaultMaxTokens = config.integer("default-max-tokens", DEFAULT_MAX_TOKENS);
        if (defaultMaxTokens < 1) {
            throw config.invalid("default-max-tokens", "must be at least 1, was " + defaultMaxTokens);
        }
        var headers = ExtraHeaders.read(config, RESERVED_HEADERS).toBuilder().set("anthropic-version", version);
        AnthropicSettings settings = new AnthropicSettings(config.name(), base, version, defaultMaxTokens);
        Clock clock = context.clock();
        UpstreamCalls upstream = UpstreamCalls.builder(config.name(), context.upstream(), AnthropicTranslation::error)
                .headers(headers.build())
                .key(KeyHeader.named("x-api-key"))
                .relay(upstreamHeaders -> AnthropicTranslation.rateLimitHeaders(upstreamHeaders, clock))
                .build();
        return new AnthropicProvider(settings, upstream, clock);
    }
}
