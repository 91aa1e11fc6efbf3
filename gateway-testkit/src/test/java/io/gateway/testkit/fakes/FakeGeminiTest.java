package io.gateway.testkit.fakes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fake must reject what Gemini rejects, or the round-trip tests run against it would prove nothing. */
class FakeGeminiTest {

    private static final FakeGemini GEMINI = FakeGemini.start();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @AfterAll
    static void stop() {
        GEMINI.close();
    }

    private static HttpResponse<String> post(String pathAndQuery, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(GEMINI.baseUrl() + pathAndQuery))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("x-goog-api-key", key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> generate(String body) throws Exception {
        return post("/v1beta/models/gemini-2.5-flash:generateContent", body, FakeGemini.API_KEY);
    }

    @Test
    void aValidRequestIsServed() throws Exception {
        HttpResponse<String> response = generate("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("Hello! You said: hi", JsonBodies.parse(response.body()).getJsonArray("candidates")
                .getJsonObject(0).getJsonObject("content").getJsonArray("parts").getJsonObject(0).getString("text"));
    }

    @Test
    void aMissingKeyIsPermissionDeniedAndAWrongOneInvalid() throws Exception {
        String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";
        HttpResponse<String> missing = post("/v1beta/models/gemini-2.5-flash:generateContent", body, null);
        assertEquals(403, missing.statusCode());
        assertTrue(missing.body().contains("PERMISSION_DENIED"));
        HttpResponse<String> wrong = post("/v1beta/models/gemini-2.5-flash:generateContent", body, "AIza-other");
        assertEquals(400, wrong.statusCode());
        assertTrue(wrong.body().contains("API_KEY_INVALID"));
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
    void requestsGeminiRejectsAnswerInvalidArgument(String body) throws Exception {
        HttpResponse<String> response = generate(body);
        assertEquals(400, response.statusCode(), body);
        JsonObject error = JsonBodies.parse(response.body()).getJsonObject("error");
        assertEquals("INVALID_ARGUMENT", error.getString("status"));
        assertEquals(400, error.getInt("code"));
    }

    @Test
    void batchEmbeddingsMustNameTheUrlsModel() throws Exception {
        HttpResponse<String> response = post("/v1beta/models/gemini-embedding-001:batchEmbedContents",
                "{\"requests\":[{\"model\":\"models/other\",\"content\":{\"parts\":[{\"text\":\"x\"}]}}]}",
                FakeGemini.API_KEY);
        assertEquals(400, response.statusCode());
    }

    @Test
    void aModelThatCannotDoTheMethodIsNotFound() throws Exception {
        HttpResponse<String> response = post("/v1beta/models/gemini-embedding-001:generateContent",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}", FakeGemini.API_KEY);
        assertEquals(404, response.statusCode());
        assertTrue(response.body().contains("NOT_FOUND"));
    }
}
