package io.gateway.testkit.fakes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The OpenAI fake checks keys and bodies as OpenAI does, then answers as the preset documents. */
class FakeOpenAiTest {

    private static final FakeOpenAi OPENAI = FakeOpenAi.start();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @AfterAll
    static void stop() {
        OPENAI.close();
    }

    private static HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(OPENAI.apiBase() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject error(HttpResponse<String> response) {
        return JsonBodies.parse(response.body()).getJsonObject("error");
    }

    @Test
    void aValidRequestGetsThePresetsAnswer() throws Exception {
        HttpResponse<String> response = post("/chat/completions", CHAT, FakeOpenAi.API_KEY);
        assertEquals(200, response.statusCode(), response.body());
        JsonObject answer = JsonBodies.parse(response.body());
        assertEquals("chat.completion", answer.getString("object"));
        assertEquals("gpt-4o-mini", answer.getString("model"));
    }

    @Test
    void keysAreCheckedAsOpenAiChecksThem() throws Exception {
        assertEquals("invalid_api_key", error(post("/chat/completions", CHAT, null)).getString("code"));
        HttpResponse<String> wrong = post("/chat/completions", CHAT, "sk-other");
        assertEquals(401, wrong.statusCode());
        assertEquals("invalid_request_error", error(wrong).getString("type"));
    }

    @Test
    void bodiesAreCheckedAsOpenAiChecksThem() throws Exception {
        HttpResponse<String> unknown = post("/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}],\"max_tokns\":5}", FakeOpenAi.API_KEY);
        assertEquals(400, unknown.statusCode());
        assertEquals("max_tokns", error(unknown).getString("param"));
        assertEquals(400, post("/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"robot\","
                + "\"content\":\"hi\"}]}", FakeOpenAi.API_KEY).statusCode());
        assertEquals(400, post("/chat/completions", "not json", FakeOpenAi.API_KEY).statusCode());
        assertEquals("missing_required_parameter", error(post("/embeddings", "{\"model\":\"text-embedding-3-small\"}",
                FakeOpenAi.API_KEY)).getString("code"));
        HttpResponse<String> model = post("/chat/completions", CHAT.replace("gpt-4o-mini", "gpt-9"),
                FakeOpenAi.API_KEY);
        assertEquals(404, model.statusCode());
        assertEquals("model_not_found", error(model).getString("code"));
    }

    @Test
    void streamsAreServerSentEvents() throws Exception {
        HttpResponse<String> response = post("/chat/completions", CHAT.replace("}]}", "}],\"stream\":true}"),
                FakeOpenAi.API_KEY);
        List<SseFrame> frames = SseParser.readAll(response.body());
        assertTrue(frames.get(frames.size() - 1).isDone());
        assertEquals("chat.completion.chunk", frames.get(0).json().getString("object"));
    }

    @Test
    void modelsAreListed() throws Exception {
        OPENAI.addModel("ft:gpt-4o-mini:acme");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(OPENAI.apiBase() + "/models"))
                .header("authorization", "Bearer " + FakeOpenAi.API_KEY).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(response.body().contains("ft:gpt-4o-mini:acme"));
    }
}
