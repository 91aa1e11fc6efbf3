package io.gateway.plugins.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The fake must reject what Gemini rejects, or the round-trip tests would prove nothing. */
class FakeGeminiTest {

    private static final String GENERATE = "https://generativelanguage.googleapis.com/v1beta/models/m:generateContent";

    private final FakeGemini gemini = new FakeGemini();

    private UpstreamResponse post(String uri, String body, Headers headers) {
        return gemini.send(UpstreamRequest.builder("POST", URI.create(uri)).headers(headers)
                .body(body.getBytes(StandardCharsets.UTF_8)).deadline(Fixtures.DEADLINE)
                .idleTimeout(Duration.ofSeconds(5)).build());
    }

    private static Headers keyed() {
        return Headers.of("x-goog-api-key", FakeGemini.KEY, "content-type", "application/json");
    }

    @Test
    void aValidRequestIsServed() {
        UpstreamResponse response = post(GENERATE,
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}", keyed());
        assertEquals(200, response.status());
    }

    @Test
    void aMissingKeyIsPermissionDenied() {
        UpstreamResponse response = post(GENERATE, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}",
                Headers.of("content-type", "application/json"));
        assertEquals(403, response.status());
        assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("PERMISSION_DENIED"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"contents\":[]}",
        "{\"contents\":[{\"role\":\"system\",\"parts\":[{\"text\":\"be nice\"}]}]}",
        "{\"contents\":[{\"role\":\"assistant\",\"parts\":[{\"text\":\"x\"}]}]}",
        "{\"contents\":[{\"role\":\"user\",\"parts\":[]}]}",
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"a\",\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"AA==\"}}]}]}",
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"%%%\"}}]}]}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"f\",\"response\":{}}}]}]}",
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"x\"}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\","
                + "\"parameters\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":{\"type\":\"string\"}}}}]}]}",
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"x\"}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{}}}]}]}",
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"x\"}]}],\"generationConfig\":{\"max_tokens\":5}}",
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"x\"}]}],\"toolConfig\":{\"functionCallingConfig\":"
                + "{\"mode\":\"AUTO\",\"allowedFunctionNames\":[\"f\"]}}}",
    })
    void requestsGeminiRejectsAnswerInvalidArgument(String body) {
        UpstreamResponse response = post(GENERATE, body, keyed());
        assertEquals(400, response.status(), body);
        JsonObject error = JsonBodies.parse(response.body()).getJsonObject("error");
        assertEquals("INVALID_ARGUMENT", error.getString("status"));
        assertEquals(400, error.getInt("code"));
    }

    @Test
    void batchEmbeddingsMustNameTheUrlsModel() {
        UpstreamResponse response = post(
                "https://generativelanguage.googleapis.com/v1beta/models/e:batchEmbedContents",
                "{\"requests\":[{\"model\":\"models/other\",\"content\":{\"parts\":[{\"text\":\"x\"}]}}]}", keyed());
        assertEquals(400, response.status());
    }
}
