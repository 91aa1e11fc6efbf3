package io.gateway.plugins.azure;

import io.gateway.spi.Headers;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.settings.ExtraHeaders;
import io.gateway.toolkit.settings.KeySettings;
import io.gateway.toolkit.upstream.HeaderRelay;
import io.gateway.toolkit.upstream.KeyHeader;
import io.gateway.toolkit.upstream.UpstreamCalls;
import java.util.LinkedHashMap;
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

    /**
     * Which Azure response headers reach the client: rate limits ({@code x-ratelimit-*}), retry hints
     * and {@code apim-request-id}, the id Azure support asks for. Everything else (cookies, Azure's own
     * {@code x-request-id}, region and routing headers) stays behind.
     */
    static final HeaderRelay RELAY = HeaderRelay.rateLimits("apim-request-id");

    private static final Pattern API_VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    @Override
    public String type() {
        return "azure";
    }

    @Override
    public Provider create(PluginConfig config, PluginContext context) {
        System.Logger logger = context.logger();
        String base = resource(config, context);
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
        Headers extraHeaders = ExtraHeaders.read(config, Map.of("content-type", "is set by the gateway"));
        Map<String, String> modelsByDeployment = new LinkedHashMap<>();
        KeySettings<Map<String, String>> deployments = KeySettings.read(config, key -> {
            Map<String, String> map = Deployments.read(key);
            for (Map.Entry<String, String> entry : map.entrySet()) {
                String known = modelsByDeployment.putIfAbsent(entry.getValue(), entry.getKey());
                if (known != null && !known.equals(entry.getKey())) {
                    logger.log(System.Logger.Level.WARNING, key.path() + ".deployments maps '" + entry.getKey()
                            + "' to deployment '" + entry.getValue() + "', which an earlier key maps to '" + known
                            + "'; Azure-style requests for that deployment route as '" + known + "'");
                }
            }
            return map;
        });
        AzureEndpoints endpoints = new AzureEndpoints(base, apiVersion, responsesApiVersion);
        UpstreamCalls upstream = UpstreamCalls.builder(config.name(), context.upstream(), AzureErrors::toException)
                .headers(extraHeaders)
                .key(KeyHeader.named("api-key"))
                .relay(RELAY)
                .build();
        return new AzureProvider(config.name(), endpoints, deployments, modelsByDeployment, upstream);
    }

    /**
     * The resource endpoint: a {@link BaseUrl} that names no deployment, with a warning when it already
     * ends with the {@code /openai} the plugin appends.
     */
    private static String resource(PluginConfig config, PluginContext context) {
        BaseUrl base = BaseUrl.read(config, null, "the resource endpoint, e.g. https://my-resource.openai.azure.com",
                context);
        String path = base.path();
        if (path.contains("/deployments/") || path.endsWith("/deployments")) {
            throw config.invalid("base-url", "'" + base + "' names a deployment; give only the resource endpoint "
                    + "(https://my-resource.openai.azure.com) and map models to deployments in each key's "
                    + "'deployments'");
        }
        if (path.endsWith("/openai") || path.endsWith("/openai/v1")) {
            context.logger().log(System.Logger.Level.WARNING, config.path() + ".base-url ends with "
                    + path.substring(path.lastIndexOf("/openai")) + "; the plugin appends /openai/... itself, so "
                    + "requests go to " + path + "/openai/...; give the resource endpoint unless a proxy really "
                    + "serves that path");
        }
        return base.toString();
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
