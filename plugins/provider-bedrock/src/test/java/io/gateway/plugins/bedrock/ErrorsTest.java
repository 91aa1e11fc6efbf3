package io.gateway.plugins.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.testkit.ProviderHarness;
import io.gateway.testkit.fakes.FakeBedrock;
import io.gateway.testkit.http.Reply;
import org.junit.jupiter.api.Test;

/** Bedrock's exceptions reach the client with the mapped status, the exception's name and the message. */
class ErrorsTest {

    private static final String CHAT = "{\"model\":\"" + FakeBedrock.CHAT_MODEL
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void exceptionsMapToTheStatusesClientsActOn() {
        Object[][] cases = {
                {400, "ValidationException", 400, false},
                {403, "AccessDeniedException", 403, false},
                {404, "ResourceNotFoundException", 404, false},
                {429, "ThrottlingException", 429, true},
                {400, "ServiceQuotaExceededException", 429, true},
                {429, "ModelNotReadyException", 503, true},
                {503, "ServiceUnavailableException", 503, true},
                {500, "InternalServerException", 500, true},
                {424, "ModelErrorException", 424, false},
                {408, "ModelTimeoutException", 408, false},
                {403, "ExpiredTokenException", 403, false},
        };
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            for (Object[] c : cases) {
                String message = "upstream says " + c[1];
                bedrock.fake.answerNext(FakeBedrock.error((int) c[0], (String) c[1], message)
                        .header("retry-after", "3"));
                GatewayException e = provider.failure(Operation.CHAT_COMPLETION, CHAT);
                assertEquals((int) c[2], e.status(), (String) c[1]);
                assertEquals(c[1], e.errorCode().code());
                assertEquals(message, e.getMessage());
                assertEquals((boolean) c[3], e.errorCode().retryable(), (String) c[1]);
                assertFalse(e.errorCode().gatewayError());
                assertEquals("3", e.headers().first("retry-after").orElse(null));
                assertFalse(e.headers().contains("x-amzn-errortype"), "the parser's header stays behind");
            }
        }
    }

    @Test
    void theTypeIsReadFromTheBodyWhenTheHeaderIsMissingAndTheStatusKeptWhenUnknown() {
        assertEquals("ThrottlingException", BedrockErrors.fromResponse(429,
                "{\"__type\":\"com.amazon.bedrock#ThrottlingException\",\"message\":\"slow down\"}".getBytes(),
                io.gateway.spi.Headers.empty()).errorCode().code());
        GatewayException plain = BedrockErrors.fromResponse(502, "<html>Bad Gateway</html>".getBytes(),
                io.gateway.spi.Headers.empty());
        assertEquals(502, plain.status());
        assertTrue(plain.getMessage().contains("Bad Gateway"));
        GatewayException empty = BedrockErrors.fromResponse(503, new byte[0], io.gateway.spi.Headers.empty());
        assertEquals("bedrock answered HTTP 503", empty.getMessage());
    }

    @Test
    void aStreamRequestThatFailsBeforeTheStreamIsAnOrdinaryError() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            bedrock.fake.answerNext(FakeBedrock.error(429, "ModelNotReadyException", "Model is not ready"));
            GatewayException e = provider.failure(Operation.CHAT_COMPLETION, CHAT.replace("{", "{\"stream\":true,"));
            assertEquals(503, e.status());
            assertEquals("Model is not ready", e.getMessage());
            bedrock.fake.answerNext(Reply.json(200, "{\"not\":\"a stream\"}"));
            GatewayException notStream = provider.failure(Operation.CHAT_COMPLETION,
                    CHAT.replace("{", "{\"stream\":true,"));
            assertEquals(502, notStream.status());
            assertTrue(notStream.getMessage().contains("application/vnd.amazon.eventstream"));
        }
    }
}
