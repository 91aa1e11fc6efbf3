package io.gateway.plugins.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.testkit.ProviderHarness;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.fakes.FakeBedrock;
import io.gateway.testkit.fakes.SigV4;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The provider's requests pass the fake's server-side SigV4 check only when they are signed right: the
 * fake recomputes each signature with its own implementation of AWS's algorithm, so these tests fail if
 * the plugin signs the wrong service, region, path encoding, headers, body or time.
 */
class SigningTest {

    private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void aStaticKeySignsForBedrockInTheProviderRegion() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            provider.complete(Operation.CHAT_COMPLETION, CHAT.formatted(FakeBedrock.CHAT_MODEL));
            SigV4.Signed signed = bedrock.fake.signedRequests().get(0);
            assertEquals(FakeBedrock.ACCESS_KEY_ID, signed.accessKeyId());
            assertEquals("us-east-1", signed.region());
            assertEquals(Bedrock.NOW, signed.signedAt());
            String authorization = bedrock.lastRequest().header("authorization");
            assertTrue(authorization.contains("/us-east-1/bedrock/aws4_request"), authorization);
            assertEquals("/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse", bedrock.lastRequest().path());
        }
    }

    @Test
    void aWrongSecretIsRefusedWithTheUpstreamsSignatureError() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider(List.of(Map.of(
                "name", "main", "access-key-id", FakeBedrock.ACCESS_KEY_ID, "value", "not-the-secret")))) {
            GatewayException e = provider.failure(Operation.CHAT_COMPLETION, CHAT.formatted(FakeBedrock.CHAT_MODEL));
            assertEquals(403, e.status());
            assertEquals("InvalidSignatureException", e.errorCode().code());
            assertTrue(e.getMessage().contains("does not match the signature you provided"), e.getMessage());
            assertTrue(bedrock.fake.signedRequests().isEmpty());
        }
    }

    @Test
    void anUnknownAccessKeyIsRefused() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider(List.of(Map.of(
                "name", "main", "access-key-id", "AKIAUNKNOWNKEY000001", "value", FakeBedrock.SECRET_ACCESS_KEY)))) {
            GatewayException e = provider.failure(Operation.CHAT_COMPLETION, CHAT.formatted(FakeBedrock.CHAT_MODEL));
            assertEquals(403, e.status());
            assertEquals("UnrecognizedClientException", e.errorCode().code());
        }
    }

    @Test
    void aSignatureFromAnotherTimeIsRefused() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            bedrock.clock.set(Bedrock.NOW.minusSeconds(16 * 60));
            GatewayException e = provider.failure(Operation.CHAT_COMPLETION, CHAT.formatted(FakeBedrock.CHAT_MODEL));
            assertEquals(403, e.status());
            assertTrue(e.getMessage().startsWith("Signature expired"), e.getMessage());
            bedrock.clock.set(Bedrock.NOW.minusSeconds(14 * 60));
            provider.complete(Operation.CHAT_COMPLETION, CHAT.formatted(FakeBedrock.CHAT_MODEL));
        }
    }

    @Test
    void temporaryCredentialsSendTheirSessionTokenSigned() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider(List.of(Map.of(
                "name", "sts", "access-key-id", FakeBedrock.SESSION_ACCESS_KEY_ID,
                "value", FakeBedrock.SESSION_SECRET_ACCESS_KEY, "session-token", FakeBedrock.SESSION_TOKEN)))) {
            provider.complete(Operation.CHAT_COMPLETION, CHAT.formatted(FakeBedrock.CHAT_MODEL));
            assertEquals(FakeBedrock.SESSION_TOKEN, bedrock.lastRequest().header("x-amz-security-token"));
            assertTrue(bedrock.lastRequest().header("authorization").contains("x-amz-security-token"));
        }
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider(List.of(Map.of(
                "name", "sts", "access-key-id", FakeBedrock.SESSION_ACCESS_KEY_ID,
                "value", FakeBedrock.SESSION_SECRET_ACCESS_KEY)))) {
            GatewayException e = provider.failure(Operation.CHAT_COMPLETION, CHAT.formatted(FakeBedrock.CHAT_MODEL));
            assertEquals("UnrecognizedClientException", e.errorCode().code(), "temporary credentials without token");
        }
    }

    @Test
    void eachKeySignsForItsOwnRegion() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider(List.of(
                Map.of("name", "east", "access-key-id", FakeBedrock.ACCESS_KEY_ID,
                        "value", FakeBedrock.SECRET_ACCESS_KEY),
                Map.of("name", "frankfurt", "access-key-id", FakeBedrock.ACCESS_KEY_ID,
                        "value", FakeBedrock.SECRET_ACCESS_KEY, "region", "eu-central-1")))) {
            GatewayException refused = provider.failure(provider.call(Operation.CHAT_COMPLETION,
                    CHAT.formatted("eu.anthropic.claude-sonnet-4-20250514-v1:0"), "frankfurt"));
            assertTrue(refused.getMessage().contains("Credential should be scoped to a valid region, not 'eu-central-1'"),
                    refused.getMessage());
            bedrock.fake.regions("us-east-1", "eu-central-1").addModel("eu.anthropic.claude-sonnet-4-20250514-v1:0",
                    FakeBedrock.Kind.CHAT);
            provider.complete(provider.call(Operation.CHAT_COMPLETION,
                    CHAT.formatted("eu.anthropic.claude-sonnet-4-20250514-v1:0"), "frankfurt"));
            provider.complete(provider.call(Operation.CHAT_COMPLETION, CHAT.formatted(FakeBedrock.CHAT_MODEL),
                    "east"));
            List<SigV4.Signed> signed = bedrock.fake.signedRequests();
            assertEquals(List.of("eu-central-1", "us-east-1"), signed.stream().map(SigV4.Signed::region).toList());
        }
    }

    @Test
    void aKeyWithoutAccessKeyIdIsABedrockApiKeySentAsBearer() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider(List.of(Map.of(
                "name", "api", "value", FakeBedrock.API_KEY)))) {
            provider.complete(Operation.CHAT_COMPLETION, CHAT.formatted(FakeBedrock.CHAT_MODEL));
            assertEquals("Bearer " + FakeBedrock.API_KEY, bedrock.lastRequest().header("authorization"));
            assertFalse(bedrock.lastRequest().headers().contains("x-amz-date"));
        }
    }

    @Test
    void modelArnsAreOnePathSegmentAndSignedAsSent() {
        String arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/" + FakeBedrock.CHAT_MODEL;
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            provider.complete(Operation.CHAT_COMPLETION, CHAT.formatted(arn));
            assertEquals("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F"
                    + "us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse", bedrock.lastRequest().path());
            assertEquals(arn, FakeBedrock.modelOf(bedrock.lastRequest()));
        }
    }

    @Test
    void configurationMistakesStopStartUpWithTheFix() {
        try (Bedrock bedrock = new Bedrock()) {
            IllegalArgumentException secret = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> ProviderHarness.create(new BedrockProviderFactory(),
                            bedrock.config(List.of(Map.of("name", "main", "access-key-id", FakeBedrock.ACCESS_KEY_ID,
                                    "secret-access-key", "x", "value", "x"))), bedrock.context()));
            assertTrue(secret.getMessage().contains("'value'"), secret.getMessage());
            IllegalArgumentException region = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> ProviderHarness.create(new BedrockProviderFactory(),
                            TestConfig.provider("bedrock", Map.of("region", "useast1")), bedrock.context()));
            assertTrue(region.getMessage().contains("not an AWS region name"), region.getMessage());
            IllegalArgumentException token = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> ProviderHarness.create(new BedrockProviderFactory(),
                            bedrock.config(List.of(Map.of("name", "main", "value", "x", "session-token", "t"))),
                            bedrock.context()));
            assertTrue(token.getMessage().contains("access-key-id"), token.getMessage());
        }
    }
}
