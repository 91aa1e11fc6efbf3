package io.gateway.plugins.bedrock;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Secret;
import io.gateway.spi.provider.ApiKey;
import io.gateway.toolkit.settings.KeySettings;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * How the calls of one configured Bedrock provider authenticate, and in which region they run.
 *
 * <p>Per key of the provider's {@code keys}:
 * <ul>
 *   <li>with {@code access-key-id}: static AWS credentials, the key's {@code value} being the secret
 *       access key and {@code session-token} the optional session token; requests are signed with
 *       SigV4 (service {@code bedrock}) by the AWS SDK's {@link AwsV4HttpSigner};</li>
 *   <li>without it: the {@code value} is a Bedrock API key, sent as {@code Authorization: Bearer};</li>
 * </ul>
 * A provider without keys signs with the credentials of the AWS default chain (environment, system
 * properties, web identity token file, the shared profile files, container and instance roles), or of
 * one named profile. The region of a call is its key's {@code region}, else the provider's.
 *
 * <p>Created once per provider; immutable and thread-safe (the SDK's signer and credential providers
 * are thread-safe; the chain caches and refreshes what it resolves).
 */
final class AwsAuth {

    /** The SigV4 signing name of Bedrock's runtime and control plane APIs. */
    static final String SIGNING_NAME = "bedrock";

    /**
     * A gateway-side failure to find credentials: the upstream was not called. Retryable, since the
     * container and instance role endpoints fail transiently.
     */
    static final ErrorCode NO_CREDENTIALS =
            new ErrorCode(503, "api_error", "aws_credentials_unavailable", true, true);

    /**
     * The settings of one key.
     *
     * @param accessKeyId  the access key id, or {@code null} for a Bedrock API key
     * @param sessionToken the session token, empty when there is none
     * @param region       the key's region, or {@code null} for the provider's
     */
    record KeyCredentials(String accessKeyId, Secret sessionToken, String region) {
        KeyCredentials {
            Objects.requireNonNull(sessionToken, "sessionToken");
        }

        @Override
        public String toString() {
            return "KeyCredentials[" + (accessKeyId == null ? "api key" : accessKeyId) + ", " + region + "]";
        }
    }

    private final String provider;
    private final String defaultRegion;
    private final KeySettings<KeyCredentials> keys;
    private final AwsCredentialsProvider chain;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /**
     * @param provider      the provider name, for messages
     * @param defaultRegion the provider's region, or {@code null} when every key names one and there is
     *                      no keyless use
     * @param keys          every key's settings
     * @param chain         the credentials of a provider without keys, or {@code null} when it has keys
     * @param clock         the signing time
     */
    AwsAuth(String provider, String defaultRegion, KeySettings<KeyCredentials> keys, AwsCredentialsProvider chain,
            Clock clock) {
        this.provider = provider;
        this.defaultRegion = defaultRegion;
        this.keys = keys;
        this.chain = chain;
        this.clock = clock;
    }

    /**
     * The region of a call made with a key.
     *
     * @param key the attempt's key
     * @return the key's region, else the provider's
     */
    String region(ApiKey key) {
        KeyCredentials credentials = keys.of(key).orElse(null);
        if (credentials != null && credentials.region() != null) {
            return credentials.region();
        }
        if (defaultRegion == null) {
            throw GatewayException.of(ErrorCode.INTERNAL, "provider " + provider + " has no region for key '"
                    + key.name() + "'; set the provider's 'region'");
        }
        return defaultRegion;
    }

    /**
     * The headers of a request with its authentication added: the SigV4 headers ({@code Authorization},
     * {@code X-Amz-Date}, {@code x-amz-content-sha256}, {@code X-Amz-Security-Token}) over the method,
     * URI, the given headers and the body, or the Bedrock API key as a bearer token.
     *
     * @param key     the attempt's key
     * @param region  the region the request goes to
     * @param method  the HTTP method
     * @param uri     the absolute URI, its path already percent-encoded as sent
     * @param headers the headers to send (all of them are signed)
     * @param body    the body, or {@code null} for none
     * @return the headers to send
     * @throws GatewayException 503 {@link #NO_CREDENTIALS} when a provider without keys finds no
     *                          credentials
     */
    Headers authorize(ApiKey key, String region, String method, URI uri, Headers headers, byte[] body) {
        KeyCredentials credentials = keys.of(key).orElse(null);
        if (!key.value().isEmpty() && (credentials == null || credentials.accessKeyId() == null)) {
            return headers.toBuilder().set("authorization", "Bearer " + key.value().reveal()).build();
        }
        AwsCredentialsIdentity identity;
        if (!key.value().isEmpty()) {
            identity = credentials.sessionToken().isEmpty()
                    ? AwsCredentialsIdentity.create(credentials.accessKeyId(), key.value().reveal())
                    : AwsSessionCredentialsIdentity.create(credentials.accessKeyId(), key.value().reveal(),
                            credentials.sessionToken().reveal());
        } else {
            identity = fromChain();
        }
        return sign(identity, region, method, uri, headers, body);
    }

    private AwsCredentialsIdentity fromChain() {
        if (chain == null) {
            throw GatewayException.of(NO_CREDENTIALS, "provider " + provider + " has no credentials for a call "
                    + "without a key");
        }
        try {
            return chain.resolveCredentials();
        } catch (SdkException e) {
            throw new GatewayException(NO_CREDENTIALS, "provider " + provider + " (bedrock) found no AWS credentials: "
                    + e.getMessage() + " Give the provider keys with 'access-key-id' and 'value', or make credentials"
                    + " available to the AWS default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE,"
                    + " AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, a container or instance role).", null, null, e);
        }
    }

    private Headers sign(AwsCredentialsIdentity identity, String region, String method, URI uri, Headers headers,
                         byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        headers.forEach((name, values) -> request.putHeader(name, values));
        byte[] payload = body == null ? new byte[0] : body;
        SignedRequest signed = signer.sign(r -> r
                .identity(identity)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArrayUnsafe(payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        Headers.Builder out = Headers.builder();
        for (Map.Entry<String, List<String>> header : signed.request().headers().entrySet()) {
            if (header.getKey().equalsIgnoreCase("host")) {
                continue; // the upstream client writes the same host[:port] itself
            }
            for (String value : header.getValue()) {
                out.add(header.getKey(), value);
            }
        }
        return out.build();
    }

    @Override
    public String toString() {
        return "AwsAuth[" + provider + ", " + defaultRegion + ", " + keys.all().size() + " keys"
                + (chain == null ? "" : ", default chain") + "]";
    }
}
