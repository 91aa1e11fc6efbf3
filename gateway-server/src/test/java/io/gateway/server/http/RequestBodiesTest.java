package io.gateway.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestBodiesTest {

    private static final String CHAT = "{\"model\":\"openai/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

    @Test
    void aDeclaredLengthOverTheLimitIs413WithoutReading() {
        GatewayException e = assertThrows(GatewayException.class, () ->
                RequestBodies.read(new ByteArrayInputStream(new byte[0]), 1001, 1000));
        assertEquals(413, e.status());
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() {
        GatewayException e = assertThrows(GatewayException.class, () ->
                RequestBodies.read(new ByteArrayInputStream(new byte[20_000]), -1, 10_000));
        assertEquals(413, e.status());
    }

    @Test
    void aBodyShorterThanDeclaredIsReturnedAsItCame() throws IOException {
        assertEquals(3, RequestBodies.read(new ByteArrayInputStream(new byte[3]), 10, 100).length);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "C328",         // a two-byte sequence whose second byte is not a continuation
        "FF",           // never valid in UTF-8
        "C0AF",         // overlong encoding of '/'
        "EDA080",       // an encoded UTF-16 surrogate
        "F4908080",     // above U+10FFFF
        "E282"          // truncated three-byte sequence
    })
    void malformedUtf8Is400(String hex) {
        byte[] bad = java.util.HexFormat.of().parseHex(hex);
        byte[] head = "{\"model\":\"m\",\"x\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + bad.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(bad, 0, body, head.length, bad.length);
        System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
        GatewayException e = assertThrows(GatewayException.class, () -> RequestBodies.parse(body));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        assertTrue(e.getMessage().contains("byte " + head.length), e.getMessage());
    }

    @Test
    void wellFormedMultiByteTextIsKept() {
        JsonObject body = RequestBodies.parse("{\"x\":\"Grüße, 日本語, 😀\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals("Grüße, 日本語, 😀", body.getString("x"));
    }

    @Test
    void nestingUpToTheLimitIsAcceptedAndBeyondIs400() {
        // the body object itself is one level
        String atLimit = "{\"x\":" + "[".repeat(RequestBodies.MAX_DEPTH - 1) + "]".repeat(RequestBodies.MAX_DEPTH - 1) + "}";
        RequestBodies.parse(atLimit.getBytes(StandardCharsets.US_ASCII));
        String beyond = "{\"x\":" + "[".repeat(RequestBodies.MAX_DEPTH) + "]".repeat(RequestBodies.MAX_DEPTH) + "}";
        GatewayException e = assertThrows(GatewayException.class,
                () -> RequestBodies.parse(beyond.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("128 levels"), e.getMessage());
        String objects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        assertEquals(400, assertThrows(GatewayException.class,
                () -> RequestBodies.parse(objects.getBytes(StandardCharsets.US_ASCII))).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[1,2]", "\"text\"", "{", "{\"a\":1} {\"b\":2}", "{\"a\":1}x", "nul", "{'a':1}"})
    void whatIsNotOneJsonObjectIs400(String text) {
        GatewayException e = assertThrows(GatewayException.class,
                () -> RequestBodies.parse(text.getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status());
        assertNull(e.param());
    }

    @Test
    void modelNamesAreBounded() {
        RequestBodies.validate(Operation.CHAT_COMPLETION, parse(CHAT.replace("openai/gpt-4o",
                "openai/" + "a".repeat(RequestBodies.MAX_MODEL_LENGTH - 7))));
        GatewayException tooLong = assertThrows(GatewayException.class, () -> RequestBodies.validate(
                Operation.CHAT_COMPLETION, parse(CHAT.replace("openai/gpt-4o",
                        "openai/" + "a".repeat(RequestBodies.MAX_MODEL_LENGTH - 6)))));
        assertEquals("model", tooLong.param());
        assertTrue(tooLong.getMessage().length() < 200, tooLong.getMessage());
        GatewayException control = assertThrows(GatewayException.class, () -> RequestBodies.validate(
                Operation.CHAT_COMPLETION, parse(CHAT.replace("openai/gpt-4o", "openai/a\\u0000b"))));
        assertEquals("model", control.param());
        GatewayException fallback = assertThrows(GatewayException.class, () -> RequestBodies.validate(
                Operation.CHAT_COMPLETION, parse(CHAT.replace("\"messages\"",
                        "\"fallbacks\":[\"x/" + "b".repeat(300) + "\"],\"messages\""))));
        assertEquals("fallbacks", fallback.param());
    }

    @Test
    void rerankNeedsAQueryAndTextDocuments() {
        RequestBodies.validate(Operation.RERANK, parse("{\"model\":\"cohere/rerank-v3.5\",\"query\":\"q\","
                + "\"documents\":[\"a\",{\"text\":\"b\"}],\"top_n\":1,\"return_documents\":true}"));
        String[][] refused = {
            {"{\"model\":\"c/r\",\"documents\":[\"a\"]}", "query"},
            {"{\"model\":\"c/r\",\"query\":\" \",\"documents\":[\"a\"]}", "query"},
            {"{\"model\":\"c/r\",\"query\":\"q\"}", "documents"},
            {"{\"model\":\"c/r\",\"query\":\"q\",\"documents\":[]}", "documents"},
            {"{\"model\":\"c/r\",\"query\":\"q\",\"documents\":[1]}", "documents"},
            {"{\"model\":\"c/r\",\"query\":\"q\",\"documents\":[{\"title\":\"t\"}]}", "documents"},
            {"{\"model\":\"c/r\",\"query\":\"q\",\"documents\":[\"a\"],\"top_n\":0}", "top_n"},
            {"{\"model\":\"c/r\",\"query\":\"q\",\"documents\":[\"a\"],\"top_n\":1.5}", "top_n"},
            {"{\"model\":\"c/r\",\"query\":\"q\",\"documents\":[\"a\"],\"return_documents\":\"yes\"}",
                "return_documents"},
            {"{\"model\":\"c/r\",\"query\":\"q\",\"documents\":[\"a\"],\"stream\":true}", "stream"}};
        for (String[] body : refused) {
            GatewayException e = assertThrows(GatewayException.class,
                    () -> RequestBodies.validate(Operation.RERANK, parse(body[0])), body[0]);
            assertEquals(400, e.status(), body[0]);
            assertEquals(body[1], e.param(), body[0]);
        }
    }

    private static JsonObject parse(String json) {
        return RequestBodies.parse(json.getBytes(StandardCharsets.UTF_8));
    }
}
