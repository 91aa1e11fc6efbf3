package io.gateway.it;

import static io.gateway.it.ProvidersSupport.arguments;
import static io.gateway.it.ProvidersSupport.chatBody;
import static io.gateway.it.ProvidersSupport.chunks;
import static io.gateway.it.ProvidersSupport.contentOf;
import static io.gateway.it.ProvidersSupport.envelope;
import static io.gateway.it.ProvidersSupport.ok;
import static io.gateway.it.ProvidersSupport.streamFrames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.azure.AzureOpenAIServiceVersion;
import com.openai.azure.AzureUrlPathMode;
import com.openai.azure.credential.AzureApiKeyCredential;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import io.gateway.testkit.fakes.FakeAnthropic;
import io.gateway.testkit.fakes.FakeAzure;
import io.gateway.testkit.fakes.FakeGemini;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider plugins of issue 5 through one real gateway, each talking to a fake of its upstream
 * from the test kit: conformance, translation round trips, error mapping, incremental streaming, and
 * the Azure-style incoming routes with openai-java's Azure mode and raw requests.
 */
class ProvidersIT {

    @TempDir
    static Path temp;

    static FakeAnthropic anthropic;
    static FakeGemini gemini;
    static FakeAzure azure;
    static FakeUpstream groq;
    static TestGateway gateway;

