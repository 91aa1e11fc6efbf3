package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request log through a running gateway with its default back end (SQLite): what a request leaves
 * in {@code GET /admin/logs} and {@code GET /admin/logs/{id}} (routing facts, usage, cost, the virtual
 * key's name, the client), streams (time to first event, the assembled answer, a failure after the
 * start), captured bodies without any credential, filters and paging, statistics, and the guard.
 */
class RequestLogIT {

    static final String ADMIN = "it-admin-token-0123456789";
    static final String PROVIDER_KEY = "sk-provider-secret-abcdefghijklmnop";
    static final String TEAM_A = "sk-bf-team-a-secret-0123456789";

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
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin");
        gateway = TestGateway.start("""
                gateway:
                  admin:
                    token: ${LOG_IT_ADMIN}
                  logs:
                    store: sqlite
                    path: %s
                    capture-bodies: true
                    max-body-bytes: 2KB
                  providers:
                    openai:
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: ${LOG_IT_PROVIDER_KEY}
                    mock:
                      type: mock
                  middleware:
                    - type: governance
                      require-virtual-key: true
                      virtual-keys:
                        - name: team-a
                          value: ${LOG_IT_TEAM_A}
                  pricing:
                    openai/gpt-4o-mini: {input: 1000, output: 2000}
                """.formatted(temp.resolve("data/gateway.db"), upstream.baseUrl()), plugins.root(),
                Map.of("LOG_IT_ADMIN", ADMIN, "LOG_IT_PROVIDER_KEY", PROVIDER_KEY, "LOG_IT_TEAM_A", TEAM_A));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
    }

    static String newId() {
        return "log-it-" + UUID.randomUUID();
    }

    @Test
    void aCompleteRequestIsLoggedWithItsRoutingUsageCostKeyAndClient() {
        String id = newId();
        upstream.on("POST", "/v1/chat/completions").respond(Reply.json(200, """
                {"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,
                "message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}],
                "usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,
                "prompt_tokens_details":{"cached_tokens":2}}}"""));
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi there"}],
                "api_key":"my-own-upstream-key","metadata":{"note":"%s and Bearer abcdefghijklmnop"}}"""
                .formatted(PROVIDER_KEY), "x-request-id", id, "x-bf-vk", TEAM_A, "user-agent", "log-it-agent/1.0");
        assertEquals(200, response.statusCode(), response.body());

        JsonObject listed = awaitListed(id);
        assertEquals(id, listed.getString("id"));
        assertEquals("chat_completion", listed.getString("operation"));
        assertEquals("openai", listed.getString("provider"));
        assertEquals("gpt-4o-mini", listed.getString("model"));
        assertEquals("openai/gpt-4o-mini", listed.getString("requested_model"));
        assertEquals(200, listed.getInt("status"));
        assertFalse(listed.getBoolean("stream"));
        assertTrue(listed.getJsonNumber("latency_ms").longValue() >= 0);
        assertEquals(JsonValue.NULL, listed.get("ttft_ms"), "not a stream");
        assertEquals(12, listed.getInt("input_tokens"));
        assertEquals(5, listed.getInt("output_tokens"));
        assertEquals(2, listed.getInt("cached_tokens"));
        // (10 uncached at 1000 + 2 cached at 1000 (no cache price: input's)) + 5 at 2000, per 1M tokens
        assertEquals(0, new BigDecimal("0.022").compareTo(listed.getJsonNumber("cost_usd").bigDecimalValue()),
                listed.toString());
        assertEquals("team-a", listed.getString("virtual_key"));
        assertEquals(0, listed.getInt("retries"));
        assertEquals(0, listed.getInt("fallback_index"));
        assertEquals(JsonValue.NULL, listed.get("error_type"));
        assertEquals("127.0.0.1", listed.getString("client_ip"));
        assertEquals("log-it-agent/1.0", listed.getString("user_agent"));
        assertTrue(Instant.parse(listed.getString("timestamp")).isAfter(Instant.now().minusSeconds(60)));
        for (String detailOnly : Set.of("attempts", "request_body", "response_body")) {
            assertFalse(listed.containsKey(detailOnly), "the list leaves out " + detailOnly);
        }

        HttpResponse<String> detailResponse = admin("/admin/logs/" + id);
        assertEquals(200, detailResponse.statusCode(), detailResponse.body());
        JsonObject detail = JsonBodies.parse(detailResponse.body());
        JsonArray attempts = detail.getJsonArray("attempts");
        assertEquals(1, attempts.size());
        assertEquals("main", attempts.getJsonObject(0).getString("key"));
        assertEquals(200, attempts.getJsonObject(0).getInt("status"));
        String request = detail.getString("request_body");
        assertTrue(request.contains("hi there"), request);
        assertTrue(request.contains("\"api_key\":\"****\""), request);
        assertFalse(request.contains("my-own-upstream-key"), request);
        assertFalse(request.contains("abcdefghijklmnop"), request);
        assertTrue(detail.getString("response_body").contains("Hello there"));
        assertFalse(detail.getBoolean("request_body_truncated"));
        assertFalse(detailResponse.body().contains(TEAM_A), "the virtual key's value is never stored");
        assertFalse(detailResponse.body().contains(PROVIDER_KEY), "nor the provider key's");
    }

    @Test
    void aStreamIsLoggedWithItsTimeToFirstEventAndTheAssembledAnswer() throws Exception {
        String id = newId();
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data("{\"id\":\"c1\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"role\":\"assistant\",\"content\":\"Hel\"}}]}"),
                SseFrame.data("{\"id\":\"c1\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"content\":\"lo\"}}]}").after(Duration.ofMillis(30)),
                SseFrame.data("{\"id\":\"c1\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\"}}]}}]}"),
                SseFrame.data("{\"id\":\"c1\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]},"
                        + "\"finish_reason\":\"tool_calls\"}]}"),
                SseFrame.data("{\"id\":\"c1\",\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":"
                        + "8,\"completion_tokens\":4,\"total_tokens\":12}}"),
                SseFrame.done()));
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"), """
                {"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"weather?"}]}""",
                "x-request-id", id, "x-bf-vk", TEAM_A);
        assertEquals(200, response.statusCode());
        try (InputStream body = response.body()) {
            body.readAllBytes();
        }
        JsonObject listed = awaitListed(id);
        assertTrue(listed.getBoolean("stream"));
        assertTrue(listed.getJsonNumber("ttft_ms").longValue() >= 0);
        assertTrue(listed.getJsonNumber("ttft_ms").longValue() <= listed.getJsonNumber("latency_ms").longValue());
        assertEquals(8, listed.getInt("input_tokens"));
        assertEquals(4, listed.getInt("output_tokens"));
        JsonObject detail = JsonBodies.parse(admin("/admin/logs/" + id).body());
        JsonObject answer = JsonBodies.parse(detail.getString("response_body"));
        JsonObject message = answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
        assertEquals("Hello", message.getString("content"));
        JsonObject call = message.getJsonArray("tool_calls").getJsonObject(0);
        assertEquals("get_weather", call.getJsonObject("function").getString("name"));
        assertEquals("{\"city\":\"Paris\"}", call.getJsonObject("function").getString("arguments"));
        assertEquals("tool_calls", answer.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertEquals(12, answer.getJsonObject("usage").getInt("total_tokens"));
    }

    @Test
    void aStreamThatFailsAfterItBeganIsLoggedWithTheError() throws Exception {
        String id = newId();
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data("{\"id\":\"c2\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"content\":\"partial\"}}]}"),
                SseFrame.data("this is not json")));
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"), """
                {"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"x"}]}""",
                "x-request-id", id, "x-bf-vk", TEAM_A);
        try (InputStream body = response.body()) {
            body.readAllBytes();
        }
        JsonObject listed = awaitListed(id);
        assertEquals(200, listed.getInt("status"), "the status was sent before the failure");
        assertEquals("invalid_upstream_response", listed.getString("error_type"));
        assertTrue(listed.getString("error_message").length() > 0);
    }

    @Test
    void refusedAndFailedRequestsAreLoggedToo() {
        String refused = newId();
        assertEquals(401, Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"mock/m","messages":[{"role":"user","content":"x"}]}""", "x-request-id", refused).statusCode());
        JsonObject entry = awaitListed(refused);
        assertEquals(401, entry.getInt("status"));
        assertEquals("authentication_error", entry.getString("error_type"));
        assertEquals(JsonValue.NULL, entry.get("virtual_key"), "no key was presented");

        String failed = newId();
        upstream.on("POST", "/v1/chat/completions").respond(Reply.error(429, "rate_limit_error", "rate_limit_exceeded",
                "slow down"));
        assertEquals(429, Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"x"}]}""",
                "x-request-id", failed, "x-bf-vk", TEAM_A).statusCode());
        entry = awaitListed(failed);
        assertEquals(429, entry.getInt("status"));
        assertEquals("openai", entry.getString("provider"));
        assertEquals("team-a", entry.getString("virtual_key"));
        assertTrue(entry.getString("error_message").contains("slow down"), entry.toString());
        JsonObject detail = JsonBodies.parse(admin("/admin/logs/" + failed).body());
        assertEquals(429, detail.getJsonArray("attempts").getJsonObject(0).getInt("status"));
    }

    @Test
    void bodiesAreCutAtTheLimitAndSaySo() {
        String id = newId();
        String big = "x".repeat(5000);
        assertEquals(200, Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"mock/any","messages":[{"role":"user","content":"%s"}]}""".formatted(big),
                "x-request-id", id, "x-bf-vk", TEAM_A).statusCode());
        awaitListed(id);
        JsonObject detail = JsonBodies.parse(admin("/admin/logs/" + id).body());
        assertTrue(detail.getBoolean("request_body_truncated"));
        assertTrue(detail.getString("request_body").getBytes(StandardCharsets.UTF_8).length <= 2048);
    }

    @Test
    void theListFiltersAndPagesWithAnOpaqueCursor() {
        String tag = "page-" + UUID.randomUUID();
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            String id = tag + "-" + i;
            sent.add(id);
            assertEquals(200, Http.post(gateway.uri("/v1/chat/completions"), """
                    {"model":"mock/any","messages":[{"role":"user","content":"hi"}]}""", "x-request-id", id,
                    "x-bf-vk", TEAM_A).statusCode());
        }
        await(() -> JsonBodies.parse(admin("/admin/logs?q=" + tag).body()).getJsonArray("data").size() == 5,
                "five entries with " + tag);
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonObject page = JsonBodies.parse(admin("/admin/logs?limit=2&provider=mock&q=" + tag
                    + (cursor == null ? "" : "&cursor=" + cursor)).body());
            for (JsonValue value : page.getJsonArray("data")) {
                assertTrue(seen.add(value.asJsonObject().getString("id")));
            }
            cursor = page.isNull("next_cursor") ? null : page.getString("next_cursor");
            pages++;
        } while (cursor != null);
        assertEquals(sent, seen);
        assertEquals(3, pages);
        assertEquals(0, JsonBodies.parse(admin("/admin/logs?status=5xx&q=" + tag).body()).getJsonArray("data").size());
        assertEquals(5, JsonBodies.parse(admin("/admin/logs?status=200&virtual_key=team-a&q=" + tag).body())
                .getJsonArray("data").size());
        String from = URLEncoder.encode(Instant.now().plusSeconds(3600).toString(), StandardCharsets.UTF_8);
        assertEquals(0, JsonBodies.parse(admin("/admin/logs?from=" + from + "&q=" + tag).body())
                .getJsonArray("data").size());
    }

    @Test
    void badParametersUnknownIdsAndMissingTokensGetTheErrorEnvelope() {
        HttpResponse<String> bad = admin("/admin/logs?limit=0");
        assertEquals(400, bad.statusCode());
        assertEquals("limit", JsonBodies.parse(bad.body()).getJsonObject("error").getString("param"));
        assertEquals(400, admin("/admin/logs?cursor=garbage!").statusCode());
        assertEquals(400, admin("/admin/stats?group_by=week").statusCode());
        HttpResponse<String> unknown = admin("/admin/logs/no-such-request");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("no-such-request"), unknown.body());
        assertEquals(401, Http.get(gateway.uri("/admin/logs")).statusCode());
        assertEquals(401, Http.get(gateway.uri("/admin/stats?group_by=model"), "authorization", "Bearer wrong")
                .statusCode());
    }

    @Test
    void statsSumRequestsTokensAndCostPerGroup() {
        String id = newId();
        upstream.on("POST", "/v1/chat/completions").respond(Reply.json(200, """
                {"id":"x","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":
                {"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                "usage":{"prompt_tokens":1000,"completion_tokens":1000,"total_tokens":2000}}"""));
        JsonObject before = statsRow("model", "gpt-4o-mini");
        JsonObject keyBefore = statsRow("key", "openai/main");
        assertEquals(200, Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"x"}]}""",
                "x-request-id", id, "x-bf-vk", TEAM_A).statusCode());
        awaitListed(id);
        JsonObject after = statsRow("model", "gpt-4o-mini");
        assertEquals(count(before, "requests") + 1, count(after, "requests"));
        // per provider key: the attempt that served it, with its tokens
        JsonObject keyAfter = statsRow("key", "openai/main");
        assertEquals(count(keyBefore, "requests") + 1, count(keyAfter, "requests"));
        assertEquals(count(keyBefore, "input_tokens") + 1000, count(keyAfter, "input_tokens"));
        assertEquals(count(keyBefore, "errors"), count(keyAfter, "errors"));
        assertEquals(count(before, "input_tokens") + 1000, count(after, "input_tokens"));
        BigDecimal spent = after.getJsonNumber("cost_usd").bigDecimalValue()
                .subtract(before == null ? BigDecimal.ZERO : before.getJsonNumber("cost_usd").bigDecimalValue());
        assertEquals(0, new BigDecimal("3").compareTo(spent), "1000 × $1000/M + 1000 × $2000/M");
        assertTrue(after.containsKey("latency_p50_ms") && after.containsKey("latency_p95_ms"));
        JsonArray hours = JsonBodies.parse(admin("/admin/stats?group_by=hour&split_by=provider").body())
                .getJsonArray("data");
        assertFalse(hours.isEmpty());
        assertNotNull(Instant.parse(hours.getJsonObject(0).getString("key")));
    }

    @Test
    void theCountersOfTheLogAreExported() {
        String metrics = Http.get(gateway.uri("/metrics")).body();
        assertTrue(metrics.contains("gateway_logs_dropped_total{reason=\"queue_full\"}"), metrics);
        assertTrue(metrics.contains("gateway_logs_written_total"), metrics);
        // the writer thread opens (and so creates) the database in the background at start-up
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!Files.isRegularFile(temp.resolve("data/gateway.db")) && System.nanoTime() < until) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        assertTrue(Files.isRegularFile(temp.resolve("data/gateway.db")), "the SQLite file is created at start-up");
    }

    private static long count(JsonObject row, String field) {
        return row == null ? 0 : row.getJsonNumber(field).longValue();
    }

    private static JsonObject statsRow(String groupBy, String key) {
        HttpResponse<String> response = admin("/admin/stats?group_by=" + groupBy);
        assertEquals(200, response.statusCode(), response.body());
        for (JsonValue value : JsonBodies.parse(response.body()).getJsonArray("data")) {
            JsonObject row = value.asJsonObject();
            if (key.equals(row.isNull("key") ? null : row.getString("key"))) {
                return row;
            }
        }
        return null;
    }

    static HttpResponse<String> admin(String path) {
        return Http.get(gateway.uri(path), "authorization", "Bearer " + ADMIN);
    }

    /** Waits until the writer stored the entry, and answers it as the list shows it. */
    static JsonObject awaitListed(String id) {
        JsonObject[] found = new JsonObject[1];
        await(() -> {
            HttpResponse<String> response = admin("/admin/logs?q=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                return false;
            }
            for (JsonValue value : JsonBodies.parse(response.body()).getJsonArray("data")) {
                if (value.asJsonObject().getString("id").equals(id)) {
                    found[0] = value.asJsonObject();
                    return true;
                }
            }
            return false;
        }, "entry " + id);
        return found[0];
    }

    /**
     * Waits until a gateway's writer stored a request, and answers its detail.
     *
     * @param target     the gateway
     * @param adminToken its admin token
     * @param id         the request id
     * @return {@code GET /admin/logs/{id}}'s answer
     */
    static JsonObject awaitDetail(TestGateway target, String adminToken, String id) {
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> found =
                new java.util.concurrent.atomic.AtomicReference<>();
        await(() -> {
            found.set(Http.get(target.uri("/admin/logs/" + id), "authorization", "Bearer " + adminToken));
            return found.get().statusCode() == 200;
        }, "request " + id + " in the request log");
        return JsonBodies.parse(found.get().body());
    }

    static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            RedisServer.sleep(50);
        }
        fail("not within 20 s: " + what);
    }
}
