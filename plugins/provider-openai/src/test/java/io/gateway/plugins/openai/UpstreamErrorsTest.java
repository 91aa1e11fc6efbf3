package io.gateway.plugins.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.toolkit.openai.OpenAiErrors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UpstreamErrorsTest {

    private static GatewayException map(int status, String body) {
        return OpenAiErrors.parse(status, body.getBytes(StandardCharsets.UTF_8), Headers.empty());
    }

    @Test
    void copiesOpenAiErrorFields() {
        GatewayException e = map(400, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\","
                + "\"param\":\"messages\",\"code\":\"invalid_value\"}}");
        assertEquals(400, e.status());
        assertEquals("invalid_request_error", e.errorCode().type());
        assertEquals("invalid_value", e.errorCode().code());
        assertEquals("messages", e.param());
        assertEquals("bad", e.getMessage());
        assertFalse(e.errorCode().retryable());
        assertFalse(e.errorCode().gatewayError());
    }

    @Test
    void numericCodesBecomeStrings() {
        assertEquals("429", map(429, "{\"error\":{\"message\":\"slow down\",\"code\":429}}").errorCode().code());
    }

    @Test
    void understandsTheShapesOfCompatibleServers() {
        assertEquals("model not found", map(404, "{\"error\":\"model not found\"}").getMessage());
        assertEquals("nope", map(400, "{\"message\":\"nope\",\"type\":\"BadRequest\"}").getMessage());
        assertEquals("invalid field", map(422, "{\"detail\":\"invalid field\"}").getMessage());
        assertTrue(map(422, "{\"detail\":[{\"loc\":[\"body\"]}]}").getMessage().contains("loc"));
        assertEquals("upstream exploded", map(502, "upstream exploded").getMessage());
        assertEquals("the provider answered HTTP 503", map(503, "").getMessage());
    }

    @Test
    void typeFollowsTheStatusWhenMissing() {
        assertEquals("rate_limit_error", map(429, "{}").errorCode().type());
        assertEquals("authentication_error", map(401, "{}").errorCode().type());
        assertEquals("api_error", map(500, "{}").errorCode().type());
        assertTrue(map(500, "{}").errorCode().retryable());
        assertTrue(map(429, "{}").errorCode().retryable());
    }

    @Test
    void keepsRetryAfterHeaders() {
        GatewayException e = OpenAiErrors.parse(429, new byte[0], Headers.of("retry-after", "3"));
        assertEquals(Duration.ofSeconds(3), e.retryAfter().orElseThrow());
    }

    @Test
    void relaysOnlyRateLimitAndRetryHeaders() {
        Headers relayed = OpenAiProvider.RELAY.apply(Headers.of("x-ratelimit-remaining-tokens", "10", "retry-after", "1",
                "set-cookie", "secret", "openai-processing-ms", "12", "content-type", "application/json"));
        assertEquals(java.util.Set.of("x-ratelimit-remaining-tokens", "retry-after", "openai-processing-ms"),
                relayed.names());
    }
}
