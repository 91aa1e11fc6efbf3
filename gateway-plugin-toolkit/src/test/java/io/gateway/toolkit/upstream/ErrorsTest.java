package io.gateway.toolkit.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.toolkit.openai.OpenAiErrors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link ErrorFields} and {@link OpenAiErrors}: the shapes OpenAI-compatible servers answer errors in. */
class ErrorsTest {

    private static GatewayException parse(int status, String body) {
        return OpenAiErrors.parse(status, body.getBytes(StandardCharsets.UTF_8), Headers.empty());
    }

    @Test
    void copiesOpenAiErrorFields() {
        GatewayException e = parse(400, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\","
                + "\"param\":\"messages\",\"code\":\"invalid_value\"}}");
        assertEquals(400, e.status());
        assertEquals("invalid_request_error", e.errorCode().type());
        assertEquals("invalid_value", e.errorCode().code());
        assertEquals("messages", e.param());
        assertEquals("bad", e.getMessage());
        assertFalse(e.errorCode().retryable());
        assertFalse(e.errorCode().gatewayError());
        assertEquals("429", parse(429, "{\"error\":{\"code\":429}}").errorCode().code(), "numeric codes become text");
    }

    @Test
    void understandsCompatibleServersAndPlainText() {
        assertEquals("model not found", parse(404, "{\"error\":\"model not found\"}").getMessage());
        GatewayException topLevel = parse(400, "{\"message\":\"nope\",\"type\":\"BadRequest\",\"code\":\"c\"}");
        assertEquals("nope", topLevel.getMessage());
        assertEquals("BadRequest", topLevel.errorCode().type());
        assertEquals("c", topLevel.errorCode().code());
        assertEquals("invalid field", parse(422, "{\"detail\":\"invalid field\"}").getMessage());
        assertTrue(parse(422, "{\"detail\":[{\"loc\":[\"body\"]}]}").getMessage().contains("loc"));
        assertEquals("<html>Bad Gateway</html>", parse(502, "  <html>Bad Gateway</html>\n").getMessage());
        assertEquals("the provider answered HTTP 503", parse(503, "").getMessage());
        assertEquals("the provider answered HTTP 500", parse(500, "{}").getMessage());
    }

    @Test
    void typeAndRetryFollowTheStatusWhenMissing() {
        assertEquals("rate_limit_error", parse(429, "{}").errorCode().type());
        assertEquals("authentication_error", parse(401, "{}").errorCode().type());
        assertTrue(parse(500, "{}").errorCode().retryable());
        assertTrue(parse(429, "{}").errorCode().retryable());
        assertFalse(parse(404, "{}").errorCode().retryable());
    }

    @Test
    void longMessagesAreCutAndNonErrorStatusesAreBadAnswers() {
        assertEquals(ErrorFields.MAX_MESSAGE + 1,
                parse(400, "{\"error\":{\"message\":\"" + "x".repeat(5000) + "\"}}").getMessage().length());
        assertEquals(ErrorFields.MAX_MESSAGE, parse(502, "y".repeat(5000)).getMessage().length());
        GatewayException redirect = parse(302, "moved");
        assertEquals(ErrorCode.BAD_UPSTREAM_RESPONSE, redirect.errorCode());
        assertEquals("the provider answered HTTP 302: moved", redirect.getMessage());
        assertEquals("the provider answered HTTP 204", parse(204, "").getMessage());
    }

    @Test
    void keepsTheRelayedHeadersAndTheErrorObject() {
        GatewayException e = OpenAiErrors.parse(429, new byte[0], Headers.of("retry-after", "3"));
        assertEquals(Duration.ofSeconds(3), e.retryAfter().orElseThrow());
        ErrorFields fields = OpenAiErrors.fields("{\"error\":{\"code\":\"x\",\"innererror\":{\"code\":\"y\"}}}"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("y", fields.error().getJsonObject("innererror").getString("code"));
        assertEquals("z", fields.withCode("z").code());
        assertEquals("t", fields.withType("t").type());
        assertNull(OpenAiErrors.fields("{\"error\":\"text\"}".getBytes(StandardCharsets.UTF_8)).error());
        assertEquals(ErrorFields.NONE, OpenAiErrors.fields(new byte[0]));
    }

    @Test
    void bodyHelpers() {
        assertNull(ErrorFields.jsonOf(new byte[0]));
        assertNull(ErrorFields.jsonOf("[1]".getBytes(StandardCharsets.UTF_8)), "only objects");
        assertNull(ErrorFields.jsonOf("oops".getBytes(StandardCharsets.UTF_8)));
        assertNull(ErrorFields.textOf(new byte[0]));
        assertEquals("oops", ErrorFields.textOf(" oops \n".getBytes(StandardCharsets.UTF_8)));
    }
}
