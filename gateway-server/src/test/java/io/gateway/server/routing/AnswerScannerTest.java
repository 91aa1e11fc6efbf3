package io.gateway.server.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AnswerScannerTest {

    @Test
    void aValidAnswerGivesItsTopLevelUsage() {
        String answer = "{\"id\":\"x\",\"choices\":[{\"message\":{\"usage\":\"not this one\"}}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":4},\"cost\":0.0012,\"big\":123456789012345678901234567890,"
                + "\"flags\":[true,false,null,\"s\"]},\"after\":{\"usage\":{\"prompt_tokens\":99}}}";
        JsonObject usage = scan(answer);
        assertEquals(JsonBodies.parse(answer).getJsonObject("usage"), usage);
        assertEquals(4, usage.getJsonObject("prompt_tokens_details").getInt("cached_tokens"));
    }

    @Test
    void anAnswerWithoutUsageGivesNull() {
        assertNull(scan("{\"id\":\"x\",\"data\":[{\"embedding\":[0.1,-2e-3]}]}"));
        assertNull(scan("{\"usage\":null}"));
        assertNull(scan("{\"usage\":[{\"a\":1}],\"b\":2}"));
        assertNull(scan("{}"));
    }

    @Test
    void eventsAreCheckedTheSameWay() {
        assertEquals(7, AnswerScanner.scanEvent("{\"choices\":[],\"usage\":{\"total_tokens\":7}}", "p")
                .getInt("total_tokens"));
        GatewayException e = assertThrows(GatewayException.class, () -> AnswerScanner.scanEvent("not json", "p"));
        assertEquals(ErrorCode.BAD_UPSTREAM_RESPONSE, e.errorCode());
        assertTrue(e.getMessage().contains("stream event"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "<html>502 Bad Gateway</html>", "[1,2]", "\"text\"", "42", "null",
        "{", "{\"a\":", "{\"a\":1", "{\"a\":1,}", "{\"a\":1}x", "{\"a\":1} {\"b\":2}", "{'a':1}",
        "{\"a\":NaN}", "{\"a\":01}", "{\"a\":\"unterminated}", "{\"a\":tru}", "{a:1}", "{\"a\" 1}"
    })
    void anythingButOneJsonObjectIsAnInvalidUpstreamResponse(String body) {
        GatewayException e = assertThrows(GatewayException.class, () -> scan(body));
        assertEquals(502, e.status());
        assertEquals("invalid_upstream_response", e.errorCode().type());
        assertTrue(e.errorCode().retryable());
        assertTrue(e.getMessage().contains("'prov'"), e.getMessage());
    }

    @Test
    void nestingBeyondTheLimitIsRefused() {
        String deep = "{\"a\":" + "[".repeat(AnswerScanner.MAX_DEPTH + 1) + "]".repeat(AnswerScanner.MAX_DEPTH + 1) + "}";
        assertEquals(502, assertThrows(GatewayException.class, () -> scan(deep)).status());
        String fine = "{\"a\":" + "[".repeat(AnswerScanner.MAX_DEPTH - 2) + "]".repeat(AnswerScanner.MAX_DEPTH - 2) + "}";
        assertNull(scan(fine));
    }

    @Test
    void malformedUtf8IsRefused() {
        byte[] body = "{\"a\":\"xx\"}".getBytes(StandardCharsets.US_ASCII);
        body[6] = (byte) 0xC3; // a lead byte followed by 'x', not a continuation byte
        assertEquals(502, assertThrows(GatewayException.class, () -> AnswerScanner.scan(body, "prov")).status());
    }

    @Test
    void longStringsAreFine() {
        String b64 = "A".repeat(30 * 1024 * 1024);
        assertNull(scan("{\"data\":[{\"b64_json\":\"" + b64 + "\"}]}"));
    }

    private static JsonObject scan(String body) {
        return AnswerScanner.scan(body.getBytes(StandardCharsets.UTF_8), "prov");
    }
}
