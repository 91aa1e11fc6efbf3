package io.gateway.testkit.fakes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The fake must refuse what Cohere's v2 API refuses, or the provider's tests against it would prove nothing. */
class FakeCohereTest {

    private static final FakeCohere COHERE = FakeCohere.start();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @AfterAll
    static void stop() {
        COHERE.close();
    }

    private static HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(COHERE.baseUrl() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void validRequestsAreServed() throws Exception {
        HttpResponse<String> chat = post("/v2/chat", "{\"model\":\"command-a-03-2025\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}", FakeCohere.API_KEY);
        assertEquals(200, chat.statusCode(), chat.body());
        assertEquals("COMPLETE", JsonBodies.parse(chat.body()).getString("finish_reason"));
        HttpResponse<String> rerank = post("/v2/rerank", "{\"model\":\"rerank-v3.5\",\"query\":\"fox\","
                + "\"documents\":[\"a dog\",\"a fox\"]}", FakeCohere.API_KEY);
        assertEquals(1, JsonBodies.parse(rerank.body()).getJsonArray("results").getJsonObject(0).getInt("index"));
    }

    @Test
    void aMissingOrWrongKeyIs401() throws Exception {
        assertEquals(401, post("/v2/chat", "{}", null).statusCode());
        HttpResponse<String> wrong = post("/v2/chat", "{}", "co-other");
        assertEquals(401, wrong.statusCode());
        assertEquals("invalid api token", JsonBodies.parse(wrong.body()).getString("message"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/v2/chat|{\"model\":\"command-a-03-2025\",\"messages\":[],\"x\":1}|unknown field",
        "/v2/chat|{\"model\":\"command-a-03-2025\",\"messages\":[{\"role\":\"developer\",\"content\":\"x\"}]}|role",
        "/v2/chat|{\"model\":\"command-a-03-2025\",\"temperature\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|temperature",
        "/v2/chat|{\"model\":\"command-a-03-2025\",\"tool_choice\":\"required\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|tool_choice",
        "/v2/chat|{\"model\":\"command-a-03-2025\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"tool\",\"tool_call_id\":\"t1\",\"content\":\"r\"}]}|tool_call_id",
        "/v2/chat|{\"model\":\"embed-v4.0\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|does not support",
        "/v2/embed|{\"model\":\"embed-v4.0\",\"texts\":[\"a\"]}|input_type",
        "/v2/embed|{\"model\":\"embed-english-v3.0\",\"input_type\":\"search_query\",\"texts\":[\"a\"],\"output_dimension\":256}|output_dimension",
        "/v2/embed|{\"model\":\"embed-v4.0\",\"input_type\":\"search_query\",\"texts\":[\"a\"],\"embedding_types\":[\"float16\"]}|embedding_types",
        "/v2/rerank|{\"model\":\"rerank-v3.5\",\"query\":\"q\",\"documents\":[{\"text\":\"a\"}]}|documents",
        "/v2/rerank|{\"model\":\"rerank-v3.5\",\"query\":\"q\",\"documents\":[\"a\"],\"return_documents\":true}|unknown field",
    })
    void whatCohereRefusesIs400(String path, String body, String says) throws Exception {
        HttpResponse<String> response = post(path, body, FakeCohere.API_KEY);
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(JsonBodies.parse(response.body()).getString("message").contains(says), response.body());
    }

    @Test
    void anUnknownModelIs404() throws Exception {
        assertEquals(404, post("/v2/chat", "{\"model\":\"command-z\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                FakeCohere.API_KEY).statusCode());
    }
}
