package io.gateway.plugins.gemini;

import static io.gateway.plugins.gemini.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorsTest {

    private static final String CHAT = "{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"x\"}]}";

    private final Gemini gemini = new Gemini();

    @AfterEach
    void closeTheFake() {
        gemini.close();
    }
    private final Provider provider = provider(gemini);

    private GatewayException fail(Operation operation, String body) {
        return assertThrows(GatewayException.class, () -> provider.call(Fixtures.call(operation, body)));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "400, INVALID_ARGUMENT, invalid_request_error, false",
        "400, FAILED_PRECONDITION, invalid_request_error, false",
        "400, OUT_OF_RANGE, invalid_request_error, false",
        "401, UNAUTHENTICATED, authentication_error, false",
        "403, PERMISSION_DENIED, permission_error, false",
        "404, NOT_FOUND, not_found_error, false",
        "429, RESOURCE_EXHAUSTED, rate_limit_error, true",
        "500, INTERNAL, api_error, true",
        "503, UNAVAILABLE, api_error, true",
        "504, DEADLINE_EXCEEDED, request_timed_out, true",
    })
    void geminiStatusesMapToOpenAiErrors(int status, String canonical, String type, boolean retryable) {
        gemini.handle(request -> Replies.status(status, "{\"error\":{\"code\":" + status
                + ",\"message\":\"upstream says " + canonical + "\",\"status\":\"" + canonical + "\"}}",
                Headers.of("retry-after", "7", "x-ratelimit-remaining-requests", "0", "x-goog-trace", "abc")));

        for (Operation operation : new Operation[] {Operation.CHAT_COMPLETION, Operation.EMBEDDING,
            Operation.LIST_MODELS}) {
            String body = switch (operation) {
                case EMBEDDING -> "{\"model\":\"gemini-embedding-001\",\"input\":\"x\"}";
                case LIST_MODELS -> null;
                default -> CHAT;
            };
            GatewayException e = fail(operation, body);
            assertEquals(status, e.status(), operation.name());
            assertEquals(type, e.errorCode().type(), operation.name());
            assertEquals(canonical, e.errorCode().code(), operation.name());
            assertEquals("upstream says " + canonical, e.getMessage());
            assertNull(e.param());
            assertEquals(retryable, e.errorCode().retryable());
            assertFalse(e.errorCode().gatewayError(), "an upstream error is not the gateway's fault");
            assertEquals("7", e.headers().first("retry-after").orElseThrow());
            assertEquals("0", e.headers().first("x-ratelimit-remaining-requests").orElseThrow());
            assertFalse(e.headers().contains("x-goog-trace"), "only rate-limit headers are relayed");
        }
    }

    @Test
    void theFakeRejectsWhatGeminiRejectsAndTheErrorIsRelayed() {
        GatewayException e = fail(Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[{"role":"user","content":"x"}],
                 "tools":[{"type":"function","function":{"name":"f"}}],
                 "tool_choice":{"type":"function","function":{"name":"g"}}}""");
        assertEquals(400, e.status());
        assertEquals("INVALID_ARGUMENT", e.errorCode().code());
        assertTrue(e.getMessage().contains("not declared"), e.getMessage());
    }

    @Test
    void aBadKeyIsAnAuthenticationError() {
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.call(Fixtures.call(Operation.CHAT_COMPLETION, CHAT, "wrong-key")));
        assertEquals(400, e.status(), "Gemini's status is kept");
        assertEquals("authentication_error", e.errorCode().type(), "its reason API_KEY_INVALID says what it is");
        assertEquals("INVALID_ARGUMENT", e.errorCode().code());
    }

    @Test
    void retryInfoBecomesRetryAfter() {
        gemini.handle(request -> Replies.status(429, """
                {"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED",
                 "details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},
                            {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"36.5s"}]}}""",
                Headers.empty()));
        GatewayException e = fail(Operation.CHAT_COMPLETION, CHAT);
        assertEquals("37", e.headers().first("retry-after").orElseThrow());
        assertEquals(37_000, e.retryAfter().orElseThrow().toMillis());
    }

    @Test
    void nonJsonAndArrayErrorBodiesAreUnderstood() {
        gemini.handle(request -> Replies.status(502, "<html>Bad Gateway</html>", Headers.empty()));
        GatewayException html = fail(Operation.CHAT_COMPLETION, CHAT);
        assertEquals(502, html.status());
        assertEquals("api_error", html.errorCode().type());
        assertEquals("<html>Bad Gateway</html>", html.getMessage());

        gemini.handle(request -> Replies.status(400,
                "[{\"error\":{\"code\":400,\"message\":\"bad\",\"status\":\"INVALID_ARGUMENT\"}}]", Headers.empty()));
        GatewayException array = fail(Operation.CHAT_COMPLETION, CHAT);
        assertEquals("bad", array.getMessage());
        assertEquals("INVALID_ARGUMENT", array.errorCode().code());

        gemini.handle(request -> Replies.status(500, "", Headers.empty()));
        GatewayException empty = fail(Operation.CHAT_COMPLETION, CHAT);
        assertEquals(500, empty.status());
        assertEquals("the provider answered HTTP 500", empty.getMessage());
    }

    @Test
    void invalidJsonFromGeminiIsABadUpstreamResponse() {
        gemini.answer("not json");
        GatewayException e = fail(Operation.CHAT_COMPLETION, CHAT);
        assertEquals(502, e.status());
        assertEquals("invalid_upstream_response", e.errorCode().type());
    }
}
