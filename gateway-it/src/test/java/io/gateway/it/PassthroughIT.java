package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonObject;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /passthrough/{provider}/{path…}} against the real server: method, path, query and body reach the
 * provider's own API as the client sent them, with the provider's key and authentication instead of the
 * client's credentials; answers come back as bytes or as events; governance checks the key and the model.
 */
class PassthroughIT {

    private static final String TEAM = "sk-bf-team-passthrough";
    private static final String NARROW = "sk-bf-narrow-passthrough";

    @TempDir
    static Path temp;

    static FakeUpstream openai;
    static FakeUpstream anthropic;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        openai = FakeUpstream.start();
        anthropic = FakeUpstream.start();
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("provider-anthropic", "io.gateway.plugins.anthropic.AnthropicPlugin")
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin");
        gateway = TestGateway.start("""
                gateway:
                  max-request-body: 64KB
                  providers:
                    openai:
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: sk-upstream-openai
                    anthropic:
                      base-url: %s
                      keys:
                        - name: main
                          value: sk-ant-upstream
                    mock:
                      type: mock
                  middleware:
                    - type: governance
                      require-virtual-key: true
                      virtual-keys:
                        - name: team
                          value: %s
                        - name: narrow
                          value: %s
                          allowed-models: ["openai/gpt-4o-mini"]
                """.formatted(openai.baseUrl(), anthropic.baseUrl(), TEAM, NARROW), plugins.root());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        openai.close();
        anthropic.close();
    }

    @BeforeEach
    void reset() {
        openai.reset();
        anthropic.reset();
    }

    @Test
    void aJsonBodyGoesUpByteForByteWithTheProvidersKeyAndTheClientsQuery() {
        openai.on("POST", "/v1/fine_tuning/jobs").respond(Reply.json(200,
                "{\"object\":\"fine_tuning.job\",\"id\":\"ftjob-1\",\"status\":\"queued\"}"));
        String body = "{ \"model\" : \"gpt-4o-mini\",\n  \"training_file\":\"file-abc\", \"hyperparameters\":{\"n_epochs\":3}}";
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(
                        gateway.uri("/passthrough/openai/fine_tuning/jobs?dry_run=true&tag=a%20b"))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + TEAM)
                .header("openai-beta", "assistants=v2")
                .header("cookie", "session=client-secret")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("ftjob-1", JsonBodies.parse(response.body()).getString("id"));
        RecordedRequest recorded = openai.lastRequest();
        assertEquals("POST", recorded.method());
        assertEquals("/v1/fine_tuning/jobs", recorded.path());
        assertEquals("dry_run=true&tag=a%20b", recorded.query(), "the query as the client wrote it");
        assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), recorded.body(), "the body is not rewritten");
        assertEquals("Bearer sk-upstream-openai", recorded.header("authorization"), "the provider's key, not the client's");
        assertEquals("assistants=v2", recorded.header("openai-beta"), "the client's other headers pass");
        assertNull(recorded.header("cookie"), "cookies stay at the gateway");
        assertEquals("openai", response.headers().firstValue("x-bifrost-provider").orElseThrow());
    }

    @Test
    void everyMethodPassesAndBinaryAnswersComeBackAsTheyWere() throws Exception {
        byte[] bytes = new byte[70_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        openai.on("GET", "/v1/vector_stores/vs_1/files/f_1/content").respond(Reply.of(200, "application/octet-stream",
                bytes));
        openai.on("DELETE", "/v1/vector_stores/vs_1").respond(Reply.json(200,
                "{\"id\":\"vs_1\",\"object\":\"vector_store.deleted\",\"deleted\":true}"));

        HttpResponse<byte[]> download = Http.CLIENT.send(HttpRequest.newBuilder(
                gateway.uri("/passthrough/openai/vector_stores/vs_1/files/f_1/content"))
                .header("x-bf-vk", TEAM).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertEquals("application/octet-stream", download.headers().firstValue("content-type").orElseThrow());
        assertArrayEquals(bytes, download.body());

        HttpResponse<String> deleted = Http.send(HttpRequest.newBuilder(gateway.uri("/passthrough/openai/vector_stores/vs_1"))
                .header("x-bf-vk", TEAM).DELETE().build());
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals("DELETE", openai.lastRequest().method());
        assertEquals(0, openai.lastRequest().body().length);
    }

    @Test
    void aStreamIsRelayedEventByEvent() throws Exception {
        anthropic.on("POST", "/v1/messages/batches").respond(Reply.sse(
                new SseFrame("progress", "{\"done\":1}"), new SseFrame("progress", "{\"done\":2}")));
        HttpResponse<InputStream> response = Http.CLIENT.send(HttpRequest.newBuilder(
                        gateway.uri("/passthrough/anthropic/v1/messages/batches"))
                .header("x-api-key", TEAM)
                .header("anthropic-beta", "message-batches-2024-09-24")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"requests\":[]}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertEquals(200, response.statusCode());
        List<SseFrame> frames;
        try (InputStream in = response.body()) {
            frames = SseParser.readAll(in);
        }
        assertEquals(List.of("{\"done\":1}", "{\"done\":2}"), frames.stream().map(SseFrame::data).toList());
        assertEquals("progress", frames.get(0).event());
        RecordedRequest recorded = anthropic.lastRequest();
        assertEquals("sk-ant-upstream", recorded.header("x-api-key"), "Anthropic's key scheme, not the client's key");
        assertTrue(recorded.header("anthropic-version") != null, "the provider's API version is sent");
        assertEquals("message-batches-2024-09-24", recorded.header("anthropic-beta"));
    }

    @Test
    void aNonJsonBodyIsStreamedThrough() {
        openai.on("POST", "/v1/uploads/up_1/parts").respond(Reply.json(200, "{\"id\":\"part_1\"}"));
        byte[] part = new byte[200_000];
        for (int i = 0; i < part.length; i++) {
            part[i] = (byte) (i % 251);
        }
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(gateway.uri("/passthrough/openai/uploads/up_1/parts"))
                .header("x-bf-vk", TEAM).header("content-type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(part)).build());

        assertEquals(200, response.statusCode(), response.body());
        assertArrayEquals(part, openai.lastRequest().body(), "larger than max-request-body, streamed, not held");
        assertEquals("application/octet-stream", openai.lastRequest().header("content-type"));
    }

    @Test
    void governanceChecksTheKeyAndTheModel() {
        openai.on("POST", "/v1/fine_tuning/jobs").respond(Reply.json(200, "{\"id\":\"ftjob-2\"}"));
        openai.on("GET", "/v1/fine_tuning/jobs").respond(Reply.json(200, "{\"data\":[]}"));
        String tuned = "{\"model\":\"gpt-4o-mini\",\"training_file\":\"file-abc\"}";

        HttpResponse<String> noKey = Http.post(gateway.uri("/passthrough/openai/fine_tuning/jobs"), tuned);
        assertEquals(401, noKey.statusCode(), noKey.body());
        assertEquals(200, Http.post(gateway.uri("/passthrough/openai/fine_tuning/jobs"), tuned, "x-bf-vk", NARROW)
                .statusCode(), "its model is allowed for the narrow key");
        HttpResponse<String> other = Http.post(gateway.uri("/passthrough/openai/fine_tuning/jobs"),
                "{\"model\":\"gpt-4.1\",\"training_file\":\"file-abc\"}", "x-bf-vk", NARROW);
        assertEquals(403, other.statusCode(), other.body());
        assertTrue(other.body().contains("openai/gpt-4.1"), other.body());
        HttpResponse<String> modelless = Http.get(gateway.uri("/passthrough/openai/fine_tuning/jobs"), "x-bf-vk", NARROW);
        assertEquals(403, modelless.statusCode(), "a call without a model needs a key allowed every model of the provider");
        assertTrue(modelless.body().contains("openai/*"), modelless.body());
        assertEquals(200, Http.get(gateway.uri("/passthrough/openai/fine_tuning/jobs"), "x-bf-vk", TEAM).statusCode());
        assertEquals(2, openai.requestCount(), "refused calls never reached the provider");
    }

    @Test
    void badTargetsAnswerWithTheEnvelope() {
        HttpResponse<String> unknown = Http.get(gateway.uri("/passthrough/nobody/v1/things"), "x-bf-vk", TEAM);
        assertEquals(400, unknown.statusCode(), unknown.body());
        JsonObject error = JsonBodies.parse(unknown.body()).getJsonObject("error");
        assertTrue(error.getString("message").contains("nobody"), unknown.body());

        HttpResponse<String> mock = Http.get(gateway.uri("/passthrough/mock/anything"), "x-bf-vk", TEAM);
        assertEquals(400, mock.statusCode(), mock.body());
        assertTrue(mock.body().contains("does not offer passthrough"), mock.body());

        for (String path : new String[] {"/passthrough/openai/files/%2e%2e/admin", "/passthrough/openai/a/%2F/b"}) {
            HttpResponse<String> climbing = Http.get(gateway.uri(path), "x-bf-vk", TEAM);
            assertEquals(400, climbing.statusCode(), path + ": " + climbing.body());
        }
        assertEquals(0, openai.requestCount());

        openai.on("GET", "/v1/fine_tuning/jobs/ftjob-9").respond(Reply.error(404, "invalid_request_error",
                "not_found", "No such job: ftjob-9"));
        HttpResponse<String> missing = Http.get(gateway.uri("/passthrough/openai/fine_tuning/jobs/ftjob-9"),
                "x-bf-vk", TEAM);
        assertEquals(404, missing.statusCode(), missing.body());
        assertTrue(missing.body().contains("No such job: ftjob-9"), "the provider's message reaches the client");
        assertTrue(missing.body().contains("\"is_bifrost_error\""), missing.body());
    }
}
