package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonObject;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The core issue's routes, pass-through, streaming and error rows, against the real server. */
class CoreRoutesIT {

    @TempDir
    static Path temp;

    static FakeUpstream upstream;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.openAi();
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin")
                .add("middleware-request-log", "io.gateway.plugins.requestlog.RequestLogPlugin");
        gateway = TestGateway.start("""
                gateway:
                  max-request-body: 64KB
                  providers:
                    openai:
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: sk-upstream-secret
                      timeout: 2s
                    nokey:
                      type: openai
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: ${GATEWAY_IT_UNSET_VARIABLE}
                    chatonly:
                      type: perplexity
                      base-url: %s/v1
                    down:
                      type: openai
                      base-url: http://127.0.0.1:1/v1
                    mock:
                      type: mock
                  middleware:
                    - type: request-log
                """.formatted(upstream.baseUrl(), upstream.baseUrl(), upstream.baseUrl()), plugins.root());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void resetUpstream() {
        upstream.reset();
    }

    private static final String CHAT = "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @ParameterizedTest
    @ValueSource(strings = {"/openai/v1/", "/openai/", "/v1/"})
    void everyPrefixServesChat(String prefix) {
        HttpResponse<String> response = Http.post(gateway.uri(prefix + "chat/completions"), CHAT);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("chat.completion", JsonBodies.parse(response.body()).getString("object"));
        assertEquals("openai", response.headers().firstValue("x-bifrost-provider").orElseThrow());
        assertEquals("gpt-4o-mini", response.headers().firstValue("x-bifrost-resolved-model").orElseThrow());
        assertTrue(response.headers().firstValue("x-request-id").isPresent());
        RecordedRequest recorded = upstream.lastRequest();
        assertEquals("/v1/chat/completions", recorded.path());
        assertEquals("Bearer sk-upstream-secret", recorded.header("authorization"));
    }

    @Test
    void openAiProviderPassesConformance() {
        GatewayConformance.check(gateway.uri("/"), "openai", "gpt-4o-mini", GatewayConformance.openAi());
    }

    @Test
    void mockProviderPassesConformance() {
        GatewayConformance.check(gateway.uri("/"), "mock", "mock-model", GatewayConformance.all());
    }

    @Test
    void bodyPassesThroughWithOnlyModelRewrittenAndGatewayFieldsRemoved() {
        String body = """
                {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text","text":"hi"},
                {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}],
                "temperature":0.25,"n":2,"max_completion_tokens":17,"tools":[{"type":"function","function":
                {"name":"f","strict":true,"parameters":{"type":"object","properties":{}}}}],
                "a_field_from_the_future":{"nested":[1,2.5,"x",null,true]},"fallbacks":["mock/m"]}""";
        HttpResponse<String> response = Http.post(gateway.uri("/openai/v1/chat/completions"), body);
        assertEquals(200, response.statusCode(), response.body());
        JsonObject sent = JsonBodies.parse(body);
        JsonObject received = upstream.lastRequest().bodyJson();
        assertEquals("gpt-4o-mini", received.getString("model"));
        assertFalse(received.containsKey("fallbacks"));
        for (String key : sent.keySet()) {
            if (!key.equals("model") && !key.equals("fallbacks")) {
                assertEquals(sent.get(key), received.get(key), key);
            }
        }
        assertEquals(sent.size() - 1, received.size());
    }

