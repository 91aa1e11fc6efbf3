package io.gateway.plugins.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.TokenUsage;
import io.gateway.testkit.ProviderHarness;
import io.gateway.testkit.fakes.FakeBedrock;
import io.gateway.testkit.http.Gate;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Chat completions through Converse and ConverseStream, against the fake's checks. */
class ChatTest {

    static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    static final String WEATHER = """
            {"type":"function","function":{"name":"get_weather","description":"Current weather",
             "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";

    @Test
    void systemImagesToolsStopsAndLimitsTranslateToConverse() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            JsonObject answer = provider.complete(Operation.CHAT_COMPLETION, """
                    {"model":"%s","max_tokens":50,"temperature":0.2,"top_p":0.9,"stop":["END"],
                     "messages":[{"role":"system","content":"Be terse."},
                       {"role":"developer","content":[{"type":"text","text":"Cite sources.",
                         "cache_control":{"type":"ephemeral"}}]},
                       {"role":"user","content":[{"type":"text","text":"What is this?"},
                         {"type":"image_url","image_url":{"url":"data:image/png;base64,%s"}}]}],
                     "tools":[%s]}""".formatted(FakeBedrock.CHAT_MODEL, PNG, WEATHER));
            JsonObject sent = bedrock.lastBody();
            assertEquals(JsonBodies.parse("""
                    {"system":[{"text":"Be terse."},{"text":"Cite sources."},{"cachePoint":{"type":"default"}}]}""")
                    .getJsonArray("system"), sent.getJsonArray("system"));
            JsonArray content = sent.getJsonArray("messages").getJsonObject(0).getJsonArray("content");
            assertEquals("What is this?", content.getJsonObject(0).getString("text"));
            assertEquals("png", content.getJsonObject(1).getJsonObject("image").getString("format"));
            assertEquals(PNG, content.getJsonObject(1).getJsonObject("image").getJsonObject("source")
                    .getString("bytes"));
            assertEquals(JsonBodies.parse("{\"maxTokens\":50,\"temperature\":0.2,\"topP\":0.9,"
                    + "\"stopSequences\":[\"END\"]}"), sent.getJsonObject("inferenceConfig"));
            JsonObject spec = sent.getJsonObject("toolConfig").getJsonArray("tools").getJsonObject(0)
                    .getJsonObject("toolSpec");
            assertEquals("get_weather", spec.getString("name"));
            assertEquals("object", spec.getJsonObject("inputSchema").getJsonObject("json").getString("type"));
            assertFalse(sent.containsKey("model"), "the model goes in the path");
            JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
            assertEquals("Hello! You said: What is this?", choice.getJsonObject("message").getString("content"));
            assertEquals("stop", choice.getString("finish_reason"));
            assertEquals("chatcmpl-fake-1", answer.getString("id"));
            assertEquals(FakeBedrock.CHAT_MODEL, answer.getString("model"));
        }
    }

    @Test
    void aToolRoundTripTranslatesCallsAndResults() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            JsonObject first = provider.complete(Operation.CHAT_COMPLETION, """
                    {"model":"%s","messages":[{"role":"user","content":"Weather in Paris?"}],
                     "tools":[%s],"tool_choice":"required"}""".formatted(FakeBedrock.CHAT_MODEL, WEATHER));
            assertEquals(JsonBodies.parse("{\"any\":{}}"), bedrock.lastBody().getJsonObject("toolConfig")
                    .getJsonObject("toolChoice"));
            JsonObject choice = first.getJsonArray("choices").getJsonObject(0);
            assertEquals("tool_calls", choice.getString("finish_reason"));
            JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
            assertEquals("get_weather", call.getJsonObject("function").getString("name"));
            assertEquals(JsonBodies.parse("{\"city\":\"example\"}"),
                    JsonBodies.parse(call.getJsonObject("function").getString("arguments")));
            String id = call.getString("id");
            JsonObject second = provider.complete(Operation.CHAT_COMPLETION, """
                    {"model":"%s","messages":[{"role":"user","content":"Weather in Paris?"},
                      {"role":"assistant","content":null,"tool_calls":[%s]},
                      {"role":"tool","tool_call_id":"%s","content":"18 degrees and sunny"},
                      {"role":"user","content":"Thanks"}],
                     "tools":[%s],"tool_choice":{"type":"function","function":{"name":"get_weather"}}}"""
                    .formatted(FakeBedrock.CHAT_MODEL, call, id, WEATHER));
            JsonArray messages = bedrock.lastBody().getJsonArray("messages");
            assertEquals(3, messages.size(), "the tool result and the next user text share one user turn");
            assertEquals(id, messages.getJsonObject(1).getJsonArray("content").getJsonObject(0)
                    .getJsonObject("toolUse").getString("toolUseId"));
            JsonObject result = messages.getJsonObject(2).getJsonArray("content").getJsonObject(0)
                    .getJsonObject("toolResult");
            assertEquals(id, result.getString("toolUseId"));
            assertEquals("18 degrees and sunny", result.getJsonArray("content").getJsonObject(0).getString("text"));
            assertEquals(JsonBodies.parse("{\"tool\":{\"name\":\"get_weather\"}}"), bedrock.lastBody()
                    .getJsonObject("toolConfig").getJsonObject("toolChoice"));
            assertEquals("tool_calls", second.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        }
    }

    @Test
    void toolChoiceNoneKeepsTheToolsOnlyWhenTheConversationHoldsToolBlocks() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            provider.complete(Operation.CHAT_COMPLETION, """
                    {"model":"%s","messages":[{"role":"user","content":"hi"}],"tools":[%s],"tool_choice":"none"}"""
                    .formatted(FakeBedrock.CHAT_MODEL, WEATHER));
            assertFalse(bedrock.lastBody().containsKey("toolConfig"));
        }
    }

    @Test
    void usageCountsTheWholePromptWithCacheReadsAndWrites() {
        String body = """
                {"model":"%s","messages":[{"role":"system","content":[{"type":"text","text":"one two three four",
                  "cache_control":{"type":"ephemeral"}}]},{"role":"user","content":"five six"}]}"""
                .formatted(FakeBedrock.CHAT_MODEL);
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            JsonObject written = provider.complete(Operation.CHAT_COMPLETION, body).getJsonObject("usage");
            assertEquals(6, written.getInt("prompt_tokens"));
            assertEquals(4, written.getInt("cache_creation_input_tokens"));
            assertEquals(0, written.getJsonObject("prompt_tokens_details").getInt("cached_tokens"));
            JsonObject read = provider.complete(Operation.CHAT_COMPLETION, body).getJsonObject("usage");
            assertEquals(6, read.getInt("prompt_tokens"));
            assertEquals(4, read.getInt("cache_read_input_tokens"));
            TokenUsage tokens = TokenUsage.parse(read);
            assertEquals(6, tokens.inputTokens());
            assertEquals(4, tokens.cachedInputTokens());
            assertEquals(tokens.inputTokens() + tokens.outputTokens(), read.getInt("total_tokens"));
        }
    }

    @Test
    void stopReasonsBecomeFinishReasons() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            for (String[] pair : new String[][] {{"max_tokens", "length"}, {"guardrail_intervened", "content_filter"},
                    {"content_filtered", "content_filter"}, {"stop_sequence", "stop"}, {"end_turn", "stop"},
                    {"model_context_window_exceeded", "length"}}) {
                bedrock.fake.answerNext(io.gateway.testkit.http.Reply.json(200, FakeBedrock.converseAnswer(
                        List.of(FakeBedrock.textBlock("x")), pair[0], FakeBedrock.usage(1, 1, 0, 0))));
                JsonObject answer = provider.complete(Operation.CHAT_COMPLETION,
                        "{\"model\":\"" + FakeBedrock.CHAT_MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                assertEquals(pair[1], answer.getJsonArray("choices").getJsonObject(0).getString("finish_reason"),
                        pair[0]);
            }
        }
    }

    @Test
    void refusedBeforeAnyCallWhatConverseCannotTake() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            for (String[] refused : new String[][] {
                    {"\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]", "n"},
                    {"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
                            + "{\"url\":\"https://example.com/a.png\"}}]}]", "does not fetch URLs"},
                    {"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{}}]}]",
                            "audio"},
                    {"\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                            + "\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]", "JSON object"},
                    {"\"messages\":[{\"role\":\"system\",\"content\":\"only system\"}]", "at least one user"}}) {
                GatewayException e = provider.failure(Operation.CHAT_COMPLETION,
                        "{\"model\":\"" + FakeBedrock.CHAT_MODEL + "\"," + refused[0] + "}");
                assertEquals(400, e.status(), refused[0]);
                assertTrue(e.getMessage().contains(refused[1]) || refused[1].equals(e.param()), e.getMessage());
            }
            assertTrue(bedrock.fake.requests().isEmpty(), "nothing reached bedrock");
        }
    }

    @Test
    void bedrockFieldsPassThroughUnchanged() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            provider.complete(Operation.CHAT_COMPLETION, """
                    {"model":"%s","messages":[{"role":"user","content":"hi"}],
                     "additionalModelRequestFields":{"top_k":5},"performanceConfig":{"latency":"optimized"}}"""
                    .formatted(FakeBedrock.CHAT_MODEL));
            assertEquals(5, bedrock.lastBody().getJsonObject("additionalModelRequestFields").getInt("top_k"));
            assertEquals("optimized", bedrock.lastBody().getJsonObject("performanceConfig").getString("latency"));
        }
    }

    @Test
    void aStreamIsTranslatedEventByEventWithToolCallsAndUsage() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            bedrock.fake.answerNext(FakeBedrock.stream(FakeBedrock.events(FakeBedrock.converseAnswer(List.of(
                    FakeBedrock.textBlock("Let me check."),
                    FakeBedrock.toolUseBlock("tooluse_1", "get_weather", JsonBodies.parse("{\"city\":\"Paris\"}"))),
                    "tool_use", FakeBedrock.usage(7, 12, 3, 0)))));
            List<StreamEvent> events = provider.stream(Operation.CHAT_COMPLETION, """
                    {"model":"%s","stream":true,"stream_options":{"include_usage":true},
                     "messages":[{"role":"user","content":"Weather?"}],"tools":[%s]}"""
                    .formatted(FakeBedrock.CHAT_MODEL, WEATHER));
            assertEquals("/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream",
                    bedrock.lastRequest().path());
            assertEquals("application/vnd.amazon.eventstream", bedrock.lastRequest().header("accept"));
            assertTrue(events.get(events.size() - 1).isDone());
            List<JsonObject> chunks = events.stream().filter(e -> !e.isDone()).map(StreamEvent::json).toList();
            assertEquals("assistant", delta(chunks.get(0)).getString("role"));
            StringBuilder text = new StringBuilder();
            StringBuilder arguments = new StringBuilder();
            String finish = null;
            for (JsonObject chunk : chunks) {
                JsonArray choices = chunk.getJsonArray("choices");
                if (choices.isEmpty()) {
                    continue;
                }
                JsonObject delta = delta(chunk);
                text.append(delta.getString("content", ""));
                if (delta.containsKey("tool_calls")) {
                    JsonObject call = delta.getJsonArray("tool_calls").getJsonObject(0);
                    assertEquals(0, call.getInt("index"));
                    if (call.containsKey("id")) {
                        assertEquals("tooluse_1", call.getString("id"));
                        assertEquals("get_weather", call.getJsonObject("function").getString("name"));
                    }
                    arguments.append(call.getJsonObject("function").getString("arguments"));
                }
                if (!choices.getJsonObject(0).isNull("finish_reason")) {
                    finish = choices.getJsonObject(0).getString("finish_reason");
                }
            }
            assertEquals("Let me check.", text.toString());
            assertEquals(JsonBodies.parse("{\"city\":\"Paris\"}"), JsonBodies.parse(arguments.toString()));
            assertEquals("tool_calls", finish);
            JsonObject usage = chunks.get(chunks.size() - 1).getJsonObject("usage");
            assertEquals(10, usage.getInt("prompt_tokens"));
            assertEquals(3, usage.getJsonObject("prompt_tokens_details").getInt("cached_tokens"));
            assertEquals(12, usage.getInt("completion_tokens"));
        }
    }

    @Test
    void eachEventIsHandedOnBeforeTheNextArrives() throws Exception {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            Gate gate = new Gate();
            bedrock.fake.holdNextStream(2, gate);
            Response.Streaming streaming = provider.streaming(provider.call(Operation.CHAT_COMPLETION,
                    "{\"model\":\"" + FakeBedrock.CHAT_MODEL + "\",\"stream\":true,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}]}"));
            try (EventStream events = streaming.events()) {
                assertEquals("assistant", delta(events.next().json()).getString("role"));
                assertEquals("Hello!", delta(events.next().json()).getString("content"));
                gate.open();
                List<String> rest = new ArrayList<>();
                for (StreamEvent event = events.next(); event != null; event = events.next()) {
                    rest.add(event.data());
                }
                assertEquals("[DONE]", rest.get(rest.size() - 1));
            }
        }
    }

    @Test
    void anExceptionInTheStreamEndsItWithTheMappedError() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            List<byte[]> frames = new ArrayList<>(FakeBedrock.events(FakeBedrock.converseAnswer(
                    List.of(FakeBedrock.textBlock("partial answer")), "end_turn", FakeBedrock.usage(1, 2, 0, 0)))
                    .subList(0, 2));
            frames.add(FakeBedrock.exceptionEvent("throttlingException", "Too many tokens, please wait"));
            bedrock.fake.answerNext(FakeBedrock.stream(frames));
            try (EventStream events = provider.streaming(provider.call(Operation.CHAT_COMPLETION,
                    "{\"model\":\"" + FakeBedrock.CHAT_MODEL + "\",\"stream\":true,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).events()) {
                assertEquals("assistant", delta(events.next().json()).getString("role"));
                assertEquals("partial", delta(events.next().json()).getString("content"));
                GatewayException e = org.junit.jupiter.api.Assertions.assertThrows(GatewayException.class,
                        events::next);
                assertEquals(429, e.status());
                assertTrue(e.errorCode().retryable());
                assertEquals("ThrottlingException", e.errorCode().code());
                assertEquals("Too many tokens, please wait", e.getMessage());
                assertNull(events.next());
            }
        }
    }

    @Test
    void aStreamCutShortOrCorruptIs502() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            String body = "{\"model\":\"" + FakeBedrock.CHAT_MODEL + "\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            List<byte[]> frames = FakeBedrock.events(FakeBedrock.converseAnswer(List.of(FakeBedrock.textBlock("a b")),
                    "end_turn", FakeBedrock.usage(1, 2, 0, 0)));
            bedrock.fake.answerNext(FakeBedrock.stream(frames.subList(0, 3)));
            GatewayException cut = org.junit.jupiter.api.Assertions.assertThrows(GatewayException.class,
                    () -> provider.stream(Operation.CHAT_COMPLETION, body));
            assertEquals(502, cut.status());
            assertTrue(cut.getMessage().contains("before messageStop"), cut.getMessage());

            byte[] corrupt = frames.get(1).clone();
            corrupt[corrupt.length - 6] ^= 0x20; // inside the payload: the message CRC no longer matches
            bedrock.fake.answerNext(FakeBedrock.stream(List.of(frames.get(0), corrupt)));
            GatewayException bad = org.junit.jupiter.api.Assertions.assertThrows(GatewayException.class,
                    () -> provider.stream(Operation.CHAT_COMPLETION, body));
            assertEquals(502, bad.status());
            assertEquals("invalid_upstream_response", bad.errorCode().code());
            assertTrue(bad.getMessage().contains("corrupt"), bad.getMessage());
        }
    }

    @Test
    void theFakesValidationErrorsReachTheClientWithTheirMessage() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            GatewayException e = provider.failure(Operation.CHAT_COMPLETION,
                    "{\"model\":\"anthropic.claude-sonnet-4-20250514-v1:0\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"hi\"}]}");
            assertEquals(400, e.status());
            assertEquals("ValidationException", e.errorCode().code());
            assertTrue(e.getMessage().contains("inference profile"), e.getMessage());
            GatewayException unknown = provider.failure(Operation.CHAT_COMPLETION,
                    "{\"model\":\"anthropic.nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals("The provided model identifier is invalid.", unknown.getMessage());
        }
    }

    private static JsonObject delta(JsonObject chunk) {
        return chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
    }

}
