package io.gateway.plugins.bedrock;

import io.gateway.spi.Headers;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.Secret;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.toolkit.settings.BaseUrl;
import io.gateway.toolkit.settings.ExtraHeaders;
import io.gateway.toolkit.settings.KeySettings;
import io.gateway.toolkit.upstream.HeaderRelay;
import io.gateway.toolkit.upstream.UpstreamCalls;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;

/**
 * Creates {@link BedrockProvider}s. Keys read from the provider's block: {@code region},
 * {@code base-url}, {@code profile}, {@code extra-headers}; from each of its {@code keys}:
 * {@code access-key-id}, {@code session-token}, {@code region} (the server reads {@code name},
 * {@code value}, {@code weight} and {@code models}). Stateless.
 */
final class BedrockProviderFactory implements ProviderFactory {

    /** An AWS region name: {@code us-east-1}, {@code eu-central-2}, {@code us-gov-west-1}, {@code cn-north-1}. */
    static final Pattern REGION = Pattern.compile("[a-z]{2,}(-[a-z]+)+-\\d{1,2}");

    private static final String OWN_HEADER = "the plugin sets this header itself";
    /** Headers this plugin sets itself, and what SigV4 owns. */
    private static final Map<String, String> RESERVED_HEADERS = Map.of(
            "content-type", OWN_HEADER,
            "accept", OWN_HEADER,
            "x-amz-date", "SigV4 sets it when it signs the request",
            "x-amz-security-token", "give a key's session token as its 'session-token'",
            "x-amz-content-sha256", "SigV4 sets it when it signs the request");
    /** The response headers that reach the client (and the error parser): ids, token counts, retry hints. */
    private static final HeaderRelay RELAY = HeaderRelay.of(List.of("x-amzn-bedrock-"),
            List.of(BedrockCalls.REQUEST_ID, BedrockErrors.ERROR_TYPE_HEADER));

    @Override
    public String type() {
        return "bedrock";
    }

    @Override
    public Provider create(PluginConfig config, PluginContext context) {
        String region = region(config, "region");
        BaseUrl base = config.has(BaseUrl.KEY) ? BaseUrl.read(config, null, "e.g. a proxy in front of Bedrock; "
                + "leave it out for AWS's regional endpoints (https://bedrock-runtime.REGION.amazonaws.com)", context)
                : null;
        Headers extraHeaders = ExtraHeaders.read(config, RESERVED_HEADERS);
        KeySettings<AwsAuth.KeyCredentials> keys = KeySettings.read(config, BedrockProviderFactory::key);
        boolean keyless = config.children("keys").isEmpty();
        String profile = config.string("profile").map(String::strip).orElse(null);
        if (profile != null && !keyless) {
            throw config.invalid("profile", "applies to a provider without keys, whose credentials come from the "
                    + "AWS default chain; remove it or the keys");
        }
        if (profile != null && profile.isEmpty()) {
            throw config.invalid("profile", "must not be empty; name a profile of the AWS config files");
        }
        boolean everyKeyHasRegion = !keyless && keys.all().size() == config.children("keys").size()
                && keys.all().values().stream().allMatch(k -> k.region() != null);
        if (region == null && !everyKeyHasRegion) {
            region = environmentRegion(profile);
            if (region == null) {
                throw config.invalid("region", "is required: the AWS region of Bedrock, e.g. us-east-1 (or set "
                        + "AWS_REGION, or give every key its 'region')");
            }
        }
        DefaultCredentialsProvider chain = keyless
                ? DefaultCredentialsProvider.builder().profileName(profile).build() : null;
        UpstreamCalls upstream = UpstreamCalls.builder(config.name(), context.upstream(), BedrockErrors::fromResponse)
                .relay(RELAY)
                .build();
        AwsAuth auth = new AwsAuth(config.name(), region, keys, chain, context.clock());
        return new BedrockProvider(new BedrockCalls(config.name(), new Endpoints(base), auth, upstream,
                extraHeaders, context.clock()), chain);
    }

    /** One key block's own settings. */
    private static AwsAuth.KeyCredentials key(PluginConfig key) {
        if (key.has("secret-access-key")) {
            throw key.invalid("secret-access-key", "give the secret access key as the key's 'value' (e.g. value: "
                    + "${AWS_SECRET_ACCESS_KEY}), where the gateway keeps it secret, beside 'access-key-id'");
        }
        String accessKeyId = key.string("access-key-id").map(String::strip).orElse(null);
        if (accessKeyId != null && !accessKeyId.matches("[A-Z0-9]{16,128}")) {
            throw key.invalid("access-key-id", "is not an AWS access key id (16 to 128 upper-case letters and "
                    + "digits, e.g. AKIAIOSFODNN7EXAMPLE)");
        }
        Secret sessionToken = key.secret("session-token");
        if (!sessionToken.isEmpty() && accessKeyId == null) {
            throw key.invalid("session-token", "needs the key's 'access-key-id' (a session token belongs to "
                    + "temporary credentials)");
        }
        String region = region(key, "region");
        if (accessKeyId == null && region == null) {
            return null; // a Bedrock API key in the provider's region
        }
        return new AwsAuth.KeyCredentials(accessKeyId, sessionToken, region);
    }

    private static String region(PluginConfig config, String name) {
        String region = config.string(name).map(String::strip).orElse(null);
        if (region != null && !REGION.matcher(region).matches()) {
            throw config.invalid(name, "'" + region + "' is not an AWS region name, e.g. us-east-1");
        }
        return region;
    }

    /** AWS_REGION (or aws.region), else the profile's region; never the instance metadata service. */
    private static String environmentRegion(String profile) {
        try {
            return new AwsRegionProviderChain(new SystemSettingsRegionProvider(), profile == null
                    ? new AwsProfileRegionProvider() : new AwsProfileRegionProvider(null, profile)).getRegion().id();
        } catch (SdkException | IllegalArgumentException none) {
            return null;
        }
    }
}
