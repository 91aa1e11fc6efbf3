package io.gateway.plugins.anthropic;

import static io.gateway.plugins.anthropic.Fixtures.event;
import static io.gateway.plugins.anthropic.Fixtures.failure;
import static io.gateway.plugins.anthropic.Fixtures.messageStart;
import static io.gateway.plugins.anthropic.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Anthropic's errors as gateway errors: the upstream status, an OpenAI type, Anthropic's type as code. */
class ErrorsTest {

    private static final String ASK = "{'messages':[{'role':'user','content':'Hi'}]}";

    private final Anthropic fake = new Anthropic();

    @AfterEach
    void closeTheFake() {
        fake.close();
    }
    private final Provider provider = provider(fake);

    @ParameterizedTest
    @CsvSource({
        "400, invalid_request_error, false",
        "401, authentication_error, false",
        "402, billing_error, false",
        "403, permission_error, false",
        "404, not_found_error, false",
        "413, request_too_large, false",
        "429, rate_limit_error, true",
        "500, api_error, true",
        "504, timeout_error, true",
        "529, overloaded_error, true"
    })
    void everyDocumentedErrorKeepsItsStatusAndType(int status, String anthropicType, boolean retryable) {
        fake.onMessages(body -> Answers.error(status, anthropicType, "Something about " + anthropicType));
        GatewayException e = failure(provider, Operation.CHAT_COMPLETION, ASK);
        assertEquals(status, e.status());
        assertEquals(anthropicType, e.errorCode().type());
        assertEquals(anthropicType, e.errorCode().code());
        assertEquals("Something about " + anthropicType, e.getMessage());
        assertEquals(retryable, e.errorCode().retryable());
        assertFalse(e.errorCode().gatewayError());
    }

    @ParameterizedTest
    @CsvSource({
        "invalid_request_error, 400",
        "authentication_error, 401",
        "billing_error, 402",
        "permission_error, 403",
        "not_found_error, 404",
        "request_too_large, 413",
        "rate_limit_error, 429",
        "api_error, 500",
        "timeout_error, 504",
        "overloaded_error, 529",
        "an_error_added_later, 500"
    })
    void errorEventsInStreamsGetTheStatusOfTheirType(String anthropicType, int status) {
        fake.onMessages(body -> Answers.sse(Headers.empty(), List.copyOf(List.of(messageStart(1),
                event("{'type':'error','error':{'type':'" + anthropicType + "','message':'Failed'}}")))));
        EventStream events = Fixtures.stream(provider, Operation.CHAT_COMPLETION,
                "{'messages':[{'role':'user','content':'Hi'}],'stream':true}");
        events.next();
        GatewayException e = assertThrows(GatewayException.class, events::next);
        assertEquals(status, e.status());
        assertEquals(anthropicType, e.errorCode().code());
        assertEquals("Failed", e.getMessage());
    }

    @Test
    void responsesErrorsMapTheSameWay() {
        fake.onMessages(body -> Answers.error(529, "overloaded_error", "Overloaded"));
        GatewayException e = failure(provider, Operation.RESPONSES, "{'input':'Hi'}");
        assertEquals(529, e.status());
        assertEquals("overloaded_error", e.errorCode().code());
    }

    @Test
    void rateLimitHeadersAreRelayedAndTranslated() {
        Headers headers = Headers.of("retry-after", "20",
                "anthropic-ratelimit-requests-limit", "50",
                "anthropic-ratelimit-requests-remaining", "0",
                "anthropic-ratelimit-requests-reset", "2025-06-01T12:01:30Z",
                "anthropic-ratelimit-tokens-limit", "40000",
                "anthropic-ratelimit-tokens-remaining", "39000",
                "anthropic-ratelimit-tokens-reset", "2025-06-01T12:00:05Z",
                "anthropic-ratelimit-input-tokens-limit", "30000",
                "request-id", "req_1", "x-should-not-pass", "1");
        fake.onMessages(body -> Answers.json(429, headers,
                "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Slow down\"}}"));
        GatewayException e = failure(provider, Operation.CHAT_COMPLETION, ASK);
        Headers relayed = e.headers();
        assertEquals("20", relayed.first("retry-after").orElseThrow());
        assertEquals("50", relayed.first("anthropic-ratelimit-requests-limit").orElseThrow());
        assertEquals("30000", relayed.first("anthropic-ratelimit-input-tokens-limit").orElseThrow());
        assertEquals("50", relayed.first("x-ratelimit-limit-requests").orElseThrow());
        assertEquals("0", relayed.first("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals("1m30s", relayed.first("x-ratelimit-reset-requests").orElseThrow());
        assertEquals("40000", relayed.first("x-ratelimit-limit-tokens").orElseThrow());
        assertEquals("39000", relayed.first("x-ratelimit-remaining-tokens").orElseThrow());
        assertEquals("5s", relayed.first("x-ratelimit-reset-tokens").orElseThrow());
        assertFalse(relayed.contains("request-id"));
        assertFalse(relayed.contains("x-should-not-pass"));
        assertEquals(20_000, e.retryAfter().orElseThrow().toMillis());
    }

    @Test
    void successfulAnswersRelayRateLimitHeadersToo() {
        fake.onMessages(body -> Answers.json(200, Headers.of("anthropic-ratelimit-requests-remaining", "49"),
                Fixtures.message("Hi", "end_turn")));
        var response = provider.call(Fixtures.call(Operation.CHAT_COMPLETION, Fixtures.obj(ASK)));
        assertEquals("49", response.headers().first("x-ratelimit-remaining-requests").orElseThrow());
    }

    @Test
    void nonJsonErrorBodiesKeepTheStatus() {
        fake.onMessages(body -> Answers.text(413, "text/html", "<html>Request Entity Too Large</html>"));
        GatewayException e = failure(provider, Operation.CHAT_COMPLETION, ASK);
        assertEquals(413, e.status());
        assertEquals("invalid_request_error", e.errorCode().type());
        assertTrue(e.getMessage().contains("Request Entity Too Large"));
    }

    @Test
    void anErrorObjectInA200IsStillAnError() {
        fake.onMessages(body -> Answers.json(
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        assertEquals(529, failure(provider, Operation.CHAT_COMPLETION, ASK).status());
    }

    @Test
    void invalidJsonIsABadUpstreamResponse() {
        fake.onMessages(body -> Answers.text(200, "application/json", "{not json"));
        assertEquals(502, failure(provider, Operation.CHAT_COMPLETION, ASK).status());
    }

    @Test
    void theFakeRejectsWhatAnthropicRejects() {
        fake.onMessages(body -> Answers.error(400, "invalid_request_error", "unused"));
        GatewayException e = failure(provider, Operation.CHAT_COMPLETION,
                "{'messages':[{'role':'user','content':'Hi'}],'temperature':1.5}");
        assertEquals(400, e.status());
        assertEquals("invalid_request_error", e.errorCode().code());
        assertTrue(e.getMessage().startsWith("temperature"), e.getMessage());
    }
}
