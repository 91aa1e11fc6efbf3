package io.gateway.plugins.cohere;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.testkit.EventStreams;
import io.gateway.testkit.HttpUpstream;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.fakes.FakeCohere;
import io.gateway.testkit.http.Reply;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Chat with tools and streams, embeddings in every type, and rerank, against the fake Cohere v2 API. */
class CohereProviderTest {

    private static final String WEATHER = """
            {"type":"function","function":{"name":"get_weather","description":"Weather for a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";

    private final FakeCohere cohere = FakeCohere.start();
    private final HttpUpstream upstream = HttpUpstream.create();
    private final Provider provider = new CoherePlugin().providerFactories().get(0).create(
            TestConfig.provider("cohere", Map.of("base-url", cohere.baseUrl())),
            TestContext.builder().upstream(upstream).clock(TestClock.at(Instant.parse("2025-01-02T03:04:05Z")))
                    .build());

    @AfterEach
    void close() {
        upstream.close();
        cohere.close();
    }

    private static ProviderCall call(Operation operation, String json) {
        JsonObject body = JsonBodies.parse(json);
        return ProviderCall.builder(operation, body).model(JsonBodies.string(body, "model"))
                .stream(body.get("stream") == JsonValue.TRUE).key(ApiKey.of("main", Secret.of(FakeCohere.API_KEY)))
                .deadline(Instant.now().plusSeconds(30)).streamIdleTimeout(Duration.ofSeconds(10)).build();
    }

    private JsonObject complete(Operation operation, String json) {
        return assertInstanceOf(Response.Complete.class, provider.call(call(operation, json))).body();
    }

    @Test
    void chatTranslatesMessagesAndSettings() {
        JsonObject answer = complete(Operation.CHAT_COMPLETION, """
                {"model":"command-a-03-2025","max_completion_tokens":50,"temperature":0.2,"top_p":0.5,"seed":7,
                 "stop":"END","response_format":{"type":"json_object"},
                 "messages":[{"role":"developer","content":"Be brief."},
                   {"role":"user","content":[{"type":"text","text":"hi"},
                     {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}""");

        JsonObject sent = cohere.lastBody("/v2/chat");
        assertEquals("system", sent.getJsonArray("messages").getJsonObject(0).getString("role"));
        assertEquals(50, sent.getInt("max_tokens"));
        assertEquals(0.5, sent.getJsonNumber("p").doubleValue());
        assertEquals(List.of("END"), sent.getJsonArray("stop_sequences").getValuesAs(jakarta.json.JsonString::getString));
        assertEquals("json_object", sent.getJsonObject("response_format").getString("type"));
        assertEquals("image_url", sent.getJsonArray("messages").getJsonObject(1).getJsonArray("content")
                .getJsonObject(1).getString("type"));
        JsonObject message = answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
        assertEquals("Hello! You said: hi", message.getString("content"));
        assertEquals("stop", answer.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertTrue(answer.getJsonObject("usage").getInt("prompt_tokens") > 200, "the model's own tokens");
        assertEquals("Bearer " + FakeCohere.API_KEY, cohere.lastRequest().header("authorization"));
    }

    @Test
    void toolsRoundTrip() {
        JsonObject first = complete(Operation.CHAT_COMPLETION, """
                {"model":"command-a-03-2025","tool_choice":"required",
                 "messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[%s]}""".formatted(WEATHER));
        JsonObject choice = first.getJsonArray("choices").getJsonObject(0);
        assertEquals("tool_calls", choice.getString("finish_reason"));
        JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
        assertEquals("get_weather", call.getJsonObject("function").getString("name"));
        assertEquals("REQUIRED", cohere.lastBody("/v2/chat").getString("tool_choice"));

        JsonObject second = complete(Operation.CHAT_COMPLETION, """
                {"model":"command-a-03-2025","messages":[{"role":"user","content":"Weather in Paris?"},
                  {"role":"assistant","content":null,"tool_calls":[%s]},
                  {"role":"tool","tool_call_id":"%s","content":"sunny"}],"tools":[%s]}"""
                .formatted(call, call.getString("id"), WEATHER));
        assertEquals("Thanks, the tool said: sunny", second.getJsonArray("choices").getJsonObject(0)
                .getJsonObject("message").getString("content"));
        assertFalse(cohere.lastBody("/v2/chat").getJsonArray("messages").getJsonObject(1).containsKey("content"),
                "an assistant turn with only tool calls sends no empty content");
    }

    @Test
    void aNamedToolChoiceOffersOnlyThatToolAsRequired() {
        complete(Operation.CHAT_COMPLETION, """
                {"model":"command-a-03-2025","messages":[{"role":"user","content":"x"}],
                 "tools":[%s,{"type":"function","function":{"name":"get_time"}}],
                 "tool_choice":{"type":"function","function":{"name":"get_time"}}}""".formatted(WEATHER));
        JsonObject sent = cohere.lastBody("/v2/chat");
        assertEquals("REQUIRED", sent.getString("tool_choice"));
        assertEquals(1, sent.getJsonArray("tools").size());
        assertEquals("get_time", sent.getJsonArray("tools").getJsonObject(0).getJsonObject("function").getString("name"));
    }

    @Test
    void streamsTextAndToolCallsEventByEvent() {
        List<StreamEvent> text = EventStreams.drain(assertInstanceOf(Response.Streaming.class, provider.call(call(
                Operation.CHAT_COMPLETION, """
                {"model":"command-a-03-2025","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"say three words"}]}"""))).events());
        StringBuilder said = new StringBuilder();
        for (StreamEvent event : text) {
            if (!event.isDone() && !event.json().getJsonArray("choices").isEmpty()) {
                said.append(event.json().getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
                        .getString("content", ""));
            }
        }
        assertEquals("Hello! You said: say three words", said.toString());
        assertTrue(text.get(text.size() - 1).isDone());
        assertTrue(text.get(text.size() - 2).json().getJsonObject("usage").getInt("completion_tokens") > 0);

        List<StreamEvent> tools = EventStreams.drain(assertInstanceOf(Response.Streaming.class, provider.call(call(
                Operation.CHAT_COMPLETION, """
                {"model":"command-a-03-2025","stream":true,"tool_choice":"required",
                 "messages":[{"role":"user","content":"Weather?"}],"tools":[%s]}""".formatted(WEATHER)))).events());
        StringBuilder arguments = new StringBuilder();
        List<String> finishes = new ArrayList<>();
        for (StreamEvent event : tools) {
            if (event.isDone()) {
                continue;
            }
            JsonObject first = event.json().getJsonArray("choices").getJsonObject(0);
            JsonArray calls = first.getJsonObject("delta").getJsonArray("tool_calls");
            if (calls != null) {
                assertEquals(0, calls.getJsonObject(0).getInt("index"));
                arguments.append(calls.getJsonObject(0).getJsonObject("function").getString("arguments"));
            }
            if (!first.isNull("finish_reason")) {
                finishes.add(first.getString("finish_reason"));
            }
        }
        assertTrue(JsonBodies.parse(arguments.toString()).containsKey("city"), arguments.toString());
        assertEquals(List.of("tool_calls"), finishes);
    }

    @Test
    void aStreamCutBeforeMessageEndFails() {
        cohere.answerNext(Reply.sse(io.gateway.testkit.http.SseFrame.typed(JsonBodies.parse(
                "{\"type\":\"message-start\",\"id\":\"x\",\"delta\":{\"message\":{\"role\":\"assistant\"}}}"))));
        Response.Streaming streaming = assertInstanceOf(Response.Streaming.class, provider.call(call(
                Operation.CHAT_COMPLETION, "{\"model\":\"command-a-03-2025\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")));
        GatewayException cut = assertThrows(GatewayException.class, () -> EventStreams.drain(streaming.events()));
        assertEquals(502, cut.status());
    }

    @Test
    void embeddingsTakeInputTypeAndEveryEncoding() {
        JsonObject floats = complete(Operation.EMBEDDING, """
                {"model":"embed-v4.0","input":["a b","c"],"dimensions":256,"input_type":"search_query"}""");
        JsonObject sent = cohere.lastBody("/v2/embed");
        assertEquals("search_query", sent.getString("input_type"));
        assertEquals(256, sent.getInt("output_dimension"));
        assertEquals("float", sent.getJsonArray("embedding_types").getString(0));
        assertEquals(256, floats.getJsonArray("data").getJsonObject(1).getJsonArray("embedding").size());
        assertEquals(3, floats.getJsonObject("usage").getInt("prompt_tokens"));

        JsonObject int8 = complete(Operation.EMBEDDING, "{\"model\":\"embed-v4.0\",\"input\":\"x\","
                + "\"encoding_format\":\"int8\"}");
        assertEquals("search_document", cohere.lastBody("/v2/embed").getString("input_type"), "the default");
        JsonArray quantized = int8.getJsonArray("data").getJsonObject(0).getJsonArray("embedding");
        assertTrue(quantized.getValuesAs(jakarta.json.JsonNumber.class).stream()
                .allMatch(n -> n.isIntegral() && n.intValue() >= -128 && n.intValue() <= 127));

        JsonObject base64 = complete(Operation.EMBEDDING, "{\"model\":\"embed-v4.0\",\"input\":\"x\","
                + "\"encoding_format\":\"base64\"}");
        assertEquals(FakeCohere.EMBEDDING_DIMENSIONS * 4, Base64.getDecoder().decode(base64.getJsonArray("data")
                .getJsonObject(0).getString("embedding")).length, "little-endian float32, as OpenAI's");
    }

    @Test
    void moreThan96InputsGoOutInBatches() {
        StringBuilder input = new StringBuilder("[");
        for (int i = 0; i < 200; i++) {
            input.append(i == 0 ? "" : ",").append("\"text ").append(i).append('"');
        }
        JsonObject answer = complete(Operation.EMBEDDING, "{\"model\":\"embed-english-v3.0\",\"input\":" + input
                + "]}");
        assertEquals(3, cohere.upstream().requests("/v2/embed").size());
        assertEquals(200, answer.getJsonArray("data").size());
        assertEquals(199, answer.getJsonArray("data").getJsonObject(199).getInt("index"));
    }

    @Test
    void rerankOrdersAndReturnsDocumentsWhenAsked() {
        JsonObject answer = complete(Operation.RERANK, """
                {"model":"rerank-v3.5","query":"capital of France","top_n":2,"return_documents":true,
                 "documents":["Berlin is in Germany",{"text":"Paris is the capital of France"},"France"]}""");

        JsonObject sent = cohere.lastBody("/v2/rerank");
        assertEquals(3, sent.getJsonArray("documents").size());
        assertEquals("Paris is the capital of France", sent.getJsonArray("documents").getString(1));
        assertFalse(sent.containsKey("return_documents"), "Cohere's v2 has no such field");
        JsonArray results = answer.getJsonArray("results");
        assertEquals(2, results.size());
        assertEquals(1, results.getJsonObject(0).getInt("index"));
        assertEquals("Paris is the capital of France", results.getJsonObject(0).getJsonObject("document")
                .getString("text"));
        assertEquals(1, answer.getJsonObject("usage").getInt("search_units"));
        assertEquals("rerank-v3.5", answer.getString("model"));
    }

    @Test
    void errorsKeepCoheresStatusAndMessage() {
        cohere.answerNext(FakeCohere.error(429, "You are using a Trial key, which is limited to 10 API calls / minute"));
        GatewayException limited = assertThrows(GatewayException.class, () -> provider.call(call(
                Operation.RERANK, "{\"model\":\"rerank-v3.5\",\"query\":\"q\",\"documents\":[\"a\"]}")));
        assertEquals(429, limited.status());
        assertTrue(limited.errorCode().retryable());
        assertTrue(limited.getMessage().contains("Trial key"));

        GatewayException unknown = assertThrows(GatewayException.class, () -> provider.call(call(
                Operation.CHAT_COMPLETION, "{\"model\":\"command-z\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")));
        assertEquals(404, unknown.status());

        GatewayException tokens = assertThrows(GatewayException.class, () -> provider.call(call(
                Operation.EMBEDDING, "{\"model\":\"embed-v4.0\",\"input\":[1,2,3]}")));
        assertEquals(400, tokens.status());
        assertEquals("input", tokens.param());
    }

    @Test
    void listsCoheresModels() {
        JsonObject list = complete(Operation.LIST_MODELS, "{}");
        assertTrue(list.getJsonArray("data").stream().map(v -> v.asJsonObject().getString("id")).toList()
                .containsAll(List.of("command-a-03-2025", "embed-v4.0", "rerank-v3.5")));
    }
}
