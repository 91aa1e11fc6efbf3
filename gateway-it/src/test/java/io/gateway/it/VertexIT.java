package io.gateway.it;

import static io.gateway.it.ProvidersSupport.chatBody;
import static io.gateway.it.ProvidersSupport.chunks;
import static io.gateway.it.ProvidersSupport.contentOf;
import static io.gateway.it.ProvidersSupport.envelope;
import static io.gateway.it.ProvidersSupport.ok;
import static io.gateway.it.ProvidersSupport.streamFrames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.testkit.AnswerChecks;
import io.gateway.testkit.fakes.FakeGemini;
import io.gateway.testkit.fakes.FakeVertex;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * provider-vertex through one real gateway, loaded from its plugin folder with Google's auth library
 * beside it, in front of the test kit's fake Vertex AI: the token exchange with a test service account
 * (the fake verifies its signed JWT) through the gateway's upstream client, then Gemini and Claude models
 * through the shared translations — conformance, tools, streams, embeddings and errors.
 */
class VertexIT {

    @TempDir
    static Path temp;

    static FakeVertex vertex;
    static TestGateway gateway;

    static final String WEATHER_TOOL = """
            {"type":"function","function":{"name":"get_weather","description":"Current weather for a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";

    @BeforeAll
    static void start() {
        vertex = FakeVertex.start().addModel("gemini-conformance", FakeGemini.Capability.GENERATE,
                FakeGemini.Capability.EMBED, FakeGemini.Capability.IMAGE_OUTPUT);
        PluginFolders plugins = VertexPluginFolder.add(PluginFolders.create(temp.resolve("plugins")));
        gateway = TestGateway.start("""
                gateway:
                  providers:
                    vertex:
                      type: vertex
                      base-url: %s
                      location: us-east5
                      credentials-json: ${VERTEX_SERVICE_ACCOUNT}
                      models: [gemini-conformance, claude-sonnet-4-5@20250929]
                """.formatted(vertex.baseUrl()), plugins.root(), Map.of("VERTEX_SERVICE_ACCOUNT", vertex.apiKey()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        vertex.close();
    }

    @BeforeEach
    void reset() {
        vertex.reset();
    }

    /** Gemini cannot stream images (the provider refuses a streamed image request), so they are checked complete. */
    @Test
    void geminiModelsPassConformanceThroughTheGateway() {
        GatewayConformance.check(gateway.uri("/"), "vertex", "gemini-conformance",
                EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.EMBEDDING,
                        Operation.IMAGE_GENERATION, Operation.LIST_MODELS),
                EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES));
        assertTrue(vertex.requests("generateContent").stream().allMatch(r -> r.path().startsWith(
                "/v1/projects/fake-project/locations/us-east5/publishers/google/models/gemini-conformance:")));
        assertEquals(1, vertex.requests("predict").size(), "both inputs in one predict call");
        assertTrue(vertex.tokensIssued() >= 1 && vertex.tokensIssued() <= 2, "tokens are cached across calls: "
                + vertex.tokensIssued());
    }

    /**
     * Claude models serve chat and Responses (the provider's embeddings and images are Google models'), so
     * the conformance checks of those two run here with a Claude model, complete and streamed.
     */
    @Test
    void claudeModelsAnswerChatAndResponsesInOpenAisShape() {
        List<String> failures = new java.util.ArrayList<>();
        for (Operation operation : List.of(Operation.CHAT_COMPLETION, Operation.RESPONSES)) {
            String path = operation == Operation.CHAT_COMPLETION ? "/v1/chat/completions" : "/v1/responses";
            JsonObject complete = ok(Http.post(gateway.uri(path),
                    AnswerChecks.requestBody(operation, "vertex/claude-sonnet-4-5@20250929", false)));
            failures.addAll(AnswerChecks.complete(operation, complete, 2));
            List<io.gateway.spi.StreamEvent> events = streamFrames(Http.postStream(gateway.uri(path),
                    AnswerChecks.requestBody(operation, "vertex/claude-sonnet-4-5@20250929", true))).stream()
                    .map(frame -> new io.gateway.spi.StreamEvent(frame.event(), frame.data())).toList();
            failures.addAll(AnswerChecks.stream(operation, events, operation == Operation.CHAT_COMPLETION));
        }
        assertEquals(List.of(), failures);
        JsonObject sent = vertex.lastBody("streamRawPredict");
        assertEquals("vertex-2023-10-16", sent.getString("anthropic_version"));
        assertFalse(sent.containsKey("model"));
    }

    @Test
    void theModelListIsQualified() {
        JsonObject list = ok(Http.get(gateway.uri("/v1/models")));
        assertEquals(List.of("vertex/gemini-conformance", "vertex/claude-sonnet-4-5@20250929"), list.getJsonArray("data")
                .stream().map(v -> v.asJsonObject().getString("id")).toList());
    }

    @Test
    void claudeToolCallsRoundTrip() {
        JsonObject first = ok(Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"vertex/claude-sonnet-4-5@20250929","tool_choice":"required","max_tokens":200,
                 "messages":[{"role":"user","content":"What is the weather in Paris?"}],"tools":[%s]}"""
                .formatted(WEATHER_TOOL)));
        JsonObject call = first.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getJsonArray("tool_calls").getJsonObject(0);
        assertEquals("get_weather", call.getJsonObject("function").getString("name"));

        JsonObject second = ok(Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"vertex/claude-sonnet-4-5@20250929","max_tokens":200,
                 "messages":[{"role":"user","content":"What is the weather in Paris?"},
                   {"role":"assistant","content":null,"tool_calls":[%s]},
                   {"role":"tool","tool_call_id":"%s","content":"sunny, 21 C"}],"tools":[%s]}"""
                .formatted(call, call.getString("id"), WEATHER_TOOL)));
        assertEquals("Thanks, the tool said: sunny, 21 C", contentOf(second));
        assertEquals("vertex", Http.post(gateway.uri("/v1/chat/completions"), chatBody(
                "vertex/claude-sonnet-4-5@20250929", "x", "")).headers().firstValue("x-bifrost-provider").orElseThrow());
    }

    @Test
    void geminiStreamsToolCalls() {
        List<JsonObject> chunks = chunks(streamFrames(Http.postStream(gateway.uri("/v1/chat/completions"), """
                {"model":"vertex/gemini-2.5-flash","stream":true,"tool_choice":"required",
                 "messages":[{"role":"user","content":"Weather in Rome?"}],"tools":[%s]}""".formatted(WEATHER_TOOL))));
        JsonObject call = chunks.stream().map(c -> c.getJsonArray("choices"))
                .filter(choices -> !choices.isEmpty()
                        && choices.getJsonObject(0).getJsonObject("delta").containsKey("tool_calls"))
                .findFirst().orElseThrow().getJsonObject(0).getJsonObject("delta").getJsonArray("tool_calls")
                .getJsonObject(0);
        assertEquals("get_weather", call.getJsonObject("function").getString("name"));
        assertTrue(JsonBodies.parse(call.getJsonObject("function").getString("arguments")).containsKey("city"));
        assertEquals("tool_calls", chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0)
                .getString("finish_reason"));
    }

    @Test
    void embeddingsOfGeminiEmbeddingGoOneInstancePerPredict() {
        JsonObject answer = ok(Http.post(gateway.uri("/v1/embeddings"), """
                {"model":"vertex/gemini-embedding-001","input":["one","two"],"dimensions":16}"""));
        assertEquals(2, answer.getJsonArray("data").size());
        assertEquals(16, answer.getJsonArray("data").getJsonObject(0).getJsonArray("embedding").size());
        assertEquals(2, vertex.requests("predict").size());
    }

    @Test
    void errorsReachTheClientInTheEnvelope() {
        vertex.answerNext(FakeGemini.rateLimited("Quota exceeded for aiplatform.googleapis.com", "17s"));
        JsonObject limited = envelope(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("vertex/gemini-2.5-flash", "x", "")), 429);
        assertTrue(limited.getJsonObject("error").getString("message").contains("Quota exceeded"));

        JsonObject badModel = envelope(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("vertex/gemini-0", "x", "")), 404);
        assertEquals("NOT_FOUND", badModel.getJsonObject("error").getString("code"));

        JsonObject claudeRefused = envelope(Http.post(gateway.uri("/v1/embeddings"),
                "{\"model\":\"vertex/claude-sonnet-4-5@20250929\",\"input\":\"x\"}"), 400);
        assertTrue(claudeRefused.getJsonObject("error").getString("message").contains("Claude"));
    }
}
