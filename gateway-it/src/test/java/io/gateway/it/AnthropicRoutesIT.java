package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import io.gateway.spi.JsonBodies;
import io.gateway.testkit.fakes.FakeAnthropic;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.OpenAiPreset;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Anthropic-format routes through a real gateway with the official Anthropic Java SDK and raw
 * requests: pass-through to an Anthropic provider (byte for byte), translation to an OpenAI one (text,
 * streams, a tool round trip), token counts, models, Anthropic's typed errors, virtual keys sent as
 * {@code x-api-key}, and a Claude-Code-shaped streaming request replayed to both kinds of provider.
 */
class AnthropicRoutesIT {

    private static final String TEAM_KEY = "sk-bf-team-anthropic-0123456789";
    private static final String PROVIDER_KEY_OPENAI = "sk-openai-fake-key";

    @TempDir
    static Path temp;

    static FakeAnthropic anthropic;
    static FakeUpstream openai;
    static TestGateway gateway;
    static AnthropicClient sdk;

    @BeforeAll
    static void start() {
        anthropic = FakeAnthropic.start();
        openai = FakeUpstream.openAi();
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-anthropic", "io.gateway.plugins.anthropic.AnthropicPlugin")
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin");
        gateway = TestGateway.start("""
                gateway:
                  providers:
                    anthropic:
                      type: anthropic
                      base-url: %s
                      max-retries: 0
                      keys:
                        - name: main
                          value: %s
                    openai:
                      type: openai
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: %s
                  middleware:
                    - type: governance
                      require-virtual-key: false
                      virtual-keys:
                        - name: team
                          value: %s
                """.formatted(anthropic.baseUrl(), FakeAnthropic.API_KEY, openai.baseUrl(), PROVIDER_KEY_OPENAI,
                TEAM_KEY), plugins.root());
        sdk = client("placeholder-not-a-virtual-key");
    }

    private static AnthropicClient client(String apiKey) {
        return AnthropicOkHttpClient.builder().baseUrl(gateway.uri("/anthropic").toString()).apiKey(apiKey)
                .maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        sdk.close();
        gateway.close();
        anthropic.close();
        openai.close();
    }

    @BeforeEach
    void resetFakes() {
        anthropic.reset();
        openai.reset();
    }

    private static MessageCreateParams hello(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(256).addUserMessage("Hi there").build();
    }

    private static String text(Message message) {
        StringBuilder text = new StringBuilder();
        for (ContentBlock block : message.content()) {
            block.text().ifPresent(t -> text.append(t.text()));
        }
        return text.toString();
    }

    // ---------------------------------------------------------------- to an Anthropic provider

    @Test
    void theSdkReachesAnAnthropicProviderByABareModelName() {
        Message message = sdk.messages().create(hello("claude-sonnet-4-5"));

        assertEquals("Hello! You said: Hi there", text(message));
        assertEquals(StopReason.END_TURN, message.stopReason().orElseThrow());
        RecordedRequest sent = anthropic.messagesRequests().getLast();
        assertEquals(FakeAnthropic.API_KEY, sent.header("x-api-key"), "the provider's key, not the client's");
        assertEquals("claude-sonnet-4-5", sent.bodyJson().getString("model"));
    }

    @Test
    void theSdkStreamsFromAnAnthropicProviderEventByEvent() {
        MessageAccumulator accumulator = MessageAccumulator.create();
        List<String> types = new ArrayList<>();
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(hello("anthropic/"
                + "claude-sonnet-4-5"))) {
            stream.stream().forEach(event -> {
                accumulator.accumulate(event);
                types.add(event.isMessageStart() ? "message_start" : event.isMessageStop() ? "message_stop" : "other");
            });
        }

