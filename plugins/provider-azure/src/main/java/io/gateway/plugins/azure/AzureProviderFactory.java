package io.gateway.plugins.azure;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Creates {@link AzureProvider}s (type {@code azure}). Reads {@code base-url} (required),
 * {@code api-version} (default {@value #DEFAULT_API_VERSION}; {@code v1} selects the
 * {@code /openai/v1/} form), {@code responses-api-version} (default
 * {@value #DEFAULT_RESPONSES_API_VERSION}, the classic Responses endpoint needs a preview version),
 * {@code extra-headers}, and each key's {@code deployments}.
 */
final class AzureProviderFactory implements ProviderFactory {

    /** The latest GA data-plane inference version. */
    static final String DEFAULT_API_VERSION = "2024-10-21";
    /** The Responses API is only served from 2025-03-01-preview on, in the classic form. */
    static final String DEFAULT_RESPONSES_API_VERSION = "2025-04-01-preview";

    private static final Pattern API_VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    @Override
    public String type() {
        return "azure";
    }

    @Override
    public Provider create(PluginConfig config, PluginContext context) {
        System.Logger logger = context.logger();
        String base = baseUrl(config, logger);
        String apiVersion = apiVersion(config, "api-version", DEFAULT_API_VERSION);
        String responsesApiVersion = apiVersion(config, "responses-api-version", DEFAULT_RESPONSES_API_VERSION);
        if (AzureEndpoints.isV1(apiVersion)) {
            apiVersion = "v1";
            if (config.has("responses-api-version")) {
                logger.log(System.Logger.Level.WARNING, config.path() + ".responses-api-version is not used with "
                        + "api-version: v1 (the v1 form needs no version)");
            }
        } else if (AzureEndpoints.isV1(responsesApiVersion)) {
            throw config.invalid("responses-api-version", "'v1' is not a dated version; set api-version: v1 "
                    + "to use the /openai/v1/ form for every operation");
        }
        Map<String, String> extraHeaders = config.map("extra-headers");
        for (String header : extraHeaders.keySet()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.equals("api-key") || lower.equals("authorization")) {
                throw config.invalid("extra-headers." + header, "cannot be set here; keys belong in 'keys'");
            }
            if (lower.equals("content-length") || lower.equals("host") || lower.equals("content-type")) {
                throw config.invalid("extra-headers." + header, "is set by the gateway");
            }
        }
        Map<String, Map<String, String>> deploymentsByKey = new LinkedHashMap<>();
        Map<String, String> modelsByDeployment = new LinkedHashMap<>();
        List<PluginConfig> keys = config.children("keys");
        for (int i = 0; i < keys.size(); i++) {
            PluginConfig key = keys.get(i);
            String keyName = key.string("name", "key-" + i);
            Map<String, String> deployments = Deployments.read(key);
            deploymentsByKey.put(keyName, deployments);
            for (Map.Entry<String, String> entry : deployments.entrySet()) {
                String known = modelsByDeployment.putIfAbsent(entry.getValue(), entry.getKey());
                if (known != null && !known.equals(entry.getKey())) {
                    logger.log(System.Logger.Level.WARNING, key.path() + ".deployments maps '" + entry.getKey()
                            + "' to deployment '" + entry.getValue() + "', which an earlier key maps to '" + known
                            + "'; Azure-style requests for that deployment route as '" + known + "'");
                }
            }
        }
        AzureEndpoints endpoints = new AzureEndpoints(base, apiVersion, responsesApiVersion);
        return new AzureProvider(config.name(), endpoints, extraHeaders, deploymentsByKey, modelsByDeployment,
                context.upstream());
    }

    private static String baseUrl(PluginConfig config, System.Logger logger) {
        String text = config.string("base-url").orElseThrow(() -> config.invalid("base-url",
                "is required: the resource endpoint, e.g. https://my-resource.openai.azure.com"));
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw config.invalid("base-url", "'" + text + "' is not a URL; write e.g. https://my-resource.openai.azure.com");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
            throw config.invalid("base-url", "'" + text + "' must be an https:// URL, e.g. https://my-resource.openai.azure.com");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw config.invalid("base-url", "'" + text + "' must not carry a query, a fragment or credentials; "
                    + "set api-version and keys separately");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.contains("/deployments/") || path.endsWith("/deployments")) {
            throw config.invalid("base-url", "'" + text + "' names a deployment; give only the resource endpoint "
                    + "(https://my-resource.openai.azure.com) and map models to deployments in each key's 'deployments'");
        }
        if (path.endsWith("/openai") || path.endsWith("/openai/v1")) {
            logger.log(System.Logger.Level.WARNING, config.path() + ".base-url ends with " + path.substring(
                    path.lastIndexOf("/openai")) + "; the plugin appends /openai/... itself, so requests go to "
                    + path + "/openai/...; give the resource endpoint unless a proxy really serves that path");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (scheme.equals("http") && !host.equals("localhost") && !host.equals("127.0.0.1") && !host.equals("[::1]")) {
            logger.log(System.Logger.Level.WARNING, config.path() + ".base-url uses http://: the api-key "
                    + "travels unencrypted");
        }
        String authority = uri.getRawAuthority();
        return scheme + "://" + authority + path;
    }

    private static String apiVersion(PluginConfig config, String key, String defaultValue) {
        String value = config.string(key, defaultValue).trim();
        if (!API_VERSION.matcher(value).matches()) {
            throw config.invalid(key, "'" + value + "' is not an api-version; write e.g. " + defaultValue
                    + (key.equals("api-version") ? " or v1" : ""));
        }
        return value;
    }
}