    /** The image every round trip sends: a 1×1 PNG. */
    static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    static final String WEATHER_TOOL = """
            {"type":"function","function":{"name":"get_weather","description":"Current weather for a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";

    @BeforeAll
    static void start() {
        anthropic = FakeAnthropic.start();
        gemini = FakeGemini.start().addModel("gemini-conformance", FakeGemini.Capability.GENERATE,
                FakeGemini.Capability.EMBED, FakeGemini.Capability.IMAGE_OUTPUT);
        azure = FakeAzure.start(FakeAzure.API_KEY, Map.of("prod-4o", "gpt-4o-2024-08-06"));
        groq = FakeUpstream.openAi();
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-anthropic", "io.gateway.plugins.anthropic.AnthropicPlugin")
                .add("provider-gemini", "io.gateway.plugins.gemini.GeminiPlugin")
                .add("provider-azure", "io.gateway.plugins.azure.AzurePlugin")
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin");
        gateway = TestGateway.start("""
                gateway:
                  providers:
                    anthropic:
                      type: anthropic
                      base-url: %s
                      keys:
                        - name: main
                          value: %s
                    gemini:
                      type: gemini
                      base-url: %s
                      keys:
                        - name: main
                          value: %s
                    azure:
                      type: azure
                      base-url: %s
                      api-version: "2024-10-21"
                      keys:
                        - name: key1
                          value: %s
                          deployments:
                            gpt-4o: prod-4o
                    groq:
                      type: groq
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: gsk-fake-groq-key
                """.formatted(anthropic.baseUrl(), FakeAnthropic.API_KEY, gemini.baseUrl(), FakeGemini.API_KEY,
                azure.baseUrl(), FakeAzure.API_KEY, groq.baseUrl()), plugins.root());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        anthropic.close();
        gemini.close();
        azure.close();
        groq.close();
    }

    @BeforeEach
    void resetFakes() {
        anthropic.reset();
        gemini.reset();
        azure.reset();
        groq.reset();
    }

    // ================================================================== conformance

    @Test
    void anthropicPassesConformance() {
        GatewayConformance.check(gateway.uri("/"), "anthropic", "claude-sonnet-4-5",
                EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.LIST_MODELS, Operation.MESSAGES,
                        Operation.COUNT_TOKENS));
        assertTrue(anthropic.upstream().requests().stream()
                        .allMatch(r -> r.path().equals("/v1/messages") || r.path().equals("/v1/models")
                                || r.path().equals("/v1/messages/count_tokens")),
                "only messages, token counts and models reached Anthropic: " + anthropic.upstream().requests());
    }

    /**
     * Gemini offers images but cannot stream them (the plugin answers 400 to a streamed request, see
     * {@link #geminiImagesTranslate()}), so images are checked synchronously only.
     */
    @Test
    void geminiPassesConformance() {
        GatewayConformance.check(gateway.uri("/"), "gemini", "gemini-conformance",
                EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.EMBEDDING,
                        Operation.IMAGE_GENERATION, Operation.LIST_MODELS),
                EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES));
        assertEquals(1, gemini.requests("generateContent").stream()
                .filter(r -> r.bodyJson().getJsonObject("generationConfig") != null && r.bodyJson()
                        .getJsonObject("generationConfig").containsKey("responseModalities")).count(),
                "the image request reached Gemini as generateContent with image output");
    }

    @Test
    void azurePassesConformance() {
        GatewayConformance.check(gateway.uri("/"), "azure", "gpt-4o", GatewayConformance.openAi());
    }

    @Test
    void groqPassesConformanceForItsPreset() {
        GatewayConformance.check(gateway.uri("/"), "groq", "llama-3.3-70b-versatile",
                EnumSet.of(Operation.CHAT_COMPLETION, Operation.RESPONSES, Operation.LIST_MODELS));
        assertEquals("Bearer gsk-fake-groq-key", groq.requests("/v1/chat/completions").get(0).header("authorization"));
    }

    @Test
    void groqRefusesWhatItsServiceLacksWithoutAnUpstreamCall() {
        for (String[] call : new String[][] {
                {"images/generations", "{\"model\":\"groq/llama-3.3-70b-versatile\",\"prompt\":\"a red fox\"}"},
                {"embeddings", "{\"model\":\"groq/llama-3.3-70b-versatile\",\"input\":\"x\"}"},
                {"completions", "{\"model\":\"groq/llama-3.3-70b-versatile\",\"prompt\":\"x\"}"}}) {
            JsonObject error = envelope(Http.post(gateway.uri("/v1/" + call[0]), call[1]), 400);
            assertEquals("unsupported_operation", error.getJsonObject("error").getString("code"), call[0]);
        }
        assertEquals(0, groq.requestCount(), "groq was called: " + groq.requests());
    }

    // ================================================================== anthropic translation

    @Test
    void anthropicChatRoundTripWithSystemImageAndTools() {
        String first = """
                {"model":"anthropic/claude-sonnet-4-5","max_tokens":300,
                 "messages":[{"role":"system","content":"You are terse."},
                   {"role":"user","content":[{"type":"text","text":"What is the weather in Paris?"},
                     {"type":"image_url","image_url":{"url":"data:image/png;base64,%s"}}]}],
                 "tools":[%s],"tool_choice":"required"}""".formatted(PNG, WEATHER_TOOL);
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), first);
        JsonObject completion = ok(response);
        assertEquals("anthropic", response.headers().firstValue("x-bifrost-provider").orElse(""));
        assertEquals("49", response.headers().firstValue("anthropic-ratelimit-requests-remaining").orElse(null));
        assertEquals("49", response.headers().firstValue("x-ratelimit-remaining-requests").orElse(null),
                "Anthropic's limits are also given in OpenAI's header names");

        RecordedRequest sent = anthropic.messagesRequests().get(0);
        assertEquals(FakeAnthropic.API_KEY, sent.header("x-api-key"));
        assertEquals("2023-06-01", sent.header("anthropic-version"));
        JsonObject upstream = sent.bodyJson();
        assertEquals("claude-sonnet-4-5", upstream.getString("model"));
        assertEquals("You are terse.", ProvidersSupport.allText(upstream.get("system")));
        assertEquals(300, upstream.getInt("max_tokens"));
        JsonArray messages = upstream.getJsonArray("messages");
        assertEquals(1, messages.size(), "the system message left messages: " + messages);
        JsonArray blocks = messages.getJsonObject(0).getJsonArray("content");
        assertEquals("What is the weather in Paris?", blocks.getJsonObject(0).getString("text"));
        JsonObject source = blocks.getJsonObject(1).getJsonObject("source");
        assertEquals("base64", source.getString("type"));
        assertEquals("image/png", source.getString("media_type"));
        assertEquals(PNG, source.getString("data"));
        JsonObject tool = upstream.getJsonArray("tools").getJsonObject(0);
        assertEquals("get_weather", tool.getString("name"));
        assertEquals("Current weather for a city", tool.getString("description"));
        assertEquals("string", tool.getJsonObject("input_schema").getJsonObject("properties").getJsonObject("city")
                .getString("type"));
        assertEquals("any", upstream.getJsonObject("tool_choice").getString("type"));

        JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
        assertEquals("tool_calls", choice.getString("finish_reason"));
        JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
        String callId = call.getString("id");
        assertTrue(callId.startsWith("toolu_"), callId);
        assertEquals("function", call.getString("type"));
        assertEquals("get_weather", call.getJsonObject("function").getString("name"));
        assertEquals(JsonBodies.parse("{\"city\":\"example\"}"), arguments(call));
        // the fake counts words: "You are terse." + "What is the weather in Paris?" = 9; a tool call is 10
        JsonObject usage = completion.getJsonObject("usage");
        assertEquals(9, usage.getInt("prompt_tokens"));
        assertEquals(10, usage.getInt("completion_tokens"));
        assertEquals(19, usage.getInt("total_tokens"));

        String second = """
                {"model":"anthropic/claude-sonnet-4-5","max_tokens":300,
                 "messages":[{"role":"system","content":"You are terse."},
                   {"role":"user","content":"What is the weather in Paris?"},
                   {"role":"assistant","content":null,"tool_calls":[{"id":"%s","type":"function",
                     "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                   {"role":"tool","tool_call_id":"%s","content":"18 degrees and sunny"}],
                 "tools":[%s]}""".formatted(callId, callId, WEATHER_TOOL);
        JsonObject answer = ok(Http.post(gateway.uri("/v1/chat/completions"), second));
        JsonObject secondChoice = answer.getJsonArray("choices").getJsonObject(0);
        assertEquals("stop", secondChoice.getString("finish_reason"));
        assertEquals("Thanks, the tool said: 18 degrees and sunny", contentOf(answer));
        JsonArray turns = anthropic.lastMessagesBody().getJsonArray("messages");
        assertEquals(3, turns.size(), turns.toString());
        JsonObject toolUse = turns.getJsonObject(1).getJsonArray("content").getJsonObject(0);
        assertEquals("tool_use", toolUse.getString("type"));
        assertEquals(callId, toolUse.getString("id"));
        assertEquals("Paris", toolUse.getJsonObject("input").getString("city"));
        JsonObject toolResult = turns.getJsonObject(2).getJsonArray("content").getJsonObject(0);
        assertEquals("tool_result", toolResult.getString("type"));
        assertEquals(callId, toolResult.getString("tool_use_id"));
        assertTrue(ProvidersSupport.allText(toolResult.get("content")).contains("18 degrees"));
    }

    @Test
    void anthropicFinishReasonsAndUsageTranslate() {
        JsonObject length = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("anthropic/claude-sonnet-4-5", "Tell me a long story", ",\"max_tokens\":2")));
        assertEquals("length", length.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertEquals("Hello! You", contentOf(length));
        assertEquals(2, anthropic.lastMessagesBody().getInt("max_tokens"));

        JsonObject stopped = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("anthropic/claude-sonnet-4-5", "I love Paris in spring", ",\"stop\":[\"Paris\"]")));
        assertEquals("stop", stopped.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertEquals("Hello! You said: I love", contentOf(stopped));
        assertEquals(List.of("Paris"), anthropic.lastMessagesBody().getJsonArray("stop_sequences")
                .getValuesAs(jakarta.json.JsonString::getString));
        assertEquals(4096, anthropic.lastMessagesBody().getInt("max_tokens"), "default-max-tokens applies");

        anthropic.answerNext(Reply.json(200, FakeAnthropic.message("msg_cache", "claude-sonnet-4-5-20250929",
                List.of(FakeAnthropic.textBlock("From the cache")), "end_turn",
                FakeAnthropic.usage(25, 7, 5, 3))));
        JsonObject cached = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("anthropic/claude-sonnet-4-5", "Again please", "")));
        JsonObject usage = cached.getJsonObject("usage");
        assertEquals(33, usage.getInt("prompt_tokens"), "input + cache reads + cache writes");
        assertEquals(7, usage.getInt("completion_tokens"));
        assertEquals(40, usage.getInt("total_tokens"));
        assertEquals(5, usage.getJsonObject("prompt_tokens_details").getInt("cached_tokens"));
        assertEquals("msg_cache", cached.getString("id"));

        anthropic.answerNext(Reply.json(200, FakeAnthropic.message("msg_refusal", "claude-sonnet-4-5", List.of(),
                "refusal", FakeAnthropic.usage(4, 0))));
        JsonObject refused = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("anthropic/claude-sonnet-4-5", "Something forbidden", "")));
        assertEquals("content_filter", refused.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertEquals(JsonValue.NULL, refused.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .get("content"));
    }

    @Test
    void anthropicImageUrlAndDeveloperMessagesTranslate() {
        ok(Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"anthropic/claude-haiku-4-5","messages":[{"role":"developer","content":"Be kind."},
                 {"role":"user","content":[{"type":"text","text":"Describe this"},
                   {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}],
                 "temperature":0.5,"top_p":0.9,"user":"user-42"}"""));
        JsonObject sent = anthropic.lastMessagesBody();
        assertEquals("Be kind.", ProvidersSupport.allText(sent.get("system")));
        JsonObject source = sent.getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1)
                .getJsonObject("source");
        assertEquals("url", source.getString("type"));
        assertEquals("https://example.com/cat.jpg", source.getString("url"));
        assertEquals(0.5, sent.getJsonNumber("temperature").doubleValue());
        assertEquals(0.9, sent.getJsonNumber("top_p").doubleValue());
        assertEquals("user-42", sent.getJsonObject("metadata").getString("user_id"));
    }

