package io.gateway.plugins.anthropic;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Creates {@link AnthropicProvider}s. Keys read: {@code base-url}, {@code anthropic-version},
 * {@code default-max-tokens}, {@code extra-headers}.
 */
final class AnthropicProviderFactory implements ProviderFactory {

    static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
    static final String DEFAULT_VERSION = "2023-06-01";
    static final int DEFAULT_MAX_TOKENS = 4096;

    /** Headers this plugin owns: a value in {@code extra-headers} would clash with the one it sends. */
    private static final Set<String> RESERVED_HEADERS = Set.of("x-api-key", "authorization", "anthropic-version",
            "content-type", "content-length", "host", "accept");

    @Override
    public String type() {
        return "anthropic";
    }

    @Override
    public Provider create(PluginConfig config, PluginContext context) {
        String baseUrl = config.string("base-url", DEFAULT_BASE_URL).strip();
        URI base;
        try {
            base = new URI(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        } catch (URISyntaxException e) {
            throw config.invalid("base-url", "'" + baseUrl + "' is not a URL");
        }
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || base.getHost() == null) {
            throw config.invalid("base-url", "'" + baseUrl + "' must be an http:// or https:// URL, e.g. "
                    + DEFAULT_BASE_URL + " (the provider appends /v1/messages)");
        }
        if (base.getQuery() != null || base.getFragment() != null) {
            throw config.invalid("base-url", "'" + baseUrl + "' must not have a query or a fragment");
        }
        String version = config.string("anthropic-version", DEFAULT_VERSION).strip();
        if (version.isEmpty()) {
            throw config.invalid("anthropic-version", "must not be empty; Anthropic requires it, e.g. "
                    + DEFAULT_VERSION);
        }
        int defaultMaxTokens = config.integer("default-max-tokens", DEFAULT_MAX_TOKENS);
        if (defaultMaxTokens < 1) {
            throw config.invalid("default-max-tokens", "must be at least 1, was " + defaultMaxTokens);
        }
        Map<String, String> extraHeaders = config.map("extra-headers");
        for (String header : extraHeaders.keySet()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (RESERVED_HEADERS.contains(lower)) {
                throw config.invalid("extra-headers." + header, lower.equals("anthropic-version")
                        ? "set it with the provider's 'anthropic-version' key instead"
                        : "cannot be set here; keys belong in 'keys' and the plugin sets this header itself");
            }
        }
        AnthropicSettings settings = new AnthropicSettings(config.name(), base, version, defaultMaxTokens,
                extraHeaders);
        return new AnthropicProvider(settings, context.upstream(), context.clock());
    }
}
