package io.gateway.plugins.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Secret;
import io.gateway.spi.provider.ApiKey;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestConfig;
import io.gateway.toolkit.settings.KeySettings;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Credentials that cannot be found, and regions per key. */
class AwsAuthTest {

    private static final ApiKey KEYLESS = new ApiKey("keyless", Secret.empty(), 1, List.of("*"));

    @Test
    void aChainThatFindsNoCredentialsIsA503ThatSaysWhatToDo() {
        AwsAuth auth = new AwsAuth("bedrock", "us-east-1", KeySettings.read(TestConfig.provider("bedrock", Map.of()),
                key -> null), () -> {
                    throw SdkClientException.create("Unable to load credentials from any of the providers in the "
                            + "chain.");
                }, TestClock.create());
        GatewayException e = assertThrows(GatewayException.class, () -> auth.authorize(KEYLESS, "us-east-1", "POST",
                URI.create("https://bedrock-runtime.us-east-1.amazonaws.com/model/x/converse"), Headers.empty(),
                new byte[0]));
        assertEquals(503, e.status());
        assertEquals("aws_credentials_unavailable", e.errorCode().code());
        assertTrue(e.errorCode().retryable());
        assertTrue(e.getMessage().contains("Unable to load credentials") && e.getMessage().contains("AWS_PROFILE"),
                e.getMessage());
    }

    @Test
    void aKeysRegionWinsOverTheProviders() {
        KeySettings<AwsAuth.KeyCredentials> keys = KeySettings.read(TestConfig.provider("bedrock", Map.of("keys",
                List.of(Map.of("name", "eu", "value", "s", "access-key-id", "AKIAIOSFODNN7EXAMPLE",
                        "region", "eu-west-3")))), key -> new AwsAuth.KeyCredentials(
                key.string("access-key-id").orElse(null), Secret.empty(), key.string("region").orElse(null)));
        AwsAuth auth = new AwsAuth("bedrock", "us-east-1", keys, null, TestClock.create());
        assertEquals("eu-west-3", auth.region(new ApiKey("eu", Secret.of("s"), 1, List.of("*"))));
        assertEquals("us-east-1", auth.region(new ApiKey("other", Secret.of("s"), 1, List.of("*"))));
        assertTrue(auth.toString().contains("1 keys") && !auth.toString().contains("AKIA"), auth.toString());
    }
}
