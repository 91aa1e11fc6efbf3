package io.gateway.plugins.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.ProviderCall;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gateway.testkit.HttpUpstream;
import io.gateway.testkit.ScriptedUpstream;
import io.gateway.testkit.fakes.FakeAzure;

/** Azure's error answers, through the provider: status kept, fields copied, headers passed on. */
class ErrorsTest {

    private static final Map<String, String> DEPLOYMENTS = Map.of(
            "gpt-4o", "chat-prod",
            "text-embedding-3-small", "embed-prod",
            "gpt-image-1", "image-prod");

    private static String chat(String content) {
        return "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    private static GatewayException fail(Harness azure, ProviderCall call) {
        return assertThrows(GatewayException.class, () -> azure.provider.call(call));
    }

    @Test
    void aWrongKeyIsAnAuthenticationError() {
        try (Harness azure = Harness.start(Map.of(), List.of(Harness.key("stale", "revoked-key", DEPLOYMENTS)))) {
            GatewayException error = fail(azure, azure.call(Operation.CHAT_COMPLETION, "gpt-4o", chat("Hi"), "stale"));
            assertEquals(401, error.status());
            assertEquals("authentication_error", error.errorCode().type());
            assertEquals("401", error.errorCode().code());
            assertTrue(error.getMessage().startsWith("Access denied due to invalid subscription key"));
            assertFalse(error.errorCode().retryable());
            assertFalse(error.getMessage().contains("revoked-key"), "never a key in a message");
        }
    }

    @Test
    void anEmptyKeySendsNoApiKeyHeader() {
        try (Harness azure = Harness.start(Map.of(), List.of(Harness.key("unset", "", DEPLOYMENTS)))) {
            GatewayException error = fail(azure, azure.call(Operation.CHAT_COMPLETION, "gpt-4o", chat("Hi"), "unset"));
            assertEquals(401, error.status());
            assertFalse(azure.last().headers().contains("api-key"));
        }
    }

