package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.OpenAiPreset;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Governance against the real server: virtual keys, model access, request rates (exact, also across
 * two replicas sharing a real Redis), streams charged at their end against a budget, the admin API, and
 * secrets kept out of upstream requests, answers and the log of the whole class. The last test closes
 * everything and checks the log captured from the first line on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GovernanceIT {

    private static final String PROVIDER_KEY = "sk-upstream-gov-" + random();
    private static final String TEAM_A_KEY = "sk-bf-a" + random();
    private static final String TEAM_B_KEY = "sk-bf-b" + random();
    private static final String LIMITED_KEY = "sk-bf-limited" + random();
    private static final String BUDGET_KEY = "sk-bf-budget" + random();
    private static final String METERED_KEY = "sk-bf-metered" + random();
    private static final String ADMIN_TOKEN = "admin-token-" + random();
    private static final List<String> SECRETS = List.of(PROVIDER_KEY, TEAM_A_KEY, TEAM_B_KEY, LIMITED_KEY,
            BUDGET_KEY, METERED_KEY, ADMIN_TOKEN);

    private static final String CHAT = "/v1/chat/completions";

    /** Everything the gateway logged while this class ran: formatted records with their stack traces. */
    private static final CapturedLog LOG = new CapturedLog();
    /** Every answer this class received: status line, headers and body. */
    private static final Queue<String> RECEIVED = new ConcurrentLinkedQueue<>();

    @TempDir
    static Path temp;

    static FakeUpstream upstream;
    static PluginFolders plugins;
    static Map<String, String> env;
    static TestGateway gateway;
    static RedisTarget redis;
    static TestGateway replicaOne;
    static TestGateway replicaTwo;

    private static String random() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    @BeforeAll
    static void start() {
        LOG.install();
        upstream = FakeUpstream.openAi();
        plugins = RedisPluginFolder.add(PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin")
                .add("middleware-request-log", "io.gateway.plugins.requestlog.RequestLogPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin"));
        env = Map.of("GOV_IT_PROVIDER_KEY", PROVIDER_KEY, "TEAM_A_KEY", TEAM_A_KEY,
                "TEAM_B_KEY", TEAM_B_KEY, "LIMITED_KEY", LIMITED_KEY, "BUDGET_KEY", BUDGET_KEY,
                "METERED_KEY", METERED_KEY, "GOV_IT_ADMIN_TOKEN", ADMIN_TOKEN);
        gateway = TestGateway.start("""
                gateway:
                  admin:
                    token: ${GOV_IT_ADMIN_TOKEN}
                  providers:
                    openai:
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: ${GOV_IT_PROVIDER_KEY}
                    mock:
                      type: mock
                  middleware:
                    - type: request-log
                    - type: governance
                      require-virtual-key: true
                      virtual-keys:
                        - name: team-a
                          value: ${TEAM_A_KEY}
                          allowed-models: ["openai/*", "mock/mock-*"]
                        - name: team-b
                          value: ${TEAM_B_KEY}
                          allowed-models: ["mock/*"]
                        - name: limited
                          value: ${LIMITED_KEY}
                          allowed-models: ["mock/*"]
                          rate-limit: {requests: 50, per: 1m}
                        - name: budget
                          value: ${BUDGET_KEY}
                          allowed-models: ["openai/gpt-4o-*"]
                          budget: {usd: 0.15, per: 1M}
                        - name: metered
                          value: ${METERED_KEY}
                          rate-limit: {tokens: 1000000, tokens-per: 1h}
                  pricing:
                    openai/gpt-4o-mini: {input: 1000, output: 1000}
                """.formatted(upstream.baseUrl()), plugins.root(), env);

        redis = RedisTarget.open();
        String replicas = """
                gateway:
                  state:
                    type: redis
                    url: %s
                    key-prefix: "%s"
                  providers:
                    mock:
                      type: mock
                  middleware:
                    - type: governance
                      virtual-keys:
                        - name: limited
                          value: ${LIMITED_KEY}
                          rate-limit: {requests: 50, per: 1m}
                        - name: probe
                          value: ${TEAM_A_KEY}
                          rate-limit: {requests: 100000, per: 1m}
                """.formatted(redis.url(), redis.newPrefix());
        replicaOne = TestGateway.start(replicas, plugins.root(), env);
        replicaTwo = TestGateway.start(replicas, plugins.root(), env);
        // the probe key has its own counter: warming up does not use the limited key's requests
        for (TestGateway replica : new TestGateway[] {replicaOne, replicaTwo}) {
            ClusterWarmup.awaitStore("a governance replica", 200,
                    () -> get(replica.uri("/v1/models"), "x-bf-vk", TEAM_A_KEY));
        }
    }

    @AfterAll
    static void stop() {
        try {
            closeAll();
        } finally {
            LOG.uninstall();
        }
    }

    private static void closeAll() {
        try {
            for (TestGateway node : new TestGateway[] {gateway, replicaOne, replicaTwo}) {
                if (node != null) {
                    node.close();
                }
            }
            if (upstream != null) {
                upstream.close();
            }
        } finally {
            gateway = null;
            replicaOne = null;
            replicaTwo = null;
            upstream = null;
            if (redis != null) {
                redis.close();
                redis = null;
            }
        }
    }

    @BeforeEach
    void resetUpstream() {
        upstream.reset();
    }

    // ---------------------------------------------------------------- recorded HTTP

    private static <T> HttpResponse<T> record(HttpResponse<T> response, String body) {
        StringBuilder text = new StringBuilder().append(response.statusCode()).append(' ')
                .append(response.uri()).append('\n');
        response.headers().map().forEach((name, values) -> text.append(name).append(": ")
                .append(String.join(", ", values)).append('\n'));
        RECEIVED.add(text.append('\n').append(body).toString());
        return response;
    }

    private static HttpResponse<String> post(URI uri, String json, String... headers) {
        HttpResponse<String> response = Http.post(uri, json, headers);
        return record(response, response.body());
    }

    private static HttpResponse<String> get(URI uri, String... headers) {
        HttpResponse<String> response = Http.get(uri, headers);
        return record(response, response.body());
    }

    /** A streamed answer, read to its end. */
    private static String stream(URI uri, String json, String... headers) throws IOException {
        HttpResponse<InputStream> response = Http.postStream(uri, json, headers);
        assertEquals(200, response.statusCode());
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        record(response, body);
        return body;
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello governance\"}]}";
    }

    private static JsonObject envelope(HttpResponse<String> response, int status, String type) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject envelope = JsonBodies.parse(response.body());
        assertEquals(status, envelope.getInt("status_code"));
        assertEquals(type, envelope.getJsonObject("error").getString("type"), response.body());
        assertEquals(false, envelope.getBoolean("is_bifrost_error"), response.body());
        return envelope;
    }

    private static String admin(String path) {
        HttpResponse<String> response = get(gateway.uri(path), "authorization", "Bearer " + ADMIN_TOKEN);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        return response.body();
    }

    /** A virtual key's entry in {@code GET /admin/usage}. */
    private static JsonObject usage(String name) {
        JsonArray keys = JsonBodies.parse(admin("/admin/usage")).getJsonObject("governance")
                .getJsonArray("virtual_keys");
        for (JsonValue key : keys) {
            if (name.equals(key.asJsonObject().getString("name"))) {
                return key.asJsonObject();
            }
        }
        return fail("no usage entry for virtual key " + name + " in " + keys);
    }

    private static BigDecimal spentUsd(String name) {
        return ((JsonNumber) usage(name).getJsonObject("spend").get("usd")).bigDecimalValue();
    }

    private static void assertUsd(BigDecimal expected, BigDecimal actual, String message) {
        assertEquals(expected.stripTrailingZeros().toPlainString(), actual.stripTrailingZeros().toPlainString(),
                message + " (USD)");
    }

    private static long tokensCounted(String name) {
        return usage(name).getJsonObject("tokens").getJsonNumber("count").longValue();
    }

    /** Waits, if needed, until the current minute has at least ten seconds left, so a burst stays in one window. */
    private static void awaitRoomInTheMinute() {
        long left = 60_000 - System.currentTimeMillis() % 60_000;
        if (left < 10_000) {
            RedisServer.sleep(left + 250);
        }
    }

    /** Sends requests at once from virtual threads; answers in no particular order. */
    private static List<HttpResponse<String>> burst(List<URI> targets, String body, String... headers) throws Exception {
        List<HttpResponse<String>> answers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (URI target : targets) {
                futures.add(threads.submit(() -> {
                    go.await();
                    return post(target, body, headers);
                }));
            }
            go.countDown();
            for (Future<HttpResponse<String>> future : futures) {
                answers.add(future.get(60, TimeUnit.SECONDS));
            }
        }
        return answers;
    }

    /** Asserts exactly {@code admitted} answers of 200 and 429 with Retry-After for the rest. */
    private static void assertExactlyAdmitted(List<HttpResponse<String>> answers, int admitted) {
        int ok = 0;
        int limited = 0;
        for (HttpResponse<String> answer : answers) {
            if (answer.statusCode() == 200) {
                ok++;
                continue;
            }
            JsonObject envelope = envelope(answer, 429, "rate_limit_error");
            assertTrue(envelope.getJsonObject("error").getString("message").contains("limited"),
                    "the message names the key: " + envelope);
            String retryAfter = answer.headers().firstValue("retry-after").orElse(null);
            assertNotNull(retryAfter, "a 429 without Retry-After: " + answer.headers().map());
            long seconds = Long.parseLong(retryAfter.trim());
            assertTrue(seconds >= 1 && seconds <= 60, "Retry-After " + seconds + " is not within the 1m window");
            limited++;
        }
        assertEquals(admitted, ok, "admitted requests");
        assertEquals(answers.size() - admitted, limited, "refused requests");
    }

    // ---------------------------------------------------------------- authentication and models

    @Test
    void aMissingKeyIs401BeforeAnyUpstreamCall() {
        JsonObject envelope = envelope(post(gateway.uri(CHAT), chat("openai/gpt-4o-mini")), 401,
                "authentication_error");
        String message = envelope.getJsonObject("error").getString("message");
        assertTrue(message.contains("x-bf-vk") && message.contains("Authorization"), message);
        envelope(post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), "authorization", "Bearer "), 401,
                "authentication_error");
        envelope(get(gateway.uri("/v1/models")), 401, "authentication_error");
        assertEquals(0, upstream.requestCount(), "nothing went upstream");
    }

    @Test
    void theThreeHeaderFormsAreAccepted() {
        List<String[]> forms = List.of(new String[] {"x-bf-vk", TEAM_A_KEY},
                new String[] {"authorization", "Bearer " + TEAM_A_KEY},
                new String[] {"x-api-key", TEAM_A_KEY});
        for (String[] form : forms) {
            HttpResponse<String> response = post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), form);
            assertEquals(200, response.statusCode(), form[0] + ": " + response.body());
            assertEquals("chat.completion", JsonBodies.parse(response.body()).getString("object"));
        }
        assertEquals(3, upstream.requestCount());
    }

    @Test
    void anUnknownKeyIs401AndIsNotEchoed() {
        String unknown = "sk-bf-unknown-" + random();
        for (String[] form : List.of(new String[] {"x-bf-vk", unknown}, new String[] {"authorization", "Bearer " + unknown},
                new String[] {"x-api-key", unknown}, new String[] {"api-key", unknown})) {
            HttpResponse<String> response = post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), form);
            JsonObject envelope = envelope(response, 401, "authentication_error");
            assertEquals("the virtual key is not valid", envelope.getJsonObject("error").getString("message"));
            assertFalse(response.body().contains(unknown), response.body());
        }
        // a provider key does not look like a virtual key: it is none, and keys are required here
        JsonObject providerKey = envelope(post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), "authorization",
                "Bearer " + PROVIDER_KEY), 401, "authentication_error");
        assertTrue(providerKey.getJsonObject("error").getString("message").startsWith("a virtual key is required"),
                providerKey.toString());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void aModelTheKeyMayNotUseIs403NamingIt() {
        JsonObject envelope = envelope(post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), "x-bf-vk", TEAM_B_KEY),
                403, "permission_error");
        JsonObject error = envelope.getJsonObject("error");
        assertTrue(error.getString("message").contains("openai/gpt-4o-mini"), error.toString());
        assertTrue(error.getString("message").contains("team-b"), error.toString());
        assertEquals("model_not_allowed", error.getString("code"));
        assertEquals("model", error.getString("param"));

        // a fallback is no way around it
        JsonObject fallback = envelope(post(gateway.uri(CHAT), "{\"model\":\"mock/mock-model\",\"fallbacks\":"
                + "[\"openai/gpt-4o-mini\"],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "x-bf-vk",
                TEAM_B_KEY), 403, "permission_error");
        assertEquals("fallbacks", fallback.getJsonObject("error").getString("param"));
        assertTrue(fallback.getJsonObject("error").getString("message").contains("openai/gpt-4o-mini"));

        // the glob is over provider/model: team-a may use mock/mock-model but not another mock model
        assertEquals(200, post(gateway.uri(CHAT), chat("mock/mock-model"), "x-bf-vk", TEAM_A_KEY).statusCode());
        JsonObject other = envelope(post(gateway.uri(CHAT), chat("mock/other"), "x-bf-vk", TEAM_A_KEY), 403,
                "permission_error");
        assertTrue(other.getJsonObject("error").getString("message").contains("mock/other"));
        assertEquals(0, upstream.requestCount(), "refused before any upstream call");

        // and the model list shows only what the key may use
        HttpResponse<String> models = get(gateway.uri("/v1/models"), "x-bf-vk", TEAM_B_KEY);
        assertEquals(200, models.statusCode(), models.body());
        List<String> ids = JsonBodies.parse(models.body()).getJsonArray("data").stream()
                .map(v -> v.asJsonObject().getString("id")).toList();
        assertFalse(ids.isEmpty());
        assertTrue(ids.stream().allMatch(id -> id.startsWith("mock/")), ids.toString());
    }

    // ---------------------------------------------------------------- SDK clients and placeholder keys

    private static OpenAIClient sdk(TestGateway node, String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl(node.baseUrl() + "/openai/v1").apiKey(apiKey).maxRetries(0)
                .build();
    }

    private static ChatCompletionCreateParams sdkChat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello from the SDK").build();
    }

    @Test
    void theOpenAiSdkWithAPlaceholderKeyPassesWhenNoVirtualKeyIsRequired() {
        try (TestGateway node = TestGateway.start("""
                gateway:
                  admin:
                    token: ${GOV_IT_ADMIN_TOKEN}
                  providers:
                    openai:
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: ${GOV_IT_PROVIDER_KEY}
                    mock:
                      type: mock
                  middleware:
                    - type: governance
                      require-virtual-key: false
                      virtual-keys:
                        - name: sdk-app
                          value: ${TEAM_B_KEY}
                          allowed-models: ["mock/*"]
                """.formatted(upstream.baseUrl()), plugins.root(), env)) {
            OpenAIClient placeholder = sdk(node, "unused");
            OpenAIClient governed = sdk(node, TEAM_B_KEY);
            OpenAIClient unknownKey = sdk(node, "sk-bf-unknown-" + random());
            try {
                // "unused" is no virtual key: unrestricted, even for a model sdk-app may not use
                ChatCompletion open = placeholder.chat().completions().create(sdkChat("openai/gpt-4o-mini"));
                assertEquals(OpenAiPreset.TEXT, open.choices().get(0).message().content().orElseThrow());
                RecordedRequest sent = upstream.lastRequest();
                assertEquals("Bearer " + PROVIDER_KEY, sent.header("authorization"), "the provider key, not the placeholder");
                sent.headers().forEach((name, values) -> assertFalse(values.stream().anyMatch(v -> v.contains("unused")),
                        "header " + name + " carries the placeholder"));

                // the same SDK with a virtual key as its apiKey is governed by that key
                OpenAIServiceException refused = assertThrows(OpenAIServiceException.class,
                        () -> governed.chat().completions().create(sdkChat("openai/gpt-4o-mini")));
                assertEquals(403, refused.statusCode());
                assertTrue(refused.getMessage().contains("sdk-app") && refused.getMessage().contains("openai/gpt-4o-mini"),
                        refused.getMessage());
                ChatCompletion allowed = governed.chat().completions().create(sdkChat("mock/any-model"));
                long tokens = allowed.usage().orElseThrow().totalTokens();
                assertTrue(tokens > 0);
                assertEquals(1, upstream.requestCount(), "only the placeholder request went to the upstream");

                // a virtual key that is not configured is refused, also here
                OpenAIServiceException unknown = assertThrows(OpenAIServiceException.class,
                        () -> unknownKey.chat().completions().create(sdkChat("mock/any-model")));
                assertEquals(401, unknown.statusCode());
                assertTrue(unknown.getMessage().contains("the virtual key is not valid"), unknown.getMessage());

                // the report counts the governed request, not the anonymous one
                HttpResponse<String> usage = get(node.uri("/admin/usage"), "authorization", "Bearer " + ADMIN_TOKEN);
                assertEquals(200, usage.statusCode(), usage.body());
                JsonObject sdkApp = JsonBodies.parse(usage.body()).getJsonObject("governance")
                        .getJsonArray("virtual_keys").getJsonObject(0);
                assertEquals("sdk-app", sdkApp.getString("name"));
                assertEquals(1, sdkApp.getJsonObject("requests").getInt("count"), sdkApp.toString());
                assertEquals(tokens, sdkApp.getJsonObject("tokens").getJsonNumber("count").longValue(), sdkApp.toString());
            } finally {
                placeholder.close();
                governed.close();
                unknownKey.close();
            }
        }
    }

    @Test
    void theOpenAiSdkWithAPlaceholderKeyIsToldAVirtualKeyIsRequired() {
        OpenAIClient client = sdk(gateway, "unused");
        try {
            OpenAIServiceException e = assertThrows(OpenAIServiceException.class,
                    () -> client.chat().completions().create(sdkChat("openai/gpt-4o-mini")));
            assertEquals(401, e.statusCode());
            assertTrue(e.getMessage().contains("a virtual key is required") && e.getMessage().contains("'sk-bf-'"),
                    e.getMessage());
            assertEquals(0, upstream.requestCount());
        } finally {
            client.close();
        }
    }

    @Test
    void aKeyWithoutLimitsShowsItsRequestsTokensAndSpendInTheUsageReport() {
        JsonObject before = usage("team-a");
        OpenAIClient client = sdk(gateway, TEAM_A_KEY);
        try {
            ChatCompletion answer = client.chat().completions().create(sdkChat("openai/gpt-4o-mini"));
            assertEquals(18, answer.usage().orElseThrow().totalTokens());
            // team-a may use openai/* and mock/mock-*: the SDK's apiKey is the key that is governed
            OpenAIServiceException refused = assertThrows(OpenAIServiceException.class,
                    () -> client.chat().completions().create(sdkChat("mock/other")));
            assertEquals(403, refused.statusCode());
        } finally {
            client.close();
        }
        JsonObject after = usage("team-a");

        JsonObject requests = after.getJsonObject("requests");
        JsonObject tokens = after.getJsonObject("tokens");
        JsonObject spend = after.getJsonObject("spend");
        assertAll(
                () -> assertEquals(before.getJsonObject("requests").getInt("count") + 1, requests.getInt("count"),
                        "one request admitted; the refused one is not counted"),
                () -> assertEquals(before.getJsonObject("tokens").getInt("count") + 18, tokens.getInt("count")),
                () -> assertUsd(((JsonNumber) before.getJsonObject("spend").get("usd")).bigDecimalValue()
                        .add(new BigDecimal("0.018")), spend.getJsonNumber("usd").bigDecimalValue(), "team-a"),
                () -> assertEquals(JsonValue.NULL, requests.get("limit")),
                () -> assertEquals(JsonValue.NULL, tokens.get("window_seconds")),
                () -> assertEquals("1M", requests.getString("period")),
                () -> assertEquals(spend.getString("period_id"), requests.getString("period_id")),
                () -> assertEquals(spend.getString("period_id"), tokens.getString("period_id")),
                () -> assertTrue(requests.getString("period_id").matches("\\d{4}-\\d{2}"), requests.toString()));
    }

    // ---------------------------------------------------------------- rate limits

    @Test
    void twoHundredParallelRequestsAgainstFiftyPerMinuteLetExactlyFiftyThrough() throws Exception {
        awaitRoomInTheMinute();
        List<URI> targets = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            targets.add(gateway.uri(CHAT));
        }
        assertExactlyAdmitted(burst(targets, chat("mock/mock-model"), "x-bf-vk", LIMITED_KEY), 50);
        JsonObject requests = usage("limited").getJsonObject("requests");
        assertEquals(50, requests.getInt("limit"));
        assertEquals(60, requests.getInt("window_seconds"));
    }

    @Test
    void twoReplicasSharingRedisLetExactlyFiftyThroughInTotal() throws Exception {
        awaitRoomInTheMinute();
        List<URI> targets = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            targets.add(replicaOne.uri(CHAT));
            targets.add(replicaTwo.uri(CHAT));
        }
        List<HttpResponse<String>> answers = burst(targets, chat("mock/mock-model"), "x-bf-vk", LIMITED_KEY);
        assertExactlyAdmitted(answers, 50);
        long viaOne = answers.stream().filter(a -> a.statusCode() == 200 && a.uri().getPort() == replicaOne.port())
                .count();
        long viaTwo = answers.stream().filter(a -> a.statusCode() == 200 && a.uri().getPort() == replicaTwo.port())
                .count();
        assertEquals(50, viaOne + viaTwo);
    }

    // ---------------------------------------------------------------- budgets and accounting

    /**
     * A stream whose worst case fits the budget runs and is charged at its end; a request whose worst
     * case does not fit what is left (no output cap: 4,096 output tokens at $1000 per 1M) is refused
     * with 402 before it goes upstream.
     */
    @Test
    void aStreamIsChargedAtItsEndAndARequestThatMayNotFitTheBudgetGets402() throws IOException {
        assertEquals(0, spentUsd("budget").signum(), "nothing spent yet");
        String body = stream(gateway.uri(CHAT), "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,"
                + "\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"spend it all\"}]}",
                "x-bf-vk", BUDGET_KEY);
        List<SseFrame> frames = SseParser.readAll(body);
        assertTrue(frames.get(frames.size() - 1).isDone(), "the stream finishes with [DONE]: " + body);
        StringBuilder text = new StringBuilder();
        for (SseFrame frame : frames.subList(0, frames.size() - 1)) {
            JsonObject chunk = frame.json();
            JsonArray choices = chunk.getJsonArray("choices");
            assertFalse(choices.isEmpty(), "the usage chunk the client did not ask for was forwarded: " + chunk);
            JsonObject delta = choices.getJsonObject(0).getJsonObject("delta");
            if (delta.containsKey("content")) {
                text.append(delta.getString("content"));
            }
        }
        assertEquals(OpenAiPreset.TEXT, text.toString());
        JsonObject sent = upstream.lastRequest().bodyJson();
        assertEquals(JsonValue.TRUE, sent.getJsonObject("stream_options").get("include_usage"),
                "the gateway asked the upstream for the final usage");

        int calls = upstream.requestCount();
        HttpResponse<String> next = post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), "x-bf-vk", BUDGET_KEY);
        JsonObject envelope = envelope(next, 402, "budget_exceeded");
        assertEquals("budget_exceeded", envelope.getJsonObject("error").getString("code"));
        assertTrue(envelope.getJsonObject("error").getString("message").contains("budget"), envelope.toString());
        assertEquals(calls, upstream.requestCount(), "the refused request did not go upstream");

        // 12 prompt + 6 completion tokens at $1000 per 1M tokens each
        assertUsd(new BigDecimal("0.018"), spentUsd("budget"), "spend of the budget key");
        JsonObject spend = usage("budget").getJsonObject("spend");
        assertUsd(new BigDecimal("0.15"), spend.getJsonNumber("budget_usd").bigDecimalValue(), "budget_usd");
        assertEquals(0, spend.getJsonNumber("reserved_usd").bigDecimalValue().signum(), "nothing held afterwards");
        assertEquals("1M", spend.getString("period"));
    }

    @Test
    void aRequestThatFailsUpstreamCostsNothing() {
        BigDecimal before = spentUsd("metered");
        long tokensBefore = tokensCounted("metered");
        upstream.on("POST", "/v1/chat/completions").respond(Reply.error(500, "upstream broke"));
        HttpResponse<String> failed = post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), "x-bf-vk", METERED_KEY);
        assertEquals(500, failed.statusCode(), failed.body());
        assertUsd(before, spentUsd("metered"), "a failed request costs nothing");
        assertEquals(tokensBefore, tokensCounted("metered"));

        upstream.reset();
        assertEquals(200, post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), "x-bf-vk", METERED_KEY).statusCode());
        assertUsd(before.add(new BigDecimal("0.018")), spentUsd("metered"), "a success is charged");
        assertEquals(tokensBefore + 18, tokensCounted("metered"));
    }

    @Test
    void anAsyncJobIsChargedOnceAtTheServedModelsPrice() {
        BigDecimal before = spentUsd("metered");
        long tokensBefore = tokensCounted("metered");
        HttpResponse<String> submitted = post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), "x-bf-vk", METERED_KEY,
                "x-bf-async", "true");
        assertEquals(200, submitted.statusCode(), submitted.body());
        String id = JsonBodies.parse(submitted.body()).getString("id");
        HttpResponse<String> done = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            done = post(gateway.uri(CHAT), "{}", "x-bf-vk", METERED_KEY, "x-bf-async-id", id);
            if (!"async_job".equals(JsonBodies.string(JsonBodies.parse(done.body()), "object"))) {
                break;
            }
            RedisServer.sleep(25);
        }
        assertNotNull(done);
        assertEquals(200, done.statusCode(), done.body());
        assertEquals("chat.completion", JsonBodies.parse(done.body()).getString("object"), done.body());
        // reading the result again is not another request to pay for
        for (int i = 0; i < 2; i++) {
            assertEquals(200, post(gateway.uri(CHAT), "{}", "x-bf-vk", METERED_KEY, "x-bf-async-id", id).statusCode());
        }
        assertEquals(1, upstream.requestCount(), "one upstream call");
        long tokensAfter = tokensCounted("metered");
        BigDecimal spentAfter = spentUsd("metered");
        assertAll(
                () -> assertEquals(tokensBefore + 18, tokensAfter,
                        "the job's 18 tokens are counted once, not once per poll"),
                () -> assertUsd(before.add(new BigDecimal("0.018")), spentAfter,
                        "the job costs what the synchronous request costs ($0.018), once"));
    }

    @Test
    void withItsStoreDownGovernanceAnswers503AndNothingGoesUpstream() {
        try (RedisServer own = RedisServer.start();
             TestGateway node = TestGateway.start("""
                     gateway:
                       admin:
                         token: ${GOV_IT_ADMIN_TOKEN}
                       state:
                         type: redis
                         url: %s
                         key-prefix: "it-governance-outage:"
                       providers:
                         openai:
                           base-url: %s/v1
                           keys:
                             - name: main
                               value: ${GOV_IT_PROVIDER_KEY}
                       middleware:
                         - type: governance
                           virtual-keys:
                             - name: limited
                               value: ${LIMITED_KEY}
                               rate-limit: {requests: 1000, per: 1m}
                     """.formatted(own.url(), upstream.baseUrl()), plugins.root(), env)) {
            URI chat = node.uri(CHAT);
            ClusterWarmup.awaitStore("the replica", 200,
                    () -> post(chat, chat("openai/gpt-4o-mini"), "x-bf-vk", LIMITED_KEY));
            String[] bearer = {"authorization", "Bearer " + ADMIN_TOKEN};
            HttpResponse<String> usage = get(node.uri("/admin/usage"), bearer);
            assertEquals(200, usage.statusCode(), usage.body());

            own.stop();
            int calls = upstream.requestCount();
            for (HttpResponse<String> refused : List.of(
                    post(chat, chat("openai/gpt-4o-mini"), "x-bf-vk", LIMITED_KEY),
                    get(node.uri("/admin/usage"), bearer))) {
                assertEquals(503, refused.statusCode(), refused.body());
                JsonObject envelope = JsonBodies.parse(refused.body());
                assertEquals(503, envelope.getInt("status_code"));
                assertEquals("store_unavailable", envelope.getJsonObject("error").getString("type"), refused.body());
            }
            assertEquals(calls, upstream.requestCount(), "nothing went upstream without the checks");
            envelope(post(chat, chat("openai/gpt-4o-mini")), 401, "authentication_error");

            own.restart();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            HttpResponse<String> again;
            do {
                again = post(chat, chat("openai/gpt-4o-mini"), "x-bf-vk", LIMITED_KEY);
                if (again.statusCode() == 200) {
                    break;
                }
                assertEquals(503, again.statusCode(), again.body());
                RedisServer.sleep(100);
            } while (System.nanoTime() < deadline);
            assertEquals(200, again.statusCode(), "no recovery within 15 s of Redis returning: " + again.body());
            assertEquals(200, get(node.uri("/admin/usage"), bearer).statusCode());
        }
    }

    // ---------------------------------------------------------------- what goes upstream

    @Test
    void theVirtualKeyNeverReachesTheUpstream() throws IOException {
        List<String[]> forms = List.of(new String[] {"x-bf-vk", TEAM_A_KEY},
                new String[] {"authorization", "Bearer " + TEAM_A_KEY},
                new String[] {"x-api-key", TEAM_A_KEY});
        for (String[] form : forms) {
            assertEquals(200, post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), form).statusCode());
            assertEquals(200, post(gateway.uri("/v1/responses"), "{\"model\":\"openai/gpt-4o-mini\",\"input\":\"x\"}",
                    form).statusCode());
            assertEquals(200, post(gateway.uri("/openai/v1/embeddings"),
                    "{\"model\":\"openai/text-embedding-3-small\",\"input\":\"x\"}", form).statusCode());
            stream(gateway.uri(CHAT), "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", form[0], form[1]);
        }
        List<RecordedRequest> recorded = upstream.requests();
        assertEquals(12, recorded.size());
        for (RecordedRequest request : recorded) {
            assertNull(request.header("x-bf-vk"), request.toString());
            assertNull(request.header("x-api-key"), request.toString());
            assertEquals("Bearer " + PROVIDER_KEY, request.header("authorization"), request.path());
            request.headers().forEach((name, values) -> {
                for (String value : values) {
                    assertFalse(value.contains(TEAM_A_KEY), "header " + name + " carries the virtual key");
                }
            });
            assertFalse(request.bodyString().contains(TEAM_A_KEY), "the body carries the virtual key");
        }
    }

    // ---------------------------------------------------------------- admin API

    @Test
    void theAdminApiAnswersWithTheToken() {
        JsonObject plugins = JsonBodies.parse(admin("/admin/plugins"));
        List<String> ids = plugins.getJsonArray("data").stream().map(p -> p.asJsonObject().getString("id")).toList();
        assertTrue(ids.containsAll(List.of("middleware-governance", "provider-openai", "provider-mock",
                "middleware-request-log")), ids.toString());

        JsonObject usage = JsonBodies.parse(admin("/admin/usage"));
        List<String> names = usage.getJsonObject("governance").getJsonArray("virtual_keys").stream()
                .map(k -> k.asJsonObject().getString("name")).toList();
        assertEquals(List.of("team-a", "team-b", "limited", "budget", "metered"), names);
        assertEquals(List.of("mock/*"), usage("team-b").getJsonArray("allowed_models").stream()
                .map(v -> ((jakarta.json.JsonString) v).getString()).toList());

        JsonObject config = JsonBodies.parse(admin("/admin/config"));
        JsonObject governance = config.getJsonObject("gateway").getJsonArray("middleware").getJsonObject(1);
        assertEquals("governance", governance.getString("type"));
        assertEquals("team-a", governance.getJsonArray("virtual-keys").getJsonObject(0).getString("name"));
        String configText = config.toString();
        assertTrue(configText.contains("****"), configText);
        assertTrue(configText.contains(upstream.baseUrl()), "the non-secret settings are shown: " + configText);
    }

    @Test
    void theAdminApiRefusesAWrongOrMissingToken() {
        for (String path : List.of("/admin/usage", "/admin/plugins", "/admin/config")) {
            for (String[] headers : List.of(new String[0], new String[] {"authorization", "Bearer wrong-token"},
                    new String[] {"authorization", "Bearer " + ADMIN_TOKEN + "x"},
                    new String[] {"authorization", "Basic " + ADMIN_TOKEN},
                    new String[] {"authorization", ADMIN_TOKEN},
                    new String[] {"x-bf-vk", TEAM_A_KEY})) {
                HttpResponse<String> response = get(gateway.uri(path), headers);
                envelope(response, 401, "authentication_error");
                assertEquals("Bearer", response.headers().firstValue("www-authenticate").orElse(null), path);
            }
        }
    }

    @Test
    void withoutAnAdminTokenTheAdminApiDoesNotExist() {
        for (String path : List.of("/admin/usage", "/admin/plugins", "/admin/config")) {
            for (String[] headers : List.of(new String[0], new String[] {"authorization", "Bearer " + ADMIN_TOKEN},
                    new String[] {"authorization", "Bearer "})) {
                HttpResponse<String> response = get(replicaOne.uri(path), headers);
                envelope(response, 404, "not_found_error");
            }
        }
    }

    @Test
    void theAdminApiShowsNoSecret() {
        for (String path : List.of("/admin/usage", "/admin/plugins", "/admin/config")) {
            String body = admin(path);
            for (String secret : SECRETS) {
                assertFalse(body.contains(secret), path + " shows a secret");
            }
        }
    }

    // ---------------------------------------------------------------- the log of the whole class

    @Test
    @Order(Integer.MAX_VALUE)
    void secretsAreAbsentFromTheCapturedLogAndEveryAnswer() {
        // Something that may log a secret if anything does: a rejected provider key, upstream errors.
        upstream.on("POST", "/v1/chat/completions").respond(Reply.error(401, "invalid_request_error",
                "invalid_api_key", "Incorrect API key provided"));
        assertEquals(401, post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), "x-bf-vk", TEAM_A_KEY).statusCode());
        upstream.on("POST", "/v1/chat/completions").respond(Reply.dropConnection());
        assertEquals(502, post(gateway.uri(CHAT), chat("openai/gpt-4o-mini"), "x-bf-vk", TEAM_A_KEY).statusCode());
        HttpResponse<String> metrics = get(gateway.uri("/metrics"));
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("governance"), "governance metrics are exported and checked too");

        closeAll();
        String log = LOG.text();
        LOG.uninstall();

        // the capture works: start-up, the request log and the price list's warning are in it
        assertTrue(log.contains("gateway listening on port"), "start-up is not in the captured log:\n" + log);
        assertTrue(log.contains("route=chat_completion"), "the request log is not in the captured log:\n" + log);
        assertTrue(log.contains("no price for"), "the unpriced-model warning is not in the captured log:\n" + log);
        assertTrue(RECEIVED.size() > 100, "answers recorded: " + RECEIVED.size());

        List<String> leaks = new ArrayList<>();
        for (String secret : SECRETS) {
            int at = log.indexOf(secret);
            if (at >= 0) {
                leaks.add("log: " + log.substring(Math.max(0, log.lastIndexOf('\n', at) + 1),
                        Math.min(log.length(), at + secret.length() + 200)));
            }
            for (String answer : RECEIVED) {
                if (answer.contains(secret)) {
                    leaks.add("answer: " + answer);
                }
            }
        }
        assertEquals(List.of(), leaks, "secrets leaked");
    }

    /** A root-logger handler keeping every record, formatted, with its stack trace. */
    private static final class CapturedLog extends Handler {

        private final StringBuffer text = new StringBuffer();
        private final SimpleFormatter formatter = new SimpleFormatter();
        /** Held so the levels set on them are not lost to garbage collection of the loggers. */
        private final List<Logger> verbose = new ArrayList<>();
        private final List<Level> previous = new ArrayList<>();
        private boolean installed;

        synchronized void install() {
            if (installed) {
                return;
            }
            setLevel(Level.ALL);
            // The gateway's own loggers (server and plugins) at every level; libraries as configured.
            for (String name : List.of("gateway", "io.gateway")) {
                Logger logger = Logger.getLogger(name);
                verbose.add(logger);
                previous.add(logger.getLevel());
                logger.setLevel(Level.ALL);
            }
            Logger.getLogger("").addHandler(this);
            installed = true;
        }

        synchronized void uninstall() {
            if (!installed) {
                return;
            }
            Logger.getLogger("").removeHandler(this);
            for (int i = 0; i < verbose.size(); i++) {
                verbose.get(i).setLevel(previous.get(i));
            }
            verbose.clear();
            previous.clear();
            installed = false;
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            String formatted;
            try {
                formatted = formatter.format(record);
            } catch (RuntimeException e) {
                formatted = record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage() + "\n";
            }
            StringBuilder line = new StringBuilder(formatted);
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    line.append("  param: ").append(parameter).append('\n');
                }
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(trace);
            }
            text.append(line);
        }

        String text() {
            return text.toString();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
