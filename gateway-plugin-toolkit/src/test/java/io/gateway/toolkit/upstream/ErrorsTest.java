package io.gateway.toolkit.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.toolkit.openai.OpenAiErrors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link ErrorFields} and {@link OpenAiErrors}: the shapes OpenAI-compatible servers answer errors in. */
class ErrorsTest {

    private static GatewayException parse(int status, String body) {
        return OpenAiErrors.parse(status, body.getBytes(StandardCharsets.UTF_8), Headers.empty());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        # status | body | error.type | error.code | message | error.param
        400 | {"error":{"message":"bad","type":"invalid_request_error","param":"messages","code":"v"}} \
            | invalid_request_error | v | bad | messages
        429 | {"error":{"code":429}} | rate_limit_error | 429 | the provider answered HTTP 429 | -
        404 | {"error":"model not found"} | not_found_error | - | model not found | -
        400 | {"message":"nope","type":"BadRequest","code":"c"} | BadRequest | c | nope | -
        422 | {"detail":"invalid field"} | invalid_request_error | - | invalid field | -
        422 | {"detail":[1]} | invalid_request_error | - | [1] | -
        502 | '  <html>Bad Gateway</html>' | api_error | - | <html>Bad Gateway</html> | -
        503 | '' | api_error | - | the provider answered HTTP 503 | -
        401 | {} | authentication_error | - | the provider answered HTTP 401 | -
        """)
    void readsTheShapesOfOpenAiCompatibleServers(int status, String body, String type, String code, String message,
                                                  String param) {
        GatewayException e = parse(status, body);
        assertEquals(status, e.status());
        assertEquals(type, e.errorCode().type());
        assertEquals(code, e.errorCode().code());
        assertEquals(message, e.getMessage());
        assertEquals(param, e.param());
        assertEquals(status == 429 || status >= 500, e.errorCode().retryable());
        assertFalse(e.errorCode().gatewayError());
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
