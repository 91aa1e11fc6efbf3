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

import io.gateway.spi.Operation;
import io.gateway.testkit.fakes.FakeCohere;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * provider-cohere and the gateway's rerank route through one real gateway in front of the test kit's fake
 * Cohere v2 API: conformance (chat, stream, embeddings, rerank, errors), tool round trips, the rerank route
 * under each prefix, and rerank served by the mock too.
 */
class CohereIT {

    @TempDir
    static Path temp;

    static FakeCohere cohere;
    static TestGateway gateway;

    static final String WEATHER_TOOL = """
            {"type":"function","function":{"name":"get_weather","description":"Current weather for a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";
    static final String RERANK = """
            {"model":"cohere/rerank-v3.5","query":"capital of France","top_n":2,"return_documents":true,
             "documents":["Berlin is the capital of Germany","Paris is the capital of France","France is big"]}""";

    @BeforeAll
    static void start() {
        cohere = FakeCohere.start().addModel("cohere-conformance", FakeCohere.Endpoint.CHAT, FakeCohere.Endpoint.EMBED,
                FakeCohere.Endpoint.RERANK);
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-cohere", "io.gateway.plugins.cohere.CoherePlugin")
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin");
        gateway = TestGateway.start("""
                gateway:
                  providers:
                    cohere:
                      type: cohere
                      base-url: %s
                      keys:
                        - name: main
                          value: %s
                    mock:
                      type: mock
                """.formatted(cohere.baseUrl(), FakeCohere.API_KEY), plugins.root());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        cohere.close();
    }

    @BeforeEach
    void reset() {
        cohere.reset();
    }

    @Test
    void cohereChatEmbeddingsAndRerankPassConformance() {
        GatewayConformance.check(gateway.uri("/"), "cohere", "cohere-conformance", EnumSet.of(
                Operation.CHAT_COMPLETION, Operation.EMBEDDING, Operation.RERANK, Operation.LIST_MODELS));
        assertEquals(1, cohere.upstream().requests("/v2/rerank").size());
        assertEquals(4, cohere.upstream().requests("/v2/chat").size(),
                "complete and streamed, on the OpenAI route and translated from Anthropic's Messages route");
    }

    @Test
    void rerankIsServedUnderEveryPrefix() {
        for (String path : List.of("/v1/rerank", "/openai/v1/rerank", "/openai/rerank")) {
            JsonObject answer = ok(Http.post(gateway.uri(path), RERANK));
            JsonArray results = answer.getJsonArray("results");
            assertEquals(2, results.size(), path);
            assertEquals(1, results.getJsonObject(0).getInt("index"), path);
            assertEquals("Paris is the capital of France", results.getJsonObject(0).getJsonObject("document")
                    .getString("text"), path);
        }
        assertEquals(3, cohere.upstream().requests("/v2/rerank").size());
    }

    @Test
    void rerankValidationAnswers400WithoutAnUpstreamCall() {
        JsonObject noDocuments = envelope(Http.post(gateway.uri("/v1/rerank"),
                "{\"model\":\"cohere/rerank-v3.5\",\"query\":\"q\"}"), 400);
        assertEquals("documents", noDocuments.getJsonObject("error").getString("param"));
        JsonObject stream = envelope(Http.post(gateway.uri("/v1/rerank"),
                "{\"model\":\"cohere/rerank-v3.5\",\"query\":\"q\",\"documents\":[\"a\"],\"stream\":true}"), 400);
        assertEquals("stream", stream.getJsonObject("error").getString("param"));
        assertEquals(405, Http.get(gateway.uri("/v1/rerank")).statusCode());
        assertEquals(0, cohere.upstream().requests("/v2/rerank").size());
    }

    @Test
    void theMockReranksToo() {
        JsonObject answer = ok(Http.post(gateway.uri("/v1/rerank"), RERANK.replace("cohere/rerank-v3.5", "mock/m")));
        assertEquals(1, answer.getJsonArray("results").getJsonObject(0).getInt("index"));
        assertEquals("rerank", envelope(Http.post(gateway.uri("/v1/rerank"), RERANK.replace("cohere/rerank-v3.5",
                "mock/error-503")), 503).getJsonObject("extra_fields").getString("request_type"));
    }

    @Test
    void toolCallsRoundTripAndStream() {
        JsonObject first = ok(Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"cohere/command-a-03-2025","tool_choice":"required",
                 "messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[%s]}""".formatted(WEATHER_TOOL)));
        JsonObject call = first.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getJsonArray("tool_calls").getJsonObject(0);
        JsonObject second = ok(Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"cohere/command-a-03-2025","messages":[{"role":"user","content":"Weather in Paris?"},
                  {"role":"assistant","tool_calls":[%s]},{"role":"tool","tool_call_id":"%s","content":"sunny"}],
                 "tools":[%s]}""".formatted(call, call.getString("id"), WEATHER_TOOL)));
        assertEquals("Thanks, the tool said: sunny", contentOf(second));

        List<JsonObject> chunks = chunks(streamFrames(Http.postStream(gateway.uri("/v1/chat/completions"),
                chatBody("cohere/command-a-03-2025", "stream this", ",\"stream\":true"))));
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
                .getString("content", "")));
        assertEquals("Hello! You said: stream this", text.toString());
    }

    @Test
    void embeddingsInCoheresCompressedTypes() {
        JsonObject answer = ok(Http.post(gateway.uri("/v1/embeddings"), """
                {"model":"cohere/embed-v4.0","input":["a","b"],"encoding_format":"ubinary","dimensions":256,
                 "input_type":"clustering"}"""));
        assertEquals(256 / 8, answer.getJsonArray("data").getJsonObject(0).getJsonArray("embedding").size());
        assertEquals("clustering", cohere.lastBody("/v2/embed").getString("input_type"));
    }

    @Test
    void coheresErrorsReachTheEnvelope() {
        cohere.answerNext(FakeCohere.error(429, "rate limit exceeded"));
        JsonObject limited = envelope(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("cohere/command-a-03-2025", "x", "")), 429);
        assertTrue(limited.getJsonObject("error").getString("message").contains("rate limit exceeded"));
        JsonObject temperature = envelope(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("cohere/command-a-03-2025", "x", ",\"temperature\":1.7")), 400);
        assertTrue(temperature.getJsonObject("error").getString("message").contains("temperature"));
        assertFalse(temperature.getBoolean("is_bifrost_error"), "Cohere refused it, not the gateway");
    }
}