        assertEquals("Hello! You said: Hi there", text(accumulator.message()));
        assertEquals("message_start", types.getFirst());
        assertEquals("message_stop", types.getLast());
        assertTrue(accumulator.message().usage().inputTokens() > 0);
    }

    @Test
    void theClientsBytesAndBetaHeadersReachAnthropicUnchanged() {
        String body = "{\"model\":\"claude-sonnet-4-5\",   \"max_tokens\": 1024,\"metadata\":{\"user_id\":\"u1\"},"
                + "\"system\":[{\"type\":\"text\",\"text\":\"You are Claude Code.\",\"cache_control\":{\"type\":"
                + "\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
                + "\"Hi\",\"cache_control\":{\"type\":\"ephemeral\"}}]}],\"temperature\":1.0}";

        HttpResponse<String> response = Http.post(gateway.uri("/anthropic/v1/messages?beta=true"), body,
                "anthropic-version", "2023-06-01", "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14",
                "x-api-key", "placeholder");

        assertEquals(200, response.statusCode(), response.body());
        RecordedRequest sent = anthropic.messagesRequests().getLast();
        assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), sent.body(), "byte for byte");
        assertEquals("claude-code-20250219,interleaved-thinking-2025-05-14", sent.header("anthropic-beta"));
        assertEquals("message", JsonBodies.parse(response.body()).getString("type"));
        assertEquals("anthropic", response.headers().firstValue("x-bifrost-provider").orElseThrow());
    }

    @Test
    void countsTokensAtAnthropicAndEstimatesElsewhere() {
        long counted = sdk.messages().countTokens(MessageCountTokensParams.builder().model("claude-sonnet-4-5")
                .addUserMessage("one two three four").build()).inputTokens();
        assertEquals(4, counted, "the fake counts words");
        assertEquals(1, anthropic.upstream().requests("/v1/messages/count_tokens").size());

        HttpResponse<String> estimate = Http.post(gateway.uri("/anthropic/v1/messages/count_tokens"),
                "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"one two three four\"}]}");
        assertEquals(200, estimate.statusCode(), estimate.body());
        assertEquals("estimate", estimate.headers().firstValue("x-bf-token-count").orElseThrow());
        assertTrue(JsonBodies.parse(estimate.body()).getInt("input_tokens") > 4);
        assertEquals(0, openai.requestCount(), "no upstream call for an estimate");
    }

    // ---------------------------------------------------------------- to an OpenAI provider

    @Test
    void theSdkReachesAnOpenAiProviderThroughTranslation() {
        Message message = sdk.messages().create(MessageCreateParams.builder().model("openai/gpt-4o-mini")
                .maxTokens(100).system("Be brief.").addUserMessage("Hi there").build());

        assertEquals(OpenAiPreset.TEXT, text(message));
        assertEquals(StopReason.END_TURN, message.stopReason().orElseThrow());
        assertEquals(OpenAiPreset.PROMPT_TOKENS, message.usage().inputTokens());
        JsonObject chat = openai.lastRequest().bodyJson();
        assertEquals("gpt-4o-mini", chat.getString("model"));
        assertEquals(100, chat.getInt("max_completion_tokens"));
        assertEquals("system", chat.getJsonArray("messages").getJsonObject(0).getString("role"));
        assertEquals("Bearer " + PROVIDER_KEY_OPENAI, openai.lastRequest().header("authorization"));
    }

    @Test
    void theSdkStreamsFromAnOpenAiProviderTranslatedChunkByChunk() {
        MessageAccumulator accumulator = MessageAccumulator.create();
        int deltas = 0;
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(hello("openai/gpt-4o-mini"))) {
            for (RawMessageStreamEvent event : (Iterable<RawMessageStreamEvent>) stream.stream()::iterator) {
                accumulator.accumulate(event);
                if (event.isContentBlockDelta()) {
                    deltas++;
                }
            }
        }

        assertEquals(OpenAiPreset.TEXT, text(accumulator.message()));
        assertEquals(OpenAiPreset.TEXT_DELTAS.size(), deltas, "one text_delta per upstream chunk");
        assertTrue(accumulator.message().usage().outputTokens() > 0, "the usage chunk reached message_delta");
        assertTrue(openai.lastRequest().bodyJson().getJsonObject("stream_options").getBoolean("include_usage"));
    }

    @Test
    void aToolRoundTripThroughTranslation() {
        openai.on("POST", "/v1/chat/completions").respond(Reply.json(200, """
                {"id":"chatcmpl-tool1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{
                 "index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_42","type":"function",
                 "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":40,"completion_tokens":9,"total_tokens":49}}"""),
                Reply.from(OpenAiPreset::chatCompletions));
        Tool weather = Tool.builder().name("get_weather").description("Current weather for a city")
                .inputSchema(Tool.InputSchema.builder().properties(Tool.InputSchema.Properties.builder()
                        .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build())
                        .addRequired("city").build()).build();
        MessageCreateParams ask = MessageCreateParams.builder().model("openai/gpt-4o-mini").maxTokens(200)
                .addTool(weather).addUserMessage("Weather in Paris?").build();

        Message first = sdk.messages().create(ask);

        assertEquals(StopReason.TOOL_USE, first.stopReason().orElseThrow());
        ToolUseBlock use = first.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow()
                .toolUse().orElseThrow();
        assertEquals("call_42", use.id());
        assertEquals("get_weather", use.name());
        assertEquals(JsonValue.from(Map.of("city", "Paris")), use._input());
        JsonArray tools = openai.lastRequest().bodyJson().getJsonArray("tools");
        assertEquals("get_weather", tools.getJsonObject(0).getJsonObject("function").getString("name"));

        Message second = sdk.messages().create(ask.toBuilder().addMessage(first)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam
                        .builder().toolUseId(use.id()).content("18°C and sunny").build()))).build());

        assertEquals(OpenAiPreset.TEXT, text(second));
        JsonArray messages = openai.lastRequest().bodyJson().getJsonArray("messages");
        JsonObject assistant = messages.getJsonObject(1);
        assertEquals("call_42", assistant.getJsonArray("tool_calls").getJsonObject(0).getString("id"));
        JsonObject tool = messages.getJsonObject(2);
        assertEquals("tool", tool.getString("role"));
        assertEquals("call_42", tool.getString("tool_call_id"));
        assertEquals("18°C and sunny", tool.getString("content"));
    }

    @Test
    void aStreamedToolCallArrivesAsInputJsonDeltas() {
        openai.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data("{\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,"
                        + "\"id\":\"call_7\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}}]}"),
                SseFrame.data("{\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}}]}"),
                SseFrame.data("{\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]}}]}"),
                SseFrame.data("{\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"),
                SseFrame.data("{\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":8,\"total_tokens\":38}}"),
                SseFrame.done()));
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(hello("openai/gpt-4o-mini"))) {
            stream.stream().forEach(accumulator::accumulate);
        }

        Message message = accumulator.message();
        ToolUseBlock use = message.content().getFirst().toolUse().orElseThrow();
        assertEquals("call_7", use.id());
        assertEquals(JsonValue.from(Map.of("city", "Oslo")), use._input());
        assertEquals(StopReason.TOOL_USE, message.stopReason().orElseThrow());
        assertEquals(8, message.usage().outputTokens());
    }

    @Test
    void aClaudeCodeShapedStreamReplaysToBothKindsOfProvider() throws Exception {
        String request = """
                {"model":"%s","max_tokens":32000,"stream":true,"metadata":{"user_id":"user_1"},
                 "system":[{"type":"text","text":"You are Claude Code, Anthropic's official CLI.",
                   "cache_control":{"type":"ephemeral"}},{"type":"text","text":"Work in the repository."}],
                 "messages":[{"role":"user","content":[{"type":"text","text":"What files are here?",
                   "cache_control":{"type":"ephemeral"}}]}],
                 "tools":[{"name":"Bash","description":"Run a shell command","input_schema":{"type":"object",
                   "properties":{"command":{"type":"string"}},"required":["command"]}}]}""";
        for (String model : List.of("claude-sonnet-4-5", "openai/gpt-4o-mini")) {
            HttpResponse<InputStream> response = Http.postStream(gateway.uri("/anthropic/v1/messages?beta=true"),
                    request.formatted(model), "anthropic-version", "2023-06-01", "anthropic-beta",
                    "claude-code-20250219,fine-grained-tool-streaming-2025-05-14", "authorization", "Bearer " + TEAM_KEY);
            assertEquals(200, response.statusCode(), model);
            List<SseFrame> frames;
            try (InputStream body = response.body()) {
                frames = SseParser.readAll(body);
            }
            List<String> names = frames.stream().map(SseFrame::event).toList();
            assertEquals("message_start", names.getFirst(), model);
            assertEquals("message_stop", names.getLast(), model);
            assertTrue(names.contains("content_block_delta") && names.contains("message_delta"), model + " " + names);
            for (SseFrame frame : frames) {
                assertEquals(frame.event(), JsonBodies.parse(frame.data()).getString("type"), model);
            }
        }
        assertTrue(anthropic.lastMessagesBody().getJsonArray("system").getJsonObject(0).containsKey("cache_control"),
                "Anthropic gets the markers");
        JsonObject chat = openai.lastRequest().bodyJson();
        assertFalse(chat.toString().contains("cache_control"), "OpenAI does not take them: " + chat);
        assertEquals("Bash", chat.getJsonArray("tools").getJsonObject(0).getJsonObject("function").getString("name"));
        assertEquals("user_1", chat.getString("user"));
    }

    // ---------------------------------------------------------------- models, keys and errors

    @Test
    void theModelListSpeaksAnthropicsFormat() {
        HttpResponse<String> response = Http.get(gateway.uri("/anthropic/v1/models?limit=1000"));
        assertEquals(200, response.statusCode(), response.body());
        JsonObject page = JsonBodies.parse(response.body());
        List<String> ids = page.getJsonArray("data").stream().map(v -> v.asJsonObject().getString("id")).toList();
        assertTrue(ids.contains("openai/gpt-4o-mini") && ids.stream().anyMatch(id -> id.startsWith("anthropic/")), ids.toString());
        assertEquals("model", page.getJsonArray("data").getJsonObject(0).getString("type"));
        assertFalse(page.getBoolean("has_more"));
        long listed = sdk.models().list().autoPager().stream().count();
        assertEquals(ids.size(), listed, "the SDK pages through all of them");
    }

    @Test
    void aVirtualKeyInXApiKeyIsGovernedAndNeverSentOn() {
        AnthropicClient team = client(TEAM_KEY);
        assertEquals("Hello! You said: Hi there", text(team.messages().create(hello("claude-sonnet-4-5"))));
        assertEquals(FakeAnthropic.API_KEY, anthropic.messagesRequests().getLast().header("x-api-key"));
        team.close();
        AnthropicClient stranger = client("sk-bf-not-a-known-key");
        UnauthorizedException e = assertThrows(UnauthorizedException.class,
                () -> stranger.messages().create(hello("claude-sonnet-4-5")));
        assertEquals("authentication_error", errorType(e));
        stranger.close();
        assertEquals(1, anthropic.messagesRequests().size(), "the refused request went nowhere");
    }

    @Test
    void failuresRaiseTheSdksTypedErrors() {
        BadRequestException unknown = assertThrows(BadRequestException.class,
                () -> sdk.messages().create(hello("nowhere/model-x")));
        assertTrue(errorMessage(unknown).contains("nowhere"), errorMessage(unknown));
        assertEquals("invalid_request_error", errorType(unknown));

        anthropic.failNext(429, "rate_limit_error", "Number of requests has exceeded your rate limit");
        RateLimitException limited = assertThrows(RateLimitException.class,
                () -> client("placeholder").messages().create(hello("claude-sonnet-4-5")));
        assertEquals("rate_limit_error", errorType(limited));

        anthropic.failNext(529, "overloaded_error", "Overloaded");
        OverloadedException overloaded = assertThrows(OverloadedException.class,
                () -> sdk.messages().create(hello("claude-sonnet-4-5")));
        assertEquals("overloaded_error", errorType(overloaded));

        HttpResponse<String> noMessages = Http.post(gateway.uri("/anthropic/v1/messages"),
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10}");
        assertEquals(400, noMessages.statusCode());
        assertEquals(JsonBodies.parse(noMessages.body()).getJsonObject("error").getString("type"), "invalid_request_error");
        assertEquals("error", JsonBodies.parse(noMessages.body()).getString("type"));
    }

    @Test
    void aStreamThatBreaksEndsWithAnthropicsErrorEvent() throws Exception {
        openai.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data("{\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"role\":\"assistant\",\"content\":\"Half\"}}]}")));

        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/anthropic/v1/messages"),
                "{\"model\":\"openai/gpt-4o-mini\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Hi\"}]}");
        List<SseFrame> frames;
        try (InputStream body = response.body()) {
            frames = SseParser.readAll(body);
        }

        assertEquals(200, response.statusCode());
        SseFrame last = frames.getLast();
        assertEquals("error", last.event(), frames.toString());
        JsonObject error = JsonBodies.parse(last.data());
        assertEquals("api_error", error.getJsonObject("error").getString("type"));
        assertTrue(frames.stream().anyMatch(f -> f.data().contains("Half")), "what arrived was relayed first");
    }

    private static String errorType(AnthropicServiceException e) {
        return String.valueOf(((Map<?, ?>) e.body().convert(Map.class).get("error")).get("type"));
    }

    private static String errorMessage(AnthropicServiceException e) {
        return String.valueOf(((Map<?, ?>) e.body().convert(Map.class).get("error")).get("message"));
    }
}
