package io.gateway.plugins.gemini;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.settings.ExtraHeaders;
import io.gateway.toolkit.upstream.KeyHeader;
import io.gateway.toolkit.upstream.UpstreamCalls;
import io.gateway.translation.gemini.GeminiTranslation;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Creates {@link GeminiProvider}s for {@code type: gemini} entries. Keys read: {@code base-url},
 * {@code api-version}, {@code extra-headers}.
 */
final class GeminiProviderFactory implements ProviderFactory {

    static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";
    static final String DEFAULT_API_VERSION = "v1beta";

    private static final Pattern API_VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    @Override
    public String type() {
        return "gemini";
    }

    @Override
    public Provider create(PluginConfig config, PluginContext context) {
        BaseUrl base = BaseUrl.read(config, DEFAULT_BASE_URL, "e.g. " + DEFAULT_BASE_URL, context);
        String apiVersion = config.string("api-version", DEFAULT_API_VERSION).strip();
        if (!API_VERSION.matcher(apiVersion).matches()) {
            throw config.invalid("api-version", "'" + apiVersion + "' is not an API version such as v1beta or v1");
        }
        UpstreamCalls upstream = UpstreamCalls.builder(config.name(), context.upstream(), GeminiTranslation::error)
                .headers(ExtraHeaders.read(config, Map.of("content-type", "is set by the gateway")))
                .key(KeyHeader.named("x-goog-api-key"))
                .relay(GeminiTranslation.RELAY)
                .build();
        return new GeminiProvider(config.name(), base, apiVersion, upstream, context.clock());
    }
}
