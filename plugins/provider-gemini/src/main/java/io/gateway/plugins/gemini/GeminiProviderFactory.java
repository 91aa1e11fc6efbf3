package io.gateway.plugins.gemini;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Creates {@link GeminiProvider}s for {@code type: gemini} entries. */
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
        String baseUrl = config.string("base-url", DEFAULT_BASE_URL).strip();
        URI base;
        try {
            base = new URI(baseUrl);
        } catch (URISyntaxException e) {
            throw config.invalid("base-url", "'" + baseUrl + "' is not a URL");
        }
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || base.getHost() == null) {
            throw config.invalid("base-url", "'" + baseUrl
                    + "' must be an http:// or https:// URL, e.g. " + DEFAULT_BASE_URL);
        }
        if (base.getRawQuery() != null || base.getRawFragment() != null) {
            throw config.invalid("base-url", "must not carry a query or fragment; keys belong in 'keys'");
        }
        String apiVersion = config.string("api-version", DEFAULT_API_VERSION).strip();
        if (!API_VERSION.matcher(apiVersion).matches()) {
            throw config.invalid("api-version", "'" + apiVersion + "' is not an API version such as v1beta or v1");
        }
        Map<String, String> extraHeaders = config.map("extra-headers");
        for (String name : extraHeaders.keySet()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("x-goog-api-key")) {
                throw config.invalid("extra-headers." + name, "cannot be set here; keys belong in 'keys'");
            }
            if (lower.equals("content-length") || lower.equals("host") || lower.equals("content-type")) {
                throw config.invalid("extra-headers." + name, "is set by the gateway and cannot be overridden");
            }
        }
        String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return new GeminiProvider(config.name(), trimmed, apiVersion, extraHeaders, context.upstream(),
                context.clock());
    }
}
