package io.gateway.plugins.vertex;

import static io.gateway.plugins.vertex.Fixtures.body;
import static io.gateway.plugins.vertex.Fixtures.call;
import static io.gateway.plugins.vertex.Fixtures.complete;
import static io.gateway.plugins.vertex.Fixtures.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.testkit.fakes.FakeAnthropic;
import io.gateway.testkit.fakes.FakeGemini;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Gemini and Claude models on Vertex AI, each through its shared translation, against the fake Vertex AI. */
class VertexProviderTest {

    private static final String WEATHER = """
            {"type":"function","function":{"name":"get_weather","description":"Weather for a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";

    private final Fixtures vertex = new Fixtures();

    @AfterEach
    void close() {
        vertex.close();
    }

    @Test
    void geminiChatGoesToTheRegionsGenerateContentWithABearerToken() {
        Provider provider = vertex.provider("location", "europe-west4");

        JsonObject answer = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[{"role":"system","content":"Be brief."},
                 {"role":"user","content":"hi"}]}""");

        assertEquals("Hello! You said: hi", answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content"));
        UpstreamRequest sent = vertex.lastCall();
        assertEquals("https://europe-west4-aiplatform.googleapis.com/v1/projects/fake-project/locations/europe-west4"
                + "/publishers/google/models/gemini-2.5-flash:generateContent", sent.uri().toString());
        assertTrue(sent.headers().first("authorization").orElseThrow().startsWith("Bearer ya29.fake-"));
        assertEquals("Be brief.", body(sent).getJsonObject("systemInstruction").getJsonArray("parts")
                .getJsonObject(0).getString("text"));
        assertEquals(vertex.fake.tokenUri(), vertex.upstream.requests().get(0).uri().toString(),
                "the token exchange goes to the key file's token_uri, through the same client");
    }

    @Test
    void theGlobalLocationUsesTheGlobalHostAndBaseUrlOverridesTheHost() {
        complete(vertex.provider("location", "global"), Operation.CHAT_COMPLETION,
                "{\"model\":\"gemini-2.5-pro\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals("https://aiplatform.googleapis.com/v1/projects/fake-project/locations/global/publishers/google"
                + "/models/gemini-2.5-pro:generateContent", vertex.lastCall().uri().toString());

        // the fake serves no path prefix, so this call fails there; what matters is where it went
        Provider behindProxy = vertex.provider("base-url", "https://psc.example.internal/prefix", "api-version", "v1beta1");
        assertThrows(GatewayException.class, () -> behindProxy.call(call(Operation.CHAT_COMPLETION,
                "{\"model\":\"gemini-2.5-pro\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")));
        assertEquals("https://psc.example.internal/prefix/v1beta1/projects/fake-project/locations/us-central1"
                + "/publishers/google/models/gemini-2.5-pro:generateContent", vertex.lastCall().uri().toString());
    }

    @Test
    void geminiStreamsFromServerSentEvents() {
        List<StreamEvent> events = stream(vertex.provider(), Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"say something"}]}""");

        assertTrue(vertex.lastCall().uri().toString().endsWith(":streamGenerateContent?alt=sse"));
        StringBuilder text = new StringBuilder();
        for (StreamEvent event : events) {
            if (!event.isDone() && event.json().getJsonArray("choices").size() > 0) {
                JsonObject delta = event.json().getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
                text.append(delta.getString("content", ""));
            }
        }
        assertEquals("Hello! You said: say something", text.toString());
        assertTrue(events.get(events.size() - 1).isDone());
        assertTrue(events.get(events.size() - 2).json().getJsonObject("usage").getInt("total_tokens") > 0);
    }

    @Test
    void claudeChatGoesToRawPredictWithTheVertexVersionAndTheModelInThePath() {
        Provider provider = vertex.provider("location", "us-east5");

        JsonObject answer = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"claude-sonnet-4-5@20250929","max_tokens":100,
                 "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}""");

        assertEquals("Hello! You said: hi", answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content"));
        assertEquals("chat.completion", answer.getString("object"));
        UpstreamRequest sent = vertex.lastCall();
        assertEquals("https://us-east5-aiplatform.googleapis.com/v1/projects/fake-project/locations/us-east5"
                + "/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict", sent.uri().toString());
        JsonObject messages = body(sent);
        assertEquals("vertex-2023-10-16", messages.getString("anthropic_version"));
        assertFalse(messages.containsKey("model"), "Vertex names the model in the path");
        assertEquals("Be brief.", messages.getString("system"));
    }

    @Test
    void claudeToolCallsStreamEventByEvent() {
        List<StreamEvent> events = stream(vertex.provider(), Operation.CHAT_COMPLETION, """
                {"model":"claude-haiku-4-5@20251001","stream":true,"tool_choice":"required",
                 "messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[%s]}""".formatted(WEATHER));

        assertTrue(vertex.lastCall().uri().toString().endsWith("/claude-haiku-4-5@20251001:streamRawPredict"));
        assertEquals(Boolean.TRUE, body(vertex.lastCall()).getBoolean("stream"));
        StringBuilder arguments = new StringBuilder();
        String name = null;
        String finish = null;
        for (StreamEvent event : events) {
            if (event.isDone()) {
                continue;
            }
            JsonArray choices = event.json().getJsonArray("choices");
            if (choices.isEmpty()) {
                continue;
            }
            JsonObject delta = choices.getJsonObject(0).getJsonObject("delta");
            if (delta.containsKey("tool_calls")) {
                JsonObject function = delta.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function");
                name = function.containsKey("name") ? function.getString("name") : name;
                arguments.append(function.getString("arguments", ""));
            }
            if (!choices.getJsonObject(0).isNull("finish_reason")) {
                finish = choices.getJsonObject(0).getString("finish_reason");
            }
        }
        assertEquals("get_weather", name);
        assertTrue(JsonBodies.parse(arguments.toString()).containsKey("city"), arguments.toString());
        assertEquals("tool_calls", finish);
    }

    @Test
    void claudeResponsesRoundTripTheToolResult() {
        JsonObject answer = complete(vertex.provider(), Operation.RESPONSES, """
                {"model":"claude-sonnet-4-5@20250929","input":[
                  {"role":"user","content":"Weather in Paris?"},
                  {"type":"function_call","call_id":"toolu_1","name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                  {"type":"function_call_output","call_id":"toolu_1","output":"sunny"}],
                 "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object",
                   "properties":{"city":{"type":"string"}}}}]}""");

        assertEquals("response", answer.getString("object"));
        assertEquals("Thanks, the tool said: sunny", answer.getJsonArray("output").getJsonObject(0)
                .getJsonArray("content").getJsonObject(0).getString("text"));
    }

    @Test
    void embeddingsGoThroughPredictOneInstancePerCallForGeminiEmbedding() {
        Provider provider = vertex.provider();

        JsonObject batch = complete(provider, Operation.EMBEDDING, """
                {"model":"text-embedding-005","input":["a b","c"],"dimensions":8,"task_type":"RETRIEVAL_QUERY"}""");
        assertEquals(1, vertex.calls().size(), "one predict call for both inputs");
        JsonObject sent = body(vertex.lastCall());
        assertEquals("RETRIEVAL_QUERY", sent.getJsonArray("instances").getJsonObject(0).getString("task_type"));
        assertEquals(8, sent.getJsonObject("parameters").getInt("outputDimensionality"));
        assertEquals(2, batch.getJsonArray("data").size());
        assertEquals(8, batch.getJsonArray("data").getJsonObject(1).getJsonArray("embedding").size());
        assertEquals(3, batch.getJsonObject("usage").getInt("prompt_tokens"), "the predictions' token counts");

        JsonObject one = complete(provider, Operation.EMBEDDING, """
                {"model":"gemini-embedding-001","input":["a b","c","d"],"encoding_format":"base64"}""");
        assertEquals(4, vertex.calls().size(), "gemini-embedding-001 takes one instance per call");
        assertEquals(3, one.getJsonArray("data").size());
        assertEquals(FakeGemini.EMBEDDING_DIMENSIONS * 4, java.util.Base64.getDecoder().decode(
                one.getJsonArray("data").getJsonObject(2).getString("embedding")).length);
        assertTrue(vertex.lastCall().uri().toString().endsWith("/publishers/google/models/gemini-embedding-001:predict"));
    }

    @Test
    void claudeOffersNoEmbeddingsOrImagesAndBadIdsNeverReachThePath() {
        Provider provider = vertex.provider();
        GatewayException embeddings = assertThrows(GatewayException.class, () -> provider.call(call(
                Operation.EMBEDDING, "{\"model\":\"claude-sonnet-4-5@20250929\",\"input\":\"x\"}")));
        assertEquals(400, embeddings.status());
        GatewayException path = assertThrows(GatewayException.class, () -> provider.call(call(
                Operation.CHAT_COMPLETION, "{\"model\":\"claude-x/../../y\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"x\"}]}")));
        assertEquals(400, path.status());
        assertEquals(0, vertex.calls().size());
    }

    @Test
    void imagesUseGenerateContentWithImageOutput() {
        JsonObject images = complete(vertex.provider(), Operation.IMAGE_GENERATION,
                "{\"model\":\"gemini-2.5-flash-image\",\"prompt\":\"a red fox\"}");
        assertEquals(FakeGemini.IMAGE_BASE64, images.getJsonArray("data").getJsonObject(0).getString("b64_json"));
        assertTrue(vertex.lastCall().uri().toString().endsWith("gemini-2.5-flash-image:generateContent"));
    }

    @Test
    void vertexAndClaudeErrorsKeepTheirStatusAndMessage() {
        Provider provider = vertex.provider();
        vertex.fake.answerNext(FakeGemini.error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for"
                + " aiplatform.googleapis.com/generate_content_requests_per_minute"));
        GatewayException quota = assertThrows(GatewayException.class, () -> provider.call(call(
                Operation.CHAT_COMPLETION, "{\"model\":\"claude-sonnet-4-5@20250929\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"x\"}]}")));
        assertEquals(429, quota.status());
        assertEquals("rate_limit_error", quota.errorCode().type());
        assertTrue(quota.getMessage().contains("Quota exceeded"), quota.getMessage());

        vertex.fake.answerNext(FakeAnthropic.error(529, "overloaded_error", "Overloaded"));
        GatewayException overloaded = assertThrows(GatewayException.class, () -> provider.call(call(
                Operation.CHAT_COMPLETION, "{\"model\":\"claude-sonnet-4-5@20250929\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"x\"}]}")));
        assertEquals(529, overloaded.status());
        assertEquals("overloaded_error", overloaded.errorCode().code());
        assertTrue(overloaded.errorCode().retryable());

        GatewayException unknown = assertThrows(GatewayException.class, () -> provider.call(call(
                Operation.CHAT_COMPLETION, "{\"model\":\"gemini-0\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"x\"}]}")));
        assertEquals(404, unknown.status());
        assertEquals("NOT_FOUND", unknown.errorCode().code());
    }

    @Test
    void theModelListIsTheConfiguredOne() {
        Provider without = vertex.provider();
        assertFalse(without.operations().contains(Operation.LIST_MODELS));
        Provider with = vertex.provider("models", List.of("gemini-2.5-flash", "claude-sonnet-4-5@20250929"));
        assertEquals(Set.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.EMBEDDING,
                Operation.IMAGE_GENERATION, Operation.LIST_MODELS), with.operations());
        JsonObject list = complete(with, Operation.LIST_MODELS, "{}");
        assertEquals("claude-sonnet-4-5@20250929", list.getJsonArray("data").getJsonObject(1).getString("id"));
        assertEquals("anthropic", list.getJsonArray("data").getJsonObject(1).getString("owned_by"));
        assertEquals(0, vertex.upstream.requests().size(), "the list needs no call");
    }
}