    @Test
    void bothResourceKeysWork() {
        try (Harness azure = Harness.start(Map.of(), List.of(Harness.key("key1", FakeAzure.API_KEY, DEPLOYMENTS),
                Harness.key("key2", FakeAzure.SECOND_KEY, DEPLOYMENTS)))) {
            azure.complete(azure.call(Operation.CHAT_COMPLETION, "gpt-4o", chat("Hi"), "key1"));
            assertEquals(FakeAzure.API_KEY, azure.last().headers().first("api-key").orElseThrow());
            azure.complete(azure.call(Operation.CHAT_COMPLETION, "gpt-4o", chat("Hi"), "key2"));
            assertEquals(FakeAzure.SECOND_KEY, azure.last().headers().first("api-key").orElseThrow());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void aContentFilterRejectionKeepsStatusCodeAndParam(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            GatewayException error = fail(azure, azure.call(Operation.CHAT_COMPLETION, "gpt-4o",
                    chat("[content-filter] something violent"), "main"));
            assertEquals(400, error.status());
            assertEquals("invalid_request_error", error.errorCode().type(), "Azure sends type null");
            assertEquals("content_filter", error.errorCode().code());
            assertEquals("prompt", error.param());
            assertTrue(error.getMessage().contains("Azure OpenAI's content management policy"));
            assertFalse(error.errorCode().retryable(), "the same prompt is filtered again");
            assertFalse(error.errorCode().gatewayError());
        }
    }

    @Test
    void aContentFilterRejectionOfTheResponsesApi() {
        try (Harness azure = Harness.withVersion("2024-10-21", DEPLOYMENTS)) {
            GatewayException error = fail(azure, azure.call(Operation.RESPONSES, "gpt-4o",
                    "{\"model\":\"gpt-4o\",\"input\":\"[content-filter] x\"}", "main"));
            assertEquals(400, error.status());
            assertEquals("content_filter", error.errorCode().code());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void anImageSafetyRejectionIsAContentFilterError(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            GatewayException error = fail(azure, azure.call(Operation.IMAGE_GENERATION, "gpt-image-1",
                    "{\"model\":\"gpt-image-1\",\"prompt\":\"[content-filter] a battle\"}", "main"));
            assertEquals(400, error.status());
            assertEquals("invalid_request_error", error.errorCode().type());
            assertEquals("content_filter", error.errorCode().code(), "content_policy_violation is normalised");
            assertTrue(error.getMessage().contains("safety system"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void aRateLimitIsRetryableAndCarriesTheRetryHeaders(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            azure.fake.answerNext(FakeAzure.error(429, "429", "Requests to the chat/completions Operation under"
                    + " Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0"
                    + " pricing tier. Please retry after 7 seconds.").header("retry-after", "7")
                    .header("retry-after-ms", "7000").header("x-ratelimit-remaining-requests", "0")
                    .header("x-ratelimit-remaining-tokens", "0").header("x-ms-region", "Sweden Central"));
            GatewayException error = fail(azure, azure.call(Operation.CHAT_COMPLETION, "gpt-4o",
                    chat("Hi"), "main"));
            assertEquals(429, error.status());
            assertEquals("rate_limit_error", error.errorCode().type());
            assertEquals("429", error.errorCode().code());
            assertTrue(error.errorCode().retryable());
            assertEquals("7", error.headers().first("retry-after").orElseThrow());
            assertEquals("7000", error.headers().first("retry-after-ms").orElseThrow());
            assertEquals("0", error.headers().first("x-ratelimit-remaining-requests").orElseThrow());
            assertEquals("0", error.headers().first("x-ratelimit-remaining-tokens").orElseThrow());
            assertTrue(error.headers().contains("apim-request-id"));
            assertFalse(error.headers().contains("x-ms-region"));
            assertEquals(Duration.ofSeconds(7), error.retryAfter().orElseThrow());
            assertTrue(error.getMessage().contains("Please retry after 7 seconds"));
        }
    }

    @Test
    void aServerErrorIsRetryable() {
        try (Harness azure = Harness.withVersion("2024-10-21", DEPLOYMENTS)) {
            azure.fake.answerNext(FakeAzure.error(500, "InternalServerError", "The service is temporarily unable to"
                    + " process your request. Please try again later."));
            GatewayException error = fail(azure, azure.call(Operation.EMBEDDING, "text-embedding-3-small",
                    "{\"model\":\"text-embedding-3-small\",\"input\":\"x\"}", "main"));
            assertEquals(500, error.status());
            assertEquals("api_error", error.errorCode().type());
            assertEquals("InternalServerError", error.errorCode().code());
            assertTrue(error.errorCode().retryable());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void anUnknownDeploymentIsNotFound(String version) {
        try (Harness azure = Harness.withVersion(version, Map.of())) {
            GatewayException error = fail(azure, azure.call(Operation.CHAT_COMPLETION, "gpt-5-nano", chat("Hi"),
                    "main"));
            assertEquals(404, error.status());
            assertEquals("not_found_error", error.errorCode().type());
            assertEquals("DeploymentNotFound", error.errorCode().code());
            assertTrue(error.getMessage().startsWith("The API deployment for this resource does not exist"));
        }
    }

    @Test
    void aDeploymentOfAnotherKindRejectsTheOperation() {
        try (Harness azure = Harness.withVersion("2024-10-21", Map.of("text-embedding-3-small", "chat-prod"))) {
            GatewayException error = fail(azure, azure.call(Operation.EMBEDDING, "text-embedding-3-small",
                    "{\"model\":\"text-embedding-3-small\",\"input\":\"x\"}", "main"));
            assertEquals(400, error.status());
            assertEquals("OperationNotSupported", error.errorCode().code());
        }
    }

    @Test
    void aMissingFieldNamesTheParam() {
        try (Harness azure = Harness.withVersion("2024-10-21", DEPLOYMENTS)) {
            GatewayException error = fail(azure, azure.call(Operation.CHAT_COMPLETION, "gpt-4o",
                    "{\"model\":\"gpt-4o\"}", "main"));
            assertEquals(400, error.status());
            assertEquals("messages", error.param());
            assertEquals("missing_required_parameter", error.errorCode().code());
        }
    }

    @Test
    void aModelThatCannotBeADeploymentNameIsRefusedWithoutAnUpstreamCall() {
        try (Harness azure = Harness.withVersion("2024-10-21", DEPLOYMENTS)) {
            for (String model : List.of("meta/llama-3", "..", "a b", "x?y")) {
                GatewayException error = fail(azure, azure.call(Operation.CHAT_COMPLETION, model,
                        "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "main"));
                assertEquals(ErrorCode.INVALID_REQUEST, error.errorCode(), model);
                assertEquals("model", error.param());
            }
            assertTrue(azure.requests().isEmpty());
        }
    }

    @Test
    void anUnreachableResourceIsAConnectionFailure() {
        var provider = Harness.provider(Map.of("base-url", "http://127.0.0.1:1"), HttpUpstream.create());
        GatewayException error = assertThrows(GatewayException.class, () -> provider.call(Harness.call(
                Operation.CHAT_COMPLETION, "gpt-4o", chat("Hi"), Keys.keyless())));
        assertEquals(ErrorCode.PROVIDER_CONNECTION_FAILED, error.errorCode());
    }

    @Test
    void anEmptySuccessBodyIsABadUpstreamResponse() {
        ScriptedUpstream upstream = Harness.capturing(200, "application/json", "");
        var provider = Harness.provider(Map.of("base-url", "https://res.openai.azure.com"), upstream);
        GatewayException error = assertThrows(GatewayException.class, () -> provider.call(Harness.call(
                Operation.CHAT_COMPLETION, "gpt-4o", chat("Hi"), Keys.keyless())));
        assertEquals(ErrorCode.BAD_UPSTREAM_RESPONSE, error.errorCode());
        assertTrue(error.getMessage().contains("azure"), error.getMessage());
    }

    @Test
    void anApiManagementErrorKeepsItsMessage() {
        ScriptedUpstream upstream = Harness.capturing(401, "application/json",
                "{ \"statusCode\": 401, \"message\": \"Access denied due to missing subscription key. Make sure to "
                        + "include subscription key when making requests to an API.\" }");
        var provider = Harness.provider(Map.of("base-url", "https://apim.azure-api.net"), upstream);
        GatewayException error = assertThrows(GatewayException.class, () -> provider.call(Harness.call(
                Operation.CHAT_COMPLETION, "gpt-4o", chat("Hi"), Keys.keyless())));
        assertEquals(401, error.status());
        assertTrue(error.getMessage().startsWith("Access denied due to missing subscription key"));
    }
}