    @Test
    void withoutGatewayFieldsTheClientsOwnBytesAreForwardedWithOnlyTheModelReplaced() {
        // spacing, key order, number spelling and escapes as the client wrote them; only the model value changes
        String body = "{ \"messages\" : [{\"role\":\"user\",\"content\":\"caf\\u00e9 \\\"q\\\" \u00e9\"}],\n"
                + "  \"model\":\t\"openai/gpt-4o-mini\", \"temperature\": 1.0, \"top_p\": 1e0,"
                + " \"metadata\": {\"model\": \"not-this-one\"}, \"future\": [1, 2.50, null] }";
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), body);
        assertEquals(200, response.statusCode(), response.body());
        String expected = body.replace("\"openai/gpt-4o-mini\"", "\"gpt-4o-mini\"");
        assertEquals(expected, upstream.lastRequest().bodyString());

        // a gateway-only field present: the body is rebuilt without it, the other fields equal
        String withFallbacks = body.replace(" }", ", \"fallbacks\": [\"mock/m\"] }");
        assertEquals(200, Http.post(gateway.uri("/v1/chat/completions"), withFallbacks).statusCode());
        JsonObject received = upstream.lastRequest().bodyJson();
        assertFalse(received.containsKey("fallbacks"));
        assertEquals(JsonBodies.parse(body).get("future"), received.get("future"));
        assertEquals("not-this-one", received.getJsonObject("metadata").getString("model"));
    }

    @Test
    void everyImagesAndEmbeddingsFieldPasses() {
        String images = """
                {"model":"openai/gpt-image-1","prompt":"p","n":2,"size":"1024x1024","quality":"high","style":"vivid",
                "response_format":"b64_json","background":"transparent","moderation":"low","output_format":"webp",
                "output_compression":80,"partial_images":2,"user":"u"}""";
        assertEquals(200, Http.post(gateway.uri("/v1/images/generations"), images).statusCode());
        JsonObject received = upstream.lastRequest().bodyJson();
        JsonObject sent = JsonBodies.parse(images);
        for (String key : sent.keySet()) {
            if (!key.equals("model")) {
                assertEquals(sent.get(key), received.get(key), key);
            }
        }
        for (String input : List.of("\"one\"", "[\"a\",\"b\"]", "[1,2,3]", "[[1,2],[3]]")) {
            String embeddings = "{\"model\":\"openai/text-embedding-3-small\",\"input\":" + input
                    + ",\"encoding_format\":\"base64\",\"dimensions\":8}";
            HttpResponse<String> response = Http.post(gateway.uri("/v1/embeddings"), embeddings);
            assertEquals(200, response.statusCode(), response.body());
            JsonObject forwarded = upstream.lastRequest().bodyJson();
            assertEquals(JsonBodies.parse(embeddings).get("input"), forwarded.get("input"));
            assertEquals("base64", forwarded.getString("encoding_format"));
            assertEquals(8, forwarded.getInt("dimensions"));
        }
    }

    @Test
    void upstreamRateLimitHeadersAndErrorsComeBackAsTheProviderGaveThem() {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.json(429,
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}")
                .header("x-ratelimit-remaining-requests", "0").header("retry-after", "7"));
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), CHAT);
        assertEquals(429, response.statusCode());
        assertEquals("0", response.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals("7", response.headers().firstValue("retry-after").orElseThrow());
        JsonObject envelope = JsonBodies.parse(response.body());
        assertEquals(false, envelope.getBoolean("is_bifrost_error"));
        assertEquals(429, envelope.getInt("status_code"));
        assertEquals("requests", envelope.getJsonObject("error").getString("type"));
        assertEquals("rate_limit_exceeded", envelope.getJsonObject("error").getString("code"));
        assertEquals("Rate limit reached", envelope.getJsonObject("error").getString("message"));
        assertEquals("openai", envelope.getJsonObject("extra_fields").getString("provider"));
        assertEquals("gpt-4o-mini", envelope.getJsonObject("extra_fields").getString("model_requested"));
        assertEquals("chat_completion", envelope.getJsonObject("extra_fields").getString("request_type"));

        upstream.on("POST", "/v1/embeddings").respond(Reply.json(400,
                "{\"error\":{\"message\":\"bad dims\",\"type\":\"invalid_request_error\",\"param\":\"dimensions\",\"code\":400}}"));
        HttpResponse<String> bad = Http.post(gateway.uri("/v1/embeddings"),
                "{\"model\":\"openai/e\",\"input\":\"x\",\"dimensions\":3}");
        assertEquals(400, bad.statusCode());
        JsonObject error = JsonBodies.parse(bad.body()).getJsonObject("error");
        assertEquals("dimensions", error.getString("param"));
        assertEquals("400", error.getString("code"), "codes are always strings");
        assertEquals("embedding", JsonBodies.parse(bad.body()).getJsonObject("extra_fields").getString("request_type"));

        upstream.on("POST", "/v1/images/generations").respond(Reply.json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
        HttpResponse<String> unavailable = Http.post(gateway.uri("/v1/images/generations"),
                "{\"model\":\"openai/gpt-image-1\",\"prompt\":\"p\"}");
        assertEquals(503, unavailable.statusCode());
        assertEquals("image_generation", JsonBodies.parse(unavailable.body()).getJsonObject("extra_fields")
                .getString("request_type"));
    }

    private static JsonObject error(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject envelope = JsonBodies.parse(response.body());
        assertEquals(status, envelope.getInt("status_code"));
        assertNotNull(envelope.getJsonObject("error").getString("message"));
        assertFalse(response.body().contains("sk-upstream-secret"));
        assertFalse(response.body().contains("Exception"), response.body());
        return envelope;
    }

    @Test
    void validationErrorsNameTheField() {
        assertTrue(error(Http.post(gateway.uri("/v1/chat/completions"), "{\"model\":"), 400)
                .getJsonObject("error").getString("message").contains("not valid JSON"));
        assertEquals("messages", error(Http.post(gateway.uri("/v1/chat/completions"),
                "{\"model\":\"mock/m\"}"), 400).getJsonObject("error").getString("param"));
        assertEquals("messages", error(Http.post(gateway.uri("/v1/chat/completions"),
                "{\"model\":\"mock/m\",\"messages\":\"hi\"}"), 400).getJsonObject("error").getString("param"));
        assertEquals("model", error(Http.post(gateway.uri("/v1/chat/completions"),
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400).getJsonObject("error").getString("param"));
        assertEquals("model", error(Http.post(gateway.uri("/v1/chat/completions"),
                "{\"model\":42,\"messages\":[]}"), 400).getJsonObject("error").getString("param"));
        assertEquals("stream", error(Http.post(gateway.uri("/v1/chat/completions"),
                "{\"model\":\"mock/m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400)
                .getJsonObject("error").getString("param"));
        assertEquals("prompt", error(Http.post(gateway.uri("/v1/completions"), "{\"model\":\"mock/m\"}"), 400)
                .getJsonObject("error").getString("param"));
        assertEquals("input", error(Http.post(gateway.uri("/v1/responses"), "{\"model\":\"mock/m\"}"), 400)
                .getJsonObject("error").getString("param"));
        assertEquals("input", error(Http.post(gateway.uri("/v1/embeddings"), "{\"model\":\"mock/m\"}"), 400)
                .getJsonObject("error").getString("param"));
        assertEquals("prompt", error(Http.post(gateway.uri("/v1/images/generations"), "{\"model\":\"mock/m\"}"), 400)
                .getJsonObject("error").getString("param"));
        error(Http.post(gateway.uri("/v1/chat/completions"), "[1,2]"), 400);
        error(Http.post(gateway.uri("/v1/chat/completions"), ""), 400);
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void oversizedBodyIs413() {
        String big = "{\"model\":\"mock/m\",\"prompt\":\"" + "x".repeat(70_000) + "\"}";
        assertEquals("payload_too_large", error(Http.post(gateway.uri("/v1/completions"), big), 413)
                .getJsonObject("error").getString("code"));
    }

    @Test
    void unknownProviderListsTheConfiguredOnes() {
        String message = error(Http.post(gateway.uri("/v1/chat/completions"),
                "{\"model\":\"nosuch/m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 400)
                .getJsonObject("error").getString("message");
        assertTrue(message.contains("nosuch") && message.contains("openai") && message.contains("mock"), message);
    }

    @Test
    void unsupportedOperationIs400WithoutAnUpstreamCall() {
        JsonObject envelope = error(Http.post(gateway.uri("/v1/embeddings"),
                "{\"model\":\"chatonly/m\",\"input\":\"x\"}"), 400);
        assertEquals("unsupported_operation", envelope.getJsonObject("error").getString("code"));
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void missingKeyIs401NamingTheProviderAndVariable() {
        JsonObject envelope = error(Http.post(gateway.uri("/v1/chat/completions"),
                "{\"model\":\"nokey/m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 401);
        String message = envelope.getJsonObject("error").getString("message");
        assertTrue(message.contains("nokey") && message.contains("GATEWAY_IT_UNSET_VARIABLE"), message);
        assertEquals("authentication_error", envelope.getJsonObject("error").getString("type"));
    }

    @Test
    void unreachableUpstreamIs502AndTimeoutIs504() {
        JsonObject unreachable = error(Http.post(gateway.uri("/v1/chat/completions"),
                "{\"model\":\"down/m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), 502);
        assertEquals("provider_connection_failed", unreachable.getJsonObject("error").getString("type"));
        assertEquals(false, unreachable.getBoolean("is_bifrost_error"));

        upstream.on("POST", "/v1/chat/completions").respond(Reply.from(
                io.gateway.testkit.http.OpenAiPreset::chatCompletions).delay(Duration.ofSeconds(5)));
        long started = System.nanoTime();
        JsonObject timeout = error(Http.post(gateway.uri("/v1/chat/completions"), CHAT), 504);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals("request_timed_out", timeout.getJsonObject("error").getString("type"));
        assertEquals(true, timeout.getBoolean("is_bifrost_error"));
        assertTrue(millis >= 1900 && millis < 3000, "a 2 s timeout answered after " + millis + " ms");
    }

    @Test
    void unknownRouteAndWrongMethodAnswerTheEnvelope() {
        error(Http.get(gateway.uri("/v2/chat/completions")), 404);
        error(Http.get(gateway.uri("/openai/v1/chat/completions")), 405);
        assertEquals(200, Http.get(gateway.uri("/health")).statusCode());
        String metrics = Http.get(gateway.uri("/metrics")).body();
        assertTrue(metrics.contains("gateway_requests_seconds"), "request timer exported");
        assertTrue(metrics.contains("gateway_overhead_seconds_bucket"), "overhead histogram exported");
    }

    @Test
    void modelsListsEveryProviderQualified() {
        HttpResponse<String> response = Http.get(gateway.uri("/v1/models"));
        assertEquals(200, response.statusCode());
        List<String> ids = JsonBodies.parse(response.body()).getJsonArray("data").stream()
                .map(v -> v.asJsonObject().getString("id")).toList();
        assertTrue(ids.contains("openai/gpt-4o-mini"), ids.toString());
        assertTrue(ids.contains("mock/mock-model"), ids.toString());
        assertTrue(ids.stream().noneMatch(id -> id.startsWith("nokey/")), "a provider without a key is left out");
    }

    @Test
    void streamsArriveIncrementally() throws Exception {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data("{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}"),
                SseFrame.data("{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}")
                        .after(Duration.ofMillis(800)),
                SseFrame.done().after(Duration.ofMillis(800))));
        long started = System.nanoTime();
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"),
                "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("content-type").orElse("").split(";")[0]);
        try (SseParser parser = new SseParser(response.body())) {
            SseFrame first = parser.next();
            long firstAt = (System.nanoTime() - started) / 1_000_000;
            assertTrue(first.data().contains("\"a\""));
            assertTrue(firstAt < 600, "first event after " + firstAt + " ms");
            assertTrue(parser.next().data().contains("\"b\""));
            assertTrue(parser.next().isDone());
            long lastAt = (System.nanoTime() - started) / 1_000_000;
            assertTrue(lastAt >= 1500, "last event after " + lastAt + " ms");
        }
    }

    @Test
    void streamErrorBeforeTheFirstEventIsAnOrdinaryJsonError() throws Exception {
        upstream.on("POST", "/v1/responses").respond(Reply.json(500, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"));
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/responses"),
                "{\"model\":\"openai/gpt-4o\",\"stream\":true,\"input\":\"x\"}");
        assertEquals(500, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonObject envelope = JsonBodies.parse(response.body().readAllBytes());
        assertEquals("server_error", envelope.getJsonObject("error").getString("type"));
    }

    @Test
    void streamErrorAfterTheFirstEventIsOneFinalErrorFrame() throws Exception {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data("{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}"))
                .thenDropConnection());
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"),
                "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(200, response.statusCode());
        List<SseFrame> frames = SseParser.readAll(response.body());
        assertEquals(2, frames.size(), frames.toString());
        JsonObject error = JsonBodies.parse(frames.get(1).data());
        assertEquals(502, error.getInt("status_code"));
        assertNotNull(error.getJsonObject("error").getString("message"));

        upstream.on("POST", "/v1/responses").respond(Reply.sse(
                SseFrame.typed(JsonBodies.parse("{\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"r\"}}")))
                .thenDropConnection());
        HttpResponse<InputStream> responses = Http.postStream(gateway.uri("/v1/responses"),
                "{\"model\":\"openai/gpt-4o\",\"stream\":true,\"input\":\"x\"}");
        List<SseFrame> events = SseParser.readAll(responses.body());
        assertEquals("response.failed", events.get(events.size() - 1).event());
        assertEquals("failed", JsonBodies.parse(events.get(events.size() - 1).data()).getJsonObject("response")
                .getString("status"));
    }

    @Test
    void clientDisconnectClosesTheUpstreamConnection() throws Exception {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data("{\"object\":\"chat.completion.chunk\",\"choices\":[]}"),
                SseFrame.data("{\"object\":\"chat.completion.chunk\",\"choices\":[]}").after(Duration.ofSeconds(10)),
                SseFrame.done()));
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"),
                "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        InputStream body = response.body();
        assertTrue(body.read() >= 0);
        body.close();
        assertTrue(upstream.awaitClientDisconnect(Duration.ofSeconds(5)),
                "the gateway kept the upstream stream open after its client left");
    }

    @Test
    void secretsNeverLeak() {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.json(401,
                "{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), CHAT);
        assertEquals(401, response.statusCode());
        assertFalse(response.body().contains("sk-upstream-secret"));
        assertNull(response.headers().firstValue("authorization").orElse(null));
    }

    @Test
    void unsupportedSetIsEnforcedByConformanceToo() {
        GatewayConformance.check(gateway.uri("/"), "chatonly", "sonar", EnumSet.of(Operation.CHAT_COMPLETION));
    }
}