    @Test
    void anthropicReasoningEffortBecomesThinking() {
        JsonObject completion = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("anthropic/claude-sonnet-4-5", "Think first", ",\"reasoning_effort\":\"medium\"")));
        JsonObject sent = anthropic.lastMessagesBody();
        assertEquals("enabled", sent.getJsonObject("thinking").getString("type"));
        assertEquals(4096, sent.getJsonObject("thinking").getInt("budget_tokens"));
        assertEquals(4096 + 4096, sent.getInt("max_tokens"), "default-max-tokens plus the budget");
        JsonObject message = completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
        assertEquals("Let me think about that.", message.getString("reasoning_content"));
        assertEquals("Hello! You said: Think first", message.getString("content"));

        ok(Http.post(gateway.uri("/v1/chat/completions"), chatBody("anthropic/claude-sonnet-4-5", "Think hard",
                ",\"reasoning_effort\":\"high\",\"max_completion_tokens\":2000")));
        JsonObject capped = anthropic.lastMessagesBody();
        assertEquals(2000, capped.getInt("max_tokens"));
        int budget = capped.getJsonObject("thinking").getInt("budget_tokens");
        assertTrue(budget >= 1024 && budget < 2000, "budget " + budget + " capped below max_tokens");
    }

    @Test
    void anthropicStreamedToolCallsTranslateEveryEvent() {
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"), """
                {"model":"anthropic/claude-sonnet-4-5","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"system","content":"You are terse."},
                   {"role":"user","content":"What is the weather in Paris?"}],
                 "tools":[%s],"tool_choice":{"type":"function","function":{"name":"get_weather"}}}"""
                .formatted(WEATHER_TOOL));
        List<SseFrame> frames = streamFrames(response);
        assertTrue(anthropic.lastMessagesBody().getBoolean("stream"));
        JsonObject forced = anthropic.lastMessagesBody().getJsonObject("tool_choice");
        assertEquals("tool", forced.getString("type"));
        assertEquals("get_weather", forced.getString("name"));

        assertTrue(frames.get(frames.size() - 1).isDone(), frames.toString());
        List<JsonObject> chunks = chunks(frames);
        JsonObject firstDelta = chunks.get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
        assertEquals("assistant", firstDelta.getString("role"));
        String id = null;
        String name = null;
        StringBuilder args = new StringBuilder();
        String finish = null;
        JsonObject usage = null;
        for (JsonObject chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.getString("object"));
            JsonArray choices = chunk.getJsonArray("choices");
            if (choices.isEmpty()) {
                usage = chunk.getJsonObject("usage");
                continue;
            }
            JsonObject choice = choices.getJsonObject(0);
            if (choice.get("finish_reason") instanceof jakarta.json.JsonString reason) {
                finish = reason.getString();
            }
            JsonArray calls = choice.getJsonObject("delta").getJsonArray("tool_calls");
            if (calls != null) {
                JsonObject call = calls.getJsonObject(0);
                assertEquals(0, call.getInt("index"));
                if (call.containsKey("id")) {
                    id = call.getString("id");
                    name = call.getJsonObject("function").getString("name");
                }
                args.append(call.getJsonObject("function").getString("arguments"));
            }
        }
        assertNotNull(id);
        assertTrue(id.startsWith("toolu_"), id);
        assertEquals("get_weather", name);
        assertEquals(JsonBodies.parse("{\"city\":\"example\"}"), JsonBodies.parse(args.toString()));
        assertEquals("tool_calls", finish);
        assertNotNull(usage, "a usage chunk with empty choices");
        assertEquals(9, usage.getInt("prompt_tokens"));
        assertEquals(10, usage.getInt("completion_tokens"));
    }

    @Test
    void anthropicResponsesRoundTrip() {
        JsonObject response = ok(Http.post(gateway.uri("/v1/responses"), """
                {"model":"anthropic/claude-sonnet-4-5","instructions":"Answer briefly.","max_output_tokens":50,
                 "input":[{"role":"user","content":[{"type":"input_text","text":"Look up the capital of France"}]}],
                 "tools":[{"type":"function","name":"lookup","description":"Looks things up",
                   "parameters":{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}}],
                 "tool_choice":"required"}"""));
        JsonObject sent = anthropic.lastMessagesBody();
        assertEquals("Answer briefly.", ProvidersSupport.allText(sent.get("system")));
        assertEquals(50, sent.getInt("max_tokens"));
        assertEquals("any", sent.getJsonObject("tool_choice").getString("type"));
        assertEquals("lookup", sent.getJsonArray("tools").getJsonObject(0).getString("name"));

        assertEquals("response", response.getString("object"));
        assertEquals("completed", response.getString("status"));
        JsonObject item = response.getJsonArray("output").getJsonObject(0);
        assertEquals("function_call", item.getString("type"));
        assertEquals("lookup", item.getString("name"));
        assertTrue(item.getString("call_id").startsWith("toolu_"));
        assertEquals(JsonBodies.parse("{\"query\":\"example\"}"), JsonBodies.parse(item.getString("arguments")));
        // "Answer briefly." (2) + "Look up the capital of France" (6)
        assertEquals(8, response.getJsonObject("usage").getInt("input_tokens"));
        assertEquals(10, response.getJsonObject("usage").getInt("output_tokens"));

        JsonObject text = ok(Http.post(gateway.uri("/v1/responses"),
                "{\"model\":\"anthropic/claude-sonnet-4-5\",\"input\":\"Hi there\"}"));
        JsonObject message = text.getJsonArray("output").getJsonObject(0);
        assertEquals("message", message.getString("type"));
        assertEquals("Hello! You said: Hi there", message.getJsonArray("content").getJsonObject(0).getString("text"));
    }

    @Test
    void anthropicStreamsIncrementally() throws Exception {
        JsonObject message = FakeAnthropic.message("msg_slow", "claude-sonnet-4-5-20250929",
                List.of(FakeAnthropic.textBlock("first second")), "end_turn", FakeAnthropic.usage(3, 2));
        List<SseFrame> frames = new ArrayList<>(FakeAnthropic.events(message));
        int second = -1;
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).data().contains("\" second\"")) {
                second = i;
            }
        }
        assertTrue(second > 0, frames.toString());
        frames.set(second, frames.get(second).after(Duration.ofMillis(1500)));
        anthropic.answerNext(Reply.sse(frames));

        long started = System.nanoTime();
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"),
                "{\"model\":\"anthropic/claude-sonnet-4-5\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");
        assertEquals(200, response.statusCode());
        long firstAt = -1;
        long secondAt = -1;
        StringBuilder text = new StringBuilder();
        try (SseParser parser = new SseParser(response.body())) {
            while (parser.hasNext()) {
                SseFrame frame = parser.next();
                if (frame.isDone()) {
                    break;
                }
                JsonArray choices = JsonBodies.parse(frame.data()).getJsonArray("choices");
                if (choices.isEmpty()) {
                    continue;
                }
                JsonObject delta = choices.getJsonObject(0).getJsonObject("delta");
                String content = delta.getString("content", "");
                long at = (System.nanoTime() - started) / 1_000_000;
                if (content.equals("first") && firstAt < 0) {
                    firstAt = at;
                }
                if (content.equals(" second")) {
                    secondAt = at;
                }
                text.append(content);
            }
        }
        assertEquals("first second", text.toString());
        assertTrue(firstAt >= 0 && firstAt < 1000, "the first delta arrived after " + firstAt + " ms");
        assertTrue(secondAt >= 1400, "the delayed delta arrived after " + secondAt + " ms");
    }

    // ================================================================== gemini translation

    @Test
    void geminiChatRoundTripWithSystemImageAndTools() {
        String first = """
                {"model":"gemini/gemini-2.5-flash",
                 "messages":[{"role":"system","content":"You are terse."},
                   {"role":"user","content":[{"type":"text","text":"What is the weather in Paris?"},
                     {"type":"image_url","image_url":{"url":"data:image/png;base64,%s"}}]}],
                 "tools":[%s],"tool_choice":"required","temperature":0.2}""".formatted(PNG, WEATHER_TOOL);
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), first);
        JsonObject completion = ok(response);
        assertEquals("gemini", response.headers().firstValue("x-bifrost-provider").orElse(""));

        RecordedRequest sent = gemini.requests("generateContent").get(0);
        assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", sent.path());
        assertEquals(FakeGemini.API_KEY, sent.header("x-goog-api-key"));
        JsonObject upstream = sent.bodyJson();
        assertEquals("You are terse.", upstream.getJsonObject("systemInstruction").getJsonArray("parts")
                .getJsonObject(0).getString("text"));
        JsonObject turn = upstream.getJsonArray("contents").getJsonObject(0);
        assertEquals("user", turn.getString("role"));
        assertEquals("What is the weather in Paris?", turn.getJsonArray("parts").getJsonObject(0).getString("text"));
        JsonObject inline = turn.getJsonArray("parts").getJsonObject(1).getJsonObject("inlineData");
        assertEquals("image/png", inline.getString("mimeType"));
        assertEquals(PNG, inline.getString("data"));
        JsonObject declaration = upstream.getJsonArray("tools").getJsonObject(0).getJsonArray("functionDeclarations")
                .getJsonObject(0);
        assertEquals("get_weather", declaration.getString("name"));
        assertEquals("OBJECT", declaration.getJsonObject("parameters").getString("type").toUpperCase());
        assertEquals("ANY", upstream.getJsonObject("toolConfig").getJsonObject("functionCallingConfig")
                .getString("mode"));
        assertEquals(0.2, upstream.getJsonObject("generationConfig").getJsonNumber("temperature").doubleValue());

        JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
        assertEquals("tool_calls", choice.getString("finish_reason"));
        JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
        assertEquals("get_weather", call.getJsonObject("function").getString("name"));
        assertEquals(JsonBodies.parse("{\"city\":\"example\"}"), arguments(call));
        JsonObject usage = completion.getJsonObject("usage");
        assertEquals(9, usage.getInt("prompt_tokens"));
        assertEquals(10, usage.getInt("completion_tokens"));
        assertEquals(19, usage.getInt("total_tokens"));

        String callId = call.getString("id");
        String second = """
                {"model":"gemini/gemini-2.5-flash",
                 "messages":[{"role":"user","content":"What is the weather in Paris?"},
                   {"role":"assistant","content":null,"tool_calls":[{"id":"%s","type":"function",
                     "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                   {"role":"tool","tool_call_id":"%s","content":"18 degrees and sunny"}],
                 "tools":[%s]}""".formatted(callId, callId, WEATHER_TOOL);
        JsonObject answer = ok(Http.post(gateway.uri("/v1/chat/completions"), second));
        assertEquals("stop", answer.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertEquals("Thanks, the tool said: 18 degrees and sunny", contentOf(answer));
        JsonArray contents = gemini.lastBody("generateContent").getJsonArray("contents");
        assertEquals(3, contents.size(), contents.toString());
        assertEquals("model", contents.getJsonObject(1).getString("role"));
        JsonObject functionCall = contents.getJsonObject(1).getJsonArray("parts").getJsonObject(0)
                .getJsonObject("functionCall");
        assertEquals("get_weather", functionCall.getString("name"));
        assertEquals("Paris", functionCall.getJsonObject("args").getString("city"));
        JsonObject functionResponse = contents.getJsonObject(2).getJsonArray("parts").getJsonObject(0)
                .getJsonObject("functionResponse");
        assertEquals("get_weather", functionResponse.getString("name"));
        assertTrue(ProvidersSupport.allText(functionResponse.get("response")).contains("18 degrees"));
    }

    @Test
    void geminiFinishReasonsAndUsageTranslate() {
        JsonObject length = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("gemini/gemini-2.5-flash", "Tell me a long story", ",\"max_tokens\":2")));
        assertEquals("length", length.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertEquals("Hello! You", contentOf(length));
        assertEquals(2, gemini.lastBody("generateContent").getJsonObject("generationConfig")
                .getInt("maxOutputTokens"));

        JsonObject filtered = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("gemini/gemini-2.5-flash", "Tell me something " + FakeGemini.SAFETY_TRIGGER, "")));
        assertEquals("content_filter", filtered.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));

        JsonObject blocked = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("gemini/gemini-2.5-flash", "Tell me something " + FakeGemini.BLOCK_TRIGGER, "")));
        assertEquals("content_filter", blocked.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));

        gemini.answerNext(Reply.json(200, FakeGemini.response("gemini-2.5-flash", "resp-usage",
                List.of(FakeGemini.candidate(0, List.of(FakeGemini.textPart("Thought it through")), "STOP")),
                FakeGemini.usageMetadata(30, 5, 4, 12))));
        JsonObject usage = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("gemini/gemini-2.5-flash", "Think", ""))).getJsonObject("usage");
        assertEquals(30, usage.getInt("prompt_tokens"));
        assertEquals(9, usage.getInt("completion_tokens"), "candidates + thoughts");
        assertEquals(39, usage.getInt("total_tokens"));
        assertEquals(12, usage.getJsonObject("prompt_tokens_details").getInt("cached_tokens"));
        assertEquals(4, usage.getJsonObject("completion_tokens_details").getInt("reasoning_tokens"));

        ok(Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"gemini/gemini-2.5-flash","messages":[{"role":"user","content":[
                 {"type":"text","text":"Describe"},{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}"""));
        JsonObject file = gemini.lastBody("generateContent").getJsonArray("contents").getJsonObject(0)
                .getJsonArray("parts").getJsonObject(1).getJsonObject("fileData");
        assertEquals("https://example.com/cat.png", file.getString("fileUri"));
        assertEquals("image/png", file.getString("mimeType"));

        JsonObject two = ok(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("gemini/gemini-2.5-flash", "Twice", ",\"n\":2")));
        assertEquals(2, two.getJsonArray("choices").size());
        assertEquals(2, gemini.lastBody("generateContent").getJsonObject("generationConfig").getInt("candidateCount"));
    }

    @Test
    void geminiStreamsChatFromServerSentEvents() {
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"),
                chatBody("gemini/gemini-2.5-flash", "Stream this please",
                        ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        List<SseFrame> frames = streamFrames(response);
        RecordedRequest sent = gemini.requests("streamGenerateContent").get(0);
        assertEquals("sse", sent.queryParameter("alt"));
        assertTrue(frames.get(frames.size() - 1).isDone());
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonObject usage = null;
        for (JsonObject chunk : chunks(frames)) {
            JsonArray choices = chunk.getJsonArray("choices");
            if (choices.isEmpty()) {
                usage = chunk.getJsonObject("usage");
                continue;
            }
            JsonObject choice = choices.getJsonObject(0);
            text.append(choice.getJsonObject("delta").getString("content", ""));
            if (choice.get("finish_reason") instanceof jakarta.json.JsonString reason) {
                finish = reason.getString();
            }
        }
        assertEquals("Hello! You said: Stream this please", text.toString());
        assertEquals("stop", finish);
        assertNotNull(usage);
        assertEquals(3, usage.getInt("prompt_tokens"));
        assertEquals(6, usage.getInt("completion_tokens"));
    }

    @Test
    void geminiStreamsToolCalls() {
        List<SseFrame> frames = streamFrames(Http.postStream(gateway.uri("/v1/chat/completions"), """
                {"model":"gemini/gemini-2.5-flash","stream":true,
                 "messages":[{"role":"user","content":"What is the weather in Paris?"}],
                 "tools":[%s],"tool_choice":{"type":"function","function":{"name":"get_weather"}}}"""
                .formatted(WEATHER_TOOL)));
        JsonObject calling = gemini.lastBody("streamGenerateContent").getJsonObject("toolConfig")
                .getJsonObject("functionCallingConfig");
        assertEquals("ANY", calling.getString("mode"));
        assertEquals(List.of("get_weather"), calling.getJsonArray("allowedFunctionNames")
                .getValuesAs(jakarta.json.JsonString::getString));
        String name = null;
        StringBuilder args = new StringBuilder();
        String finish = null;
        for (JsonObject chunk : chunks(frames)) {
            JsonArray choices = chunk.getJsonArray("choices");
            if (choices.isEmpty()) {
                continue;
            }
            JsonObject choice = choices.getJsonObject(0);
            if (choice.get("finish_reason") instanceof jakarta.json.JsonString reason) {
                finish = reason.getString();
            }
            JsonArray calls = choice.getJsonObject("delta").getJsonArray("tool_calls");
            if (calls != null) {
                JsonObject function = calls.getJsonObject(0).getJsonObject("function");
                if (function.containsKey("name")) {
                    name = function.getString("name");
                }
                args.append(function.getString("arguments", ""));
            }
        }
        assertEquals("get_weather", name);
        assertEquals(JsonBodies.parse("{\"city\":\"example\"}"), JsonBodies.parse(args.toString()));
        assertEquals("tool_calls", finish);
    }

    @Test
    void geminiEmbeddingsTranslate() {
        JsonObject single = ok(Http.post(gateway.uri("/v1/embeddings"),
                "{\"model\":\"gemini/gemini-embedding-001\",\"input\":\"hello world\",\"dimensions\":16}"));
        JsonObject sent = gemini.lastBody("embedContent");
        assertEquals(16, sent.getInt("outputDimensionality"));
        assertEquals("hello world", sent.getJsonObject("content").getJsonArray("parts").getJsonObject(0)
                .getString("text"));
        JsonArray vector = single.getJsonArray("data").getJsonObject(0).getJsonArray("embedding");
        assertEquals(16, vector.size());

        JsonObject batch = ok(Http.post(gateway.uri("/v1/embeddings"),
                "{\"model\":\"gemini/gemini-embedding-001\",\"input\":[\"hello world\",\"other text\"],\"dimensions\":16}"));
        JsonArray requests = gemini.lastBody("batchEmbedContents").getJsonArray("requests");
        assertEquals(2, requests.size());
        assertEquals("models/gemini-embedding-001", requests.getJsonObject(0).getString("model"));
        JsonArray data = batch.getJsonArray("data");
        assertEquals(2, data.size());
        assertEquals(1, data.getJsonObject(1).getInt("index"));
        assertEquals(vector, data.getJsonObject(0).getJsonArray("embedding"), "the same text, the same vector");
        assertFalse(vector.equals(data.getJsonObject(1).getJsonArray("embedding")));

        JsonObject base64 = ok(Http.post(gateway.uri("/v1/embeddings"), "{\"model\":\"gemini/gemini-embedding-001\","
                + "\"input\":\"hello world\",\"dimensions\":16,\"encoding_format\":\"base64\"}"));
        byte[] floats = java.util.Base64.getDecoder().decode(base64.getJsonArray("data").getJsonObject(0)
                .getString("embedding"));
        assertEquals(16 * 4, floats.length);
        float firstValue = java.nio.ByteBuffer.wrap(floats).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(vector.getJsonNumber(0).doubleValue(), firstValue, 1e-6);
    }

    @Test
    void geminiImagesTranslate() {
        JsonObject images = ok(Http.post(gateway.uri("/v1/images/generations"),
                "{\"model\":\"gemini/gemini-2.5-flash-image\",\"prompt\":\"a red fox\",\"size\":\"1792x1024\"}"));
        JsonObject sent = gemini.lastBody("generateContent");
        JsonObject config = sent.getJsonObject("generationConfig");
        assertEquals(List.of("TEXT", "IMAGE"), config.getJsonArray("responseModalities")
                .getValuesAs(jakarta.json.JsonString::getString));
        assertEquals("16:9", config.getJsonObject("imageConfig").getString("aspectRatio"));
        assertEquals("a red fox", sent.getJsonArray("contents").getJsonObject(0).getJsonArray("parts")
                .getJsonObject(0).getString("text"));
        assertEquals(FakeGemini.IMAGE_BASE64, images.getJsonArray("data").getJsonObject(0).getString("b64_json"));
        assertEquals("png", images.getString("output_format"));
        assertEquals(3, images.getJsonObject("usage").getInt("input_tokens"));

        JsonObject notAnImageModel = envelope(Http.post(gateway.uri("/v1/images/generations"),
                "{\"model\":\"gemini/gemini-2.5-flash\",\"prompt\":\"a red fox\"}"), 400);
        assertTrue(notAnImageModel.getJsonObject("error").getString("message").contains("response modalities"),
                notAnImageModel.toString());

        gemini.reset();
        JsonObject streamed = envelope(Http.post(gateway.uri("/v1/images/generations"),
                "{\"model\":\"gemini/gemini-2.5-flash-image\",\"prompt\":\"a red fox\",\"stream\":true}"), 400);
        assertEquals("stream", streamed.getJsonObject("error").getString("param"));
        assertEquals(0, gemini.upstream().requestCount());
    }

    @Test
    void geminiResponsesRoundTrip() {
        JsonObject response = ok(Http.post(gateway.uri("/v1/responses"), """
                {"model":"gemini/gemini-2.5-pro","instructions":"Answer briefly.","max_output_tokens":64,
                 "input":[{"role":"user","content":[{"type":"input_text","text":"Hello Gemini"}]}]}"""));
        JsonObject sent = gemini.lastBody("generateContent");
        assertEquals("Answer briefly.", sent.getJsonObject("systemInstruction").getJsonArray("parts")
                .getJsonObject(0).getString("text"));
        assertEquals(64, sent.getJsonObject("generationConfig").getInt("maxOutputTokens"));
        assertEquals("completed", response.getString("status"));
        JsonObject message = response.getJsonArray("output").getJsonObject(0);
        assertEquals("Hello! You said: Hello Gemini", message.getJsonArray("content").getJsonObject(0)
                .getString("text"));
        assertEquals(4, response.getJsonObject("usage").getInt("input_tokens"));
    }

    // ================================================================== error mapping

    @Test
    void anthropicErrorsMapToTheEnvelope() {
        anthropic.failNext(529, "overloaded_error", "Overloaded");
        JsonObject overloaded = envelope(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("anthropic/claude-sonnet-4-5", "hi", "")), 529);
        assertEquals(false, overloaded.getBoolean("is_bifrost_error"));
        assertEquals("overloaded_error", overloaded.getJsonObject("error").getString("code"));
        assertEquals("overloaded_error", overloaded.getJsonObject("error").getString("type"));
        assertEquals("Overloaded", overloaded.getJsonObject("error").getString("message"));
        assertEquals("anthropic", overloaded.getJsonObject("extra_fields").getString("provider"));

        anthropic.answerNext(FakeAnthropic.error(429, "rate_limit_error",
                "Number of request tokens has exceeded your per-minute rate limit").header("retry-after", "7"));
        HttpResponse<String> limited = Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("anthropic/claude-sonnet-4-5", "hi", ""));
        JsonObject rateLimit = envelope(limited, 429);
        assertEquals("7", limited.headers().firstValue("retry-after").orElse(null));
        assertEquals("rate_limit_error", rateLimit.getJsonObject("error").getString("type"));
        assertEquals("rate_limit_error", rateLimit.getJsonObject("error").getString("code"));

        HttpResponse<String> refused = Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"anthropic/claude-sonnet-4-5","messages":[{"role":"assistant","content":"I start"},
                 {"role":"user","content":"hi"}]}""");
        JsonObject invalid = envelope(refused, 400);
        assertEquals("invalid_request_error", invalid.getJsonObject("error").getString("code"));
        assertTrue(invalid.getJsonObject("error").getString("message").contains("first message"),
                invalid.toString());

        HttpResponse<String> unknownModel = Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("anthropic/claude-nonexistent", "hi", ""));
        assertEquals("not_found_error", envelope(unknownModel, 404).getJsonObject("error").getString("code"));
    }

    @Test
    void anthropicStreamErrorsMapBeforeAndAfterTheFirstEvent() throws Exception {
        anthropic.failNext(529, "overloaded_error", "Overloaded");
        HttpResponse<InputStream> before = Http.postStream(gateway.uri("/v1/chat/completions"),
                chatBody("anthropic/claude-sonnet-4-5", "hi", ",\"stream\":true"));
        assertEquals(529, before.statusCode());
        assertEquals("overloaded_error", JsonBodies.parse(before.body().readAllBytes()).getJsonObject("error")
                .getString("code"));

        JsonObject message = FakeAnthropic.message("msg_broken", "claude-sonnet-4-5",
                List.of(FakeAnthropic.textBlock("partial answer")), "end_turn", FakeAnthropic.usage(2, 2));
        List<SseFrame> frames = new ArrayList<>(FakeAnthropic.events(message).subList(0, 4));
        frames.add(FakeAnthropic.errorEvent("overloaded_error", "Overloaded"));
        anthropic.answerNext(Reply.sse(frames));
        List<SseFrame> received = streamFrames(Http.postStream(gateway.uri("/v1/chat/completions"),
                chatBody("anthropic/claude-sonnet-4-5", "hi", ",\"stream\":true")));
        JsonObject last = JsonBodies.parse(received.get(received.size() - 1).data());
        assertEquals(529, last.getInt("status_code"), received.toString());
        assertEquals("overloaded_error", last.getJsonObject("error").getString("code"));
    }

    @Test
    void geminiErrorsMapToTheEnvelope() {
        gemini.answerNext(FakeGemini.rateLimited("Resource has been exhausted (e.g. check quota).", "17s"));
        HttpResponse<String> limited = Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("gemini/gemini-2.5-flash", "hi", ""));
        JsonObject error = envelope(limited, 429).getJsonObject("error");
        assertEquals("rate_limit_error", error.getString("type"));
        assertEquals("RESOURCE_EXHAUSTED", error.getString("code"));
        assertEquals("17", limited.headers().firstValue("retry-after").orElse(null));

        gemini.failNext(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
        JsonObject unavailable = envelope(Http.post(gateway.uri("/v1/embeddings"),
                "{\"model\":\"gemini/gemini-embedding-001\",\"input\":\"x\"}"), 503).getJsonObject("error");
        assertEquals("api_error", unavailable.getString("type"));
        assertEquals("UNAVAILABLE", unavailable.getString("code"));

        JsonObject missing = envelope(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("gemini/gemini-0-nonexistent", "hi", "")), 404).getJsonObject("error");
        assertEquals("not_found_error", missing.getString("type"));
        assertTrue(missing.getString("message").contains("is not found for API version v1beta"), missing.toString());
    }

    @Test
    void azureErrorsMapToTheEnvelope() {
        HttpResponse<String> filtered = Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("azure/gpt-4o", "Tell me about " + FakeAzure.CONTENT_FILTER_TRIGGER, ""));
        JsonObject filter = envelope(filtered, 400).getJsonObject("error");
        assertEquals("content_filter", filter.getString("code"));
        assertEquals("prompt", filter.getString("param"));

        JsonObject imageFilter = envelope(Http.post(gateway.uri("/v1/images/generations"),
                "{\"model\":\"azure/gpt-4o\",\"prompt\":\"draw " + FakeAzure.CONTENT_FILTER_TRIGGER + "\"}"), 400)
                .getJsonObject("error");
        assertEquals("content_filter", imageFilter.getString("code"));

        azure.answerNext(FakeAzure.error(429, "429", "Requests to the ChatCompletions_Create Operation have exceeded"
                + " the token rate limit. Please retry after 7 seconds.").header("retry-after", "7"));
        HttpResponse<String> limited = Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("azure/gpt-4o", "hi", ""));
        assertEquals("rate_limit_error", envelope(limited, 429).getJsonObject("error").getString("type"));
        assertEquals("7", limited.headers().firstValue("retry-after").orElse(null));

        JsonObject unmapped = envelope(Http.post(gateway.uri("/v1/chat/completions"),
                chatBody("azure/gpt-unmapped", "hi", "")), 404).getJsonObject("error");
        assertEquals("DeploymentNotFound", unmapped.getString("code"));
        assertEquals(1, azure.upstream().requests("/openai/deployments/gpt-unmapped/chat/completions").size());
    }

    // ================================================================== azure incoming routes

    private static OpenAIClient azureClient() {
        return OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl())
                .credential(AzureApiKeyCredential.create("anything"))
                .azureServiceVersion(AzureOpenAIServiceVersion.fromString("2024-10-21"))
                .azureUrlPathMode(AzureUrlPathMode.LEGACY)
                .maxRetries(0).build();
    }

    @Test
    void openAiJavaInAzureModeWorksAgainstTheGateway() {
        OpenAIClient client = azureClient();
        try {
            HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(
                    ChatCompletionCreateParams.builder().model("prod-4o").addUserMessage("Hello via the Azure SDK")
                            .build());
            assertEquals(200, raw.statusCode());
            assertEquals("azure", raw.headers().values("x-bifrost-provider").get(0));
            ChatCompletion completion = raw.parse();
            assertEquals("Hello from Azure! You said: Hello via the Azure SDK",
                    completion.choices().get(0).message().content().orElseThrow());
            assertEquals("gpt-4o-2024-08-06", completion.model());

            RecordedRequest sent = azure.upstream().requests("/openai/deployments/prod-4o/chat/completions").get(0);
            assertEquals("2024-10-21", sent.queryParameter("api-version"));
            assertEquals(FakeAzure.API_KEY, sent.header("api-key"), "the gateway's key, not the client's");

            StringBuilder text = new StringBuilder();
            int emptyChoiceChunks = 0;
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model("prod-4o").addUserMessage("stream via the SDK").build())) {
                for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                    if (chunk.choices().isEmpty()) {
                        emptyChoiceChunks++;
                    }
                    chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
                }
            }
            assertEquals("Hello from Azure! You said: stream via the SDK", text.toString());
            assertEquals(1, emptyChoiceChunks, "Azure's prompt-filter chunk reached the client");

            CreateEmbeddingResponse embeddings = client.embeddings().create(EmbeddingCreateParams.builder()
                    .model("prod-4o").input("embed me").dimensions(8).build());
            assertEquals(8, embeddings.data().get(0).embedding().size());
            assertEquals(1, azure.upstream().requests("/openai/deployments/prod-4o/embeddings").size());
        } finally {
            client.close();
        }
    }

    @Test
    void rawAzureStyleChatWithoutModelIsServedByTheAzureProvider() {
        HttpResponse<String> response = Http.post(
                gateway.uri("/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21"),
                "{\"messages\":[{\"role\":\"user\",\"content\":\"raw request\"}]}", "api-key", "anything");
        JsonObject completion = ok(response);
        assertEquals("azure", response.headers().firstValue("x-bifrost-provider").orElse(""));
        assertEquals("gpt-4o", response.headers().firstValue("x-bifrost-resolved-model").orElse(""));
        assertEquals("Hello from Azure! You said: raw request", contentOf(completion));
        assertNotNull(completion.getJsonArray("prompt_filter_results"), "Azure's extra fields are relayed");
        RecordedRequest sent = azure.upstream().lastRequest();
        assertEquals("/openai/deployments/prod-4o/chat/completions", sent.path());
        assertEquals("2024-10-21", sent.queryParameter("api-version"));
        assertEquals(FakeAzure.API_KEY, sent.header("api-key"));
    }

    @Test
    void rawAzureStyleEmbeddingsAndResponses() {
        HttpResponse<String> embeddings = Http.post(
                gateway.uri("/openai/deployments/prod-4o/embeddings?api-version=2024-10-21"),
                "{\"input\":[\"one\",\"two\"]}", "api-key", "anything");
        JsonObject list = ok(embeddings);
        assertEquals("azure", embeddings.headers().firstValue("x-bifrost-provider").orElse(""));
        assertEquals(2, list.getJsonArray("data").size());
        assertEquals(FakeAzure.EMBEDDING_DIMENSIONS, list.getJsonArray("data").getJsonObject(0)
                .getJsonArray("embedding").size());
        assertEquals(1, azure.upstream().requests("/openai/deployments/prod-4o/embeddings").size());

        HttpResponse<String> images = Http.post(
                gateway.uri("/openai/deployments/prod-4o/images/generations?api-version=2024-10-21"),
                "{\"prompt\":\"a red fox\",\"n\":2}", "api-key", "anything");
        assertEquals(2, ok(images).getJsonArray("data").size());
        assertEquals("azure", images.headers().firstValue("x-bifrost-provider").orElse(""));

        HttpResponse<String> completions = Http.post(
                gateway.uri("/openai/deployments/prod-4o/completions?api-version=2024-10-21"),
                "{\"prompt\":\"complete me\",\"max_tokens\":4}", "api-key", "anything");
        JsonObject completion = ok(completions);
        assertEquals("Hello from Azure! complete", completion.getJsonArray("choices").getJsonObject(0)
                .getString("text"));
        assertEquals("length", completion.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));

        HttpResponse<String> responses = Http.post(
                gateway.uri("/openai/deployments/prod-4o/responses?api-version=2025-04-01-preview"),
                "{\"input\":\"respond\"}", "api-key", "anything");
        JsonObject response = ok(responses);
        assertEquals("response", response.getString("object"));
        RecordedRequest sent = azure.upstream().requests("/openai/responses").get(0);
        assertEquals("prod-4o", sent.bodyJson().getString("model"));
        assertNull(sent.bodyJson().get("stream"));
    }

    @Test
    void rawAzureStyleStreamingRelaysThePromptFilterChunk() {
        HttpResponse<InputStream> response = Http.postStream(
                gateway.uri("/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21"),
                "{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"stream raw\"}]}", "api-key", "anything");
        assertEquals("azure", response.headers().firstValue("x-bifrost-provider").orElse(""));
        List<SseFrame> frames = streamFrames(response);
        assertTrue(frames.get(frames.size() - 1).isDone());
        JsonObject first = JsonBodies.parse(frames.get(0).data());
        assertTrue(first.getJsonArray("choices").isEmpty(), first.toString());
        assertNotNull(first.getJsonArray("prompt_filter_results"));
        StringBuilder text = new StringBuilder();
        JsonObject usage = null;
        for (JsonObject chunk : chunks(frames).subList(1, chunks(frames).size())) {
            JsonArray choices = chunk.getJsonArray("choices");
            if (choices.isEmpty()) {
                usage = chunk.getJsonObject("usage");
            } else {
                text.append(choices.getJsonObject(0).getJsonObject("delta").getString("content", ""));
            }
        }
        assertEquals("Hello from Azure! You said: stream raw", text.toString());
        assertNotNull(usage);
        assertEquals(2, usage.getInt("prompt_tokens"));
    }

    @Test
    void rawAzureStyleRouteWithAnUnknownDeploymentIsTheUpstream404() {
        JsonObject error = envelope(Http.post(
                gateway.uri("/openai/deployments/no-such-deployment/chat/completions?api-version=2024-10-21"),
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "api-key", "anything"), 404);
        assertEquals("DeploymentNotFound", error.getJsonObject("error").getString("code"));
    }

    // ================================================================== the fakes themselves

    @Test
    void fakeAnthropicRejectsWhatTheRealApiRejects() {
        String url = anthropic.baseUrl() + "/v1/messages";
        String valid = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String[] headers = {"x-api-key", FakeAnthropic.API_KEY, "anthropic-version", "2023-06-01"};
        assertAnthropicError(Http.post(java.net.URI.create(url), valid), 401, "authentication_error");
        assertAnthropicError(Http.post(java.net.URI.create(url), valid, "x-api-key", "wrong",
                "anthropic-version", "2023-06-01"), 401, "authentication_error");
        assertAnthropicError(Http.post(java.net.URI.create(url), valid, "x-api-key", FakeAnthropic.API_KEY),
                400, "invalid_request_error");
        for (String body : List.of(
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[]}",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"assistant\",\"content\":\"x\"}]}",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"system\",\"content\":\"x\"},{\"role\":\"user\",\"content\":\"hi\"}]}",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"}]}",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"x\"}]}]}",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{}}]},{\"role\":\"user\",\"content\":\"no result\"}],\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}]}",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"frequency_penalty\":1}",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":1.5}",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tool_choice\":{\"type\":\"any\"}}",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/bmp\",\"data\":\"AAAA\"}}]}]}")) {
            assertAnthropicError(Http.post(java.net.URI.create(url), body, headers), 400, "invalid_request_error");
        }
        assertAnthropicError(Http.post(java.net.URI.create(url),
                valid.replace("claude-sonnet-4-5", "claude-nonexistent"), headers), 404, "not_found_error");

        HttpResponse<String> accepted = Http.post(java.net.URI.create(url), valid, headers);
        JsonObject message = ok(accepted);
        assertEquals("message", message.getString("type"));
        assertEquals("Hello! You said: hi", message.getJsonArray("content").getJsonObject(0).getString("text"));
        assertEquals(1, message.getJsonObject("usage").getInt("input_tokens"));
        assertTrue(accepted.headers().firstValue("request-id").isPresent());

        JsonObject page = ok(Http.get(java.net.URI.create(anthropic.baseUrl() + "/v1/models?limit=2"),
                "x-api-key", FakeAnthropic.API_KEY, "anthropic-version", "2023-06-01"));
        assertEquals(2, page.getJsonArray("data").size());
        assertTrue(page.getBoolean("has_more"));
        JsonObject rest = ok(Http.get(java.net.URI.create(anthropic.baseUrl() + "/v1/models?limit=10&after_id="
                + page.getString("last_id")), "x-api-key", FakeAnthropic.API_KEY, "anthropic-version", "2023-06-01"));
        assertEquals(FakeAnthropic.DEFAULT_MODELS.size() - 2, rest.getJsonArray("data").size());
        assertFalse(rest.getBoolean("has_more"));

        List<SseFrame> events = SseParser.readAll(Http.post(java.net.URI.create(url),
                valid.replace("{\"model\"", "{\"stream\":true,\"model\""), headers).body());
        List<String> names = events.stream().map(SseFrame::event).distinct().toList();
        assertEquals(List.of("message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop"), names);
    }

    private static void assertAnthropicError(HttpResponse<String> response, int status, String type) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject body = JsonBodies.parse(response.body());
        assertEquals("error", body.getString("type"));
        assertEquals(type, body.getJsonObject("error").getString("type"), response.body());
        assertFalse(body.getJsonObject("error").getString("message").isBlank());
    }

    @Test
    void fakeGeminiRejectsWhatTheRealApiRejects() {
        String url = gemini.baseUrl() + "/v1beta/models/gemini-2.5-flash:generateContent";
        String valid = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";
        assertGeminiError(Http.post(java.net.URI.create(url), valid), 403, "PERMISSION_DENIED");
        HttpResponse<String> wrongKey = Http.post(java.net.URI.create(url), valid, "x-goog-api-key", "wrong");
        assertGeminiError(wrongKey, 400, "INVALID_ARGUMENT");
        assertTrue(wrongKey.body().contains("API_KEY_INVALID"));
        String[] key = {"x-goog-api-key", FakeGemini.API_KEY};
        for (String body : List.of(
                "{\"contents\":[]}",
                "{\"contents\":[{\"role\":\"assistant\",\"parts\":[{\"text\":\"hi\"}]}]}",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[]}]}",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\",\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"AAAA\"}}]}]}",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"not base64!\"}}]}]}",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],\"temperature\":0.5}",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]},{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{}}}]}]}",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"additionalProperties\":false}}]}]}",
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],\"generationConfig\":{\"responseModalities\":[\"TEXT\",\"IMAGE\"]}}")) {
            assertGeminiError(Http.post(java.net.URI.create(url), body, key), 400, "INVALID_ARGUMENT");
        }
        assertGeminiError(Http.post(java.net.URI.create(url.replace("gemini-2.5-flash", "gemini-0-none")), valid,
                key), 404, "NOT_FOUND");
        assertGeminiError(Http.post(java.net.URI.create(gemini.baseUrl()
                + "/v1beta/models/gemini-2.5-flash:embedContent"),
                "{\"content\":{\"parts\":[{\"text\":\"x\"}]}}", key), 404, "NOT_FOUND");

        JsonObject answer = ok(Http.post(java.net.URI.create(url), valid, key));
        assertEquals("Hello! You said: hi", answer.getJsonArray("candidates").getJsonObject(0)
                .getJsonObject("content").getJsonArray("parts").getJsonObject(0).getString("text"));
        assertEquals(1, answer.getJsonObject("usageMetadata").getInt("promptTokenCount"));

        HttpResponse<String> stream = Http.post(java.net.URI.create(gemini.baseUrl()
                + "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"), valid, key);
        assertEquals(200, stream.statusCode());
        assertTrue(stream.body().contains("\r\n\r\n"), "Gemini ends frames with CRLF CRLF");
        List<SseFrame> frames = SseParser.readAll(stream.body());
        assertEquals("STOP", JsonBodies.parse(frames.get(frames.size() - 1).data()).getJsonArray("candidates")
                .getJsonObject(0).getString("finishReason"));

        JsonObject models = ok(Http.get(java.net.URI.create(gemini.baseUrl() + "/v1beta/models?pageSize=2"), key));
        assertEquals(2, models.getJsonArray("models").size());
        assertTrue(models.getString("nextPageToken").length() > 0);
    }

    private static void assertGeminiError(HttpResponse<String> response, int status, String canonical) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject error = JsonBodies.parse(response.body()).getJsonObject("error");
        assertEquals(status, error.getInt("code"));
        assertEquals(canonical, error.getString("status"), response.body());
        assertFalse(error.getString("message").isBlank());
    }

    @Test
    void fakeAzureRejectsWhatTheRealServiceRejects() {
        String base = azure.baseUrl();
        String chat = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String path = "/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21";
        assertEquals(401, Http.post(java.net.URI.create(base + path), chat).statusCode());
        assertEquals(401, Http.post(java.net.URI.create(base + path), chat, "api-key", "wrong").statusCode());
        String[] key = {"api-key", FakeAzure.API_KEY};
        HttpResponse<String> noDeployment = Http.post(java.net.URI.create(base
                + "/openai/deployments/missing/chat/completions?api-version=2024-10-21"), chat, key);
        assertEquals(404, noDeployment.statusCode());
        assertEquals("DeploymentNotFound", JsonBodies.parse(noDeployment.body()).getJsonObject("error")
                .getString("code"));
        assertEquals(404, Http.post(java.net.URI.create(base
                + "/openai/deployments/prod-4o/chat/completions?api-version=1999-01-01"), chat, key).statusCode());
        assertEquals(404, Http.post(java.net.URI.create(base + "/openai/responses?api-version=2024-10-21"),
                "{\"model\":\"prod-4o\",\"input\":\"x\"}", key).statusCode(), "responses need a preview version");
        for (String body : List.of("{}", "{\"messages\":[]}",
                "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}",
                "{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"x\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"fallbacks\":[\"a/b\"]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream_options\":{\"include_usage\":true}}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":\"required\"}")) {
            HttpResponse<String> response = Http.post(java.net.URI.create(base + path), body, key);
            assertEquals(400, response.statusCode(), body + " → " + response.body());
            assertEquals("invalid_request_error", JsonBodies.parse(response.body()).getJsonObject("error")
                    .getString("type"));
        }

        List<SseFrame> frames = SseParser.readAll(Http.post(java.net.URI.create(base + path),
                "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", key).body());
        assertEquals(FakeAzure.promptFilterChunk(), JsonBodies.parse(frames.get(0).data()));
        assertTrue(frames.get(frames.size() - 1).isDone());

        JsonObject v1 = ok(Http.post(java.net.URI.create(base + "/openai/v1/chat/completions"),
                "{\"model\":\"prod-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"v1 form\"}]}", key));
        assertEquals("Hello from Azure! You said: v1 form", contentOf(v1));
        assertEquals(404, Http.post(java.net.URI.create(base + "/openai/v1/chat/completions"),
                "{\"model\":\"missing\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", key).statusCode());

        azure.failNext(500, "InternalServerError", "The service is temporarily unable to process your request.");
        HttpResponse<String> failed = Http.post(java.net.URI.create(base + path), chat, key);
        assertEquals(500, failed.statusCode());
        assertEquals("InternalServerError", JsonBodies.parse(failed.body()).getJsonObject("error").getString("code"));
        assertEquals(200, Http.post(java.net.URI.create(base + path), chat, key).statusCode(), "only the next call fails");
    }
}
