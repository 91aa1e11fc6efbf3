package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits and budgets that hold exactly, against the real server: requests reserve their worst case
 * before the call and settle with their actual usage after it. The same checks run on one gateway
 * with the in-memory store ({@link LimitsIT}) and on two gateways sharing one real Redis
 * ({@link LimitsClusterIT}), where requests alternate between the replicas and every count is read on
 * the other one.
 *
 * <p>The worst case of a request is computed here from the documented rule (docs/governance.md): the
 * body's bytes as compact JSON plus its {@code max_tokens}; in dollars, those at the input and output
 * prices of {@code gateway.pricing}. The usage report's {@code reserved} confirms it while requests
 * are in flight.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LimitsChecks {

    private static final String CHAT = "/v1/chat/completions";
    private static final String ADMIN_TOKEN = "limits-admin-" + UUID.randomUUID();
    private static final int CAP = 50;
    /** The request of the bursts: compact JSON, so its size is its string length. */
    private static final String BODY = "{\"model\":\"slow/mock-model\",\"max_tokens\":" + CAP
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"count my tokens please\"}]}";
    /** Tokens one {@link #BODY} may use: its bytes, then its cap. */
    static final long WORST_TOKENS = BODY.length() + CAP;
    /** What one {@link #BODY} may cost in micro-dollars at $10 in and $20 out per 1M tokens. */
    static final long WORST_MICROS = BODY.length() * 10L + CAP * 20L;

    private final Map<String, String> keys = Map.of(
            "tokens", "sk-bf-tokens-" + UUID.randomUUID(),
            "dollars", "sk-bf-dollars-" + UUID.randomUUID(),
            "streams", "sk-bf-streams-" + UUID.randomUUID(),
            "failures", "sk-bf-failures-" + UUID.randomUUID(),
            "jobs", "sk-bf-jobs-" + UUID.randomUUID(),
            "probe", "sk-bf-probe-" + UUID.randomUUID());

    private TestGateway a;
    private TestGateway b;

    /**
     * The gateways the checks run against: one, or two replicas sharing a store.
     *
     * @param config  every gateway's configuration (the {@code state} block is the subclass's to add)
     * @param plugins the plugins directory
     * @param env     the variables the configuration names
     * @return one or two gateways; the first takes odd requests, the last answers the usage report
     */
    abstract List<TestGateway> start(String config, Path plugins, Map<String, String> env);

    /** Releases what {@link #start} set up beyond the gateways (a Redis). */
    abstract void stopStore();

    @BeforeAll
    void startGateways(@TempDir Path temp) {
        PluginFolders plugins = RedisPluginFolder.add(PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin"));
        Map<String, String> env = new java.util.HashMap<>();
        keys.forEach((name, value) -> env.put("LIMITS_KEY_" + name.toUpperCase(java.util.Locale.ROOT), value));
        env.put("LIMITS_ADMIN", ADMIN_TOKEN);
        // room for five worst cases, not six
        String config = """
                gateway:
                  admin:
                    token: ${LIMITS_ADMIN}
                  providers:
                    mock:
                      type: mock
                    slow:
                      type: mock
                      latency: 3s
                    trickle:
                      type: mock
                      stream-interval: 250ms
                  pricing:
                    mock/mock-model: {input: 10, output: 20}
                    slow/mock-model: {input: 10, output: 20}
                    trickle/mock-model: {input: 10, output: 20}
                  middleware:
                    - type: governance
                      virtual-keys:
                        - name: tokens
                          value: ${LIMITS_KEY_TOKENS}
                          rate-limit: {tokens: %d, tokens-per: 1h}
                        - name: dollars
                          value: ${LIMITS_KEY_DOLLARS}
                          budget: {usd: %s, per: 1d}
                        - name: streams
                          value: ${LIMITS_KEY_STREAMS}
                          rate-limit: {tokens: 1000000, tokens-per: 1h}
                          budget: {usd: 100, per: 1d}
                        - name: failures
                          value: ${LIMITS_KEY_FAILURES}
                          rate-limit: {tokens: 1000000, tokens-per: 1h}
                          budget: {usd: 100, per: 1d}
                        - name: jobs
                          value: ${LIMITS_KEY_JOBS}
                          rate-limit: {tokens: 1000000, tokens-per: 1h}
                          budget: {usd: 100, per: 1d}
                        - name: probe
                          value: ${LIMITS_KEY_PROBE}
                """.formatted(6 * WORST_TOKENS - 1, BigDecimal.valueOf(6 * WORST_MICROS - 1, 6).toPlainString());
        List<TestGateway> gateways = start(config, plugins.root(), env);
        a = gateways.get(0);
        b = gateways.get(gateways.size() - 1);
        for (TestGateway gateway : gateways) {
            ClusterWarmup.awaitStore("a gateway of " + getClass().getSimpleName(), 200, () -> Http.post(
                    gateway.uri(CHAT), chat("mock/mock-model", "warm up"), "x-bf-vk", keys.get("probe")));
        }
    }

    @AfterAll
    void stopGateways() {
        try {
            for (TestGateway gateway : new TestGateway[] {a, b}) {
                if (gateway != null) {
                    gateway.close();
                }
            }
        } finally {
            stopStore();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String chat(String model, String text) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    /** A virtual key's entry in the usage report, read on the last gateway. */
    private JsonObject usage(String key) {
        HttpResponse<String> response = Http.get(b.uri("/admin/usage"), "authorization", "Bearer " + ADMIN_TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        for (JsonValue entry : JsonBodies.parse(response.body()).getJsonObject("governance")
                .getJsonArray("virtual_keys")) {
            if (key.equals(entry.asJsonObject().getString("name"))) {
                return entry.asJsonObject();
            }
        }
        return fail("no usage entry for " + key + ": " + response.body());
    }

    private long tokens(String key, String field) {
        return usage(key).getJsonObject("tokens").getJsonNumber(field).longValue();
    }

    private long micros(String key, String field) {
        return usage(key).getJsonObject("spend").getJsonNumber(field).bigDecimalValue().movePointRight(6)
                .longValueExact();
    }

    /** Waits until the usage report shows what {@code condition} expects. */
    private void await(String what, Predicate<JsonObject> condition, String key) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonObject last;
        do {
            last = usage(key);
            if (condition.test(last)) {
                return;
            }
            RedisServer.sleep(50);
        } while (System.nanoTime() < deadline);
        fail(what + " within 20 s: " + last);
    }

    /** Keeps a burst inside one window: waits if the hour (and so the day) ends within a minute. */
    private static void awaitRoomInTheHour() {
        long left = 3_600_000 - System.currentTimeMillis() % 3_600_000;
        if (left < 60_000) {
            RedisServer.sleep(left + 500);
        }
    }

    /** The usage an answer reports, in tokens and in micro-dollars at $10 in and $20 out per 1M. */
    private static long[] usageOf(JsonObject usage) {
        long prompt = usage.getJsonNumber("prompt_tokens").longValue();
        long completion = usage.getJsonNumber("completion_tokens").longValue();
        return new long[] {prompt + completion, prompt * 10 + completion * 20};
    }

    /**
     * Twenty requests at once, alternating between the gateways, against a key with room for five
     * worst cases: exactly five are admitted (each holds its worst case while the slow provider
     * answers), fifteen are refused before any upstream call, and what is charged afterwards is
     * exactly the admitted answers' usage, within the limit.
     *
     * @return {tokens, micro-dollars} of the admitted answers together
     */
    private long[] burst(String key, int refusalStatus, Runnable whileInFlight) throws Exception {
        awaitRoomInTheHour();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                URI target = (i % 2 == 0 ? a : b).uri(CHAT);
                answers.add(threads.submit(() -> {
                    go.await();
                    return Http.post(target, BODY, "x-bf-vk", keys.get(key));
                }));
            }
            long started = System.nanoTime();
            go.countDown();
            // the refusals come at once; the admitted requests wait 3 s for the slow provider
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (answers.stream().filter(Future::isDone).count() < 15 && System.nanoTime() < deadline) {
                RedisServer.sleep(10);
            }
            if (System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(2_500)) {
                // all admitted requests are still waiting for their answer: their holds are all there
                whileInFlight.run();
            } else {
                System.out.println(getClass().getSimpleName() + ": the refusals took over 2.5 s (a busy machine);"
                        + " the holds of the admitted requests were not compared with the estimate");
            }
        }
        int admitted = 0;
        long[] used = new long[2];
        for (Future<HttpResponse<String>> future : answers) {
            HttpResponse<String> answer = future.get();
            if (answer.statusCode() == 200) {
                admitted++;
                long[] one = usageOf(JsonBodies.parse(answer.body()).getJsonObject("usage"));
                used[0] += one[0];
                used[1] += one[1];
            } else {
                assertEquals(refusalStatus, answer.statusCode(), answer.body());
                String message = JsonBodies.parse(answer.body()).getJsonObject("error").getString("message");
                assertTrue(message.contains("held by requests in flight"), message);
                if (refusalStatus == 429) {
                    assertEquals("1", answer.headers().firstValue("retry-after").orElse(null),
                            "only requests in flight stand in the way");
                }
            }
        }
        assertEquals(5, admitted, "admitted of 20 against room for 5");
        return used;
    }

    // ---------------------------------------------------------------- the checks

    @Test
    void twentyConcurrentRequestsAgainstRoomForFiveTokenWorstCases() throws Exception {
        long limit = 6 * WORST_TOKENS - 1;
        long[] used = burst("tokens", 429, () -> assertEquals(5 * WORST_TOKENS, tokens("tokens", "reserved"),
                "five worst cases held, as the documented estimate says"));

        await("no tokens held after the burst", entry -> entry.getJsonObject("tokens").getInt("reserved") == 0,
                "tokens");
        long settled = tokens("tokens", "count");
        assertEquals(used[0], settled, "exactly the admitted answers' usage is charged");
        assertTrue(settled <= limit, settled + " tokens charged against a limit of " + limit);
    }

    @Test
    void twentyConcurrentRequestsAgainstABudgetWithRoomForFive() throws Exception {
        long budget = 6 * WORST_MICROS - 1;
        long[] used = burst("dollars", 402, () -> assertEquals(5 * WORST_MICROS, micros("dollars", "reserved_usd"),
                "five worst cases held, in micro-dollars"));

        await("no dollars held after the burst", entry -> entry.getJsonObject("spend")
                .getJsonNumber("reserved_usd").bigDecimalValue().signum() == 0, "dollars");
        long spent = micros("dollars", "usd");
        assertEquals(used[1], spent, "exactly the admitted answers' cost is spent");
        assertTrue(spent <= budget, spent + " micro-dollars spent of a budget of " + budget);
    }

    @Test
    void aStreamHoldsItsWorstCaseWhileItRunsAndIsSettledAtItsEnd() throws IOException {
        awaitRoomInTheHour();
        String body = "{\"model\":\"trickle/mock-model\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\"tell me a long story\"}]}";
        long worst = body.length() + 40;
        long before = tokens("streams", "count");
        HttpResponse<InputStream> response = Http.postStream(a.uri(CHAT), body, "x-bf-vk", keys.get("streams"));
        assertEquals(200, response.statusCode());
        String text;
        try (InputStream in = response.body()) {
            byte[] first = new byte[16];
            assertTrue(in.read(first) > 0, "the stream started");
            assertEquals(worst, tokens("streams", "reserved"), "held while the stream runs");
            assertEquals(before, tokens("streams", "count"), "nothing charged before its end");
            text = new String(first, StandardCharsets.UTF_8) + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<SseFrame> frames = SseParser.readAll(text.substring(text.indexOf("data:")));
        JsonObject usage = null;
        for (SseFrame frame : frames) {
            if (!frame.isDone() && frame.json().get("usage") instanceof JsonObject object) {
                usage = object;
            }
        }
        assertTrue(usage != null, "the client asked for the usage chunk: " + text);
        long[] used = usageOf(usage);
        await("the stream settled", entry -> entry.getJsonObject("tokens").getInt("reserved") == 0
                && entry.getJsonObject("tokens").getJsonNumber("count").longValue() == before + used[0], "streams");
        assertTrue(used[0] < worst);
    }

    @Test
    void aFailedUpstreamCallReleasesItsReservation() throws Exception {
        long tokensBefore = tokens("failures", "count");
        long spentBefore = micros("failures", "usd");
        String body = "{\"model\":\"slow/error-503\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"fail\"}]}";
        CompletableFuture<HttpResponse<String>> failing = CompletableFuture.supplyAsync(
                () -> Http.post(a.uri(CHAT), body, "x-bf-vk", keys.get("failures")));
        await("the failing request's hold", entry -> entry.getJsonObject("tokens").getJsonNumber("reserved")
                .longValue() == body.length() + 20, "failures");

        HttpResponse<String> failed = failing.get(20, TimeUnit.SECONDS);
        assertEquals(503, failed.statusCode(), failed.body());
        JsonObject after = usage("failures");
        assertEquals(0, after.getJsonObject("tokens").getInt("reserved"), "released at once: " + after);
        assertEquals(0, after.getJsonObject("spend").getJsonNumber("reserved_usd").bigDecimalValue().signum());
        assertEquals(tokensBefore, tokens("failures", "count"), "a failure costs nothing");
        assertEquals(spentBefore, micros("failures", "usd"));
    }

    @Test
    void anAsyncJobThatNobodyPollsIsChargedWhenItCompletes() {
        String body = "{\"model\":\"slow/mock-model\",\"max_tokens\":30,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"work in the background\"}]}";
        // the same request answered synchronously says what the job will use
        HttpResponse<String> sync = Http.post(a.uri(CHAT), body, "x-bf-vk", keys.get("probe"));
        assertEquals(200, sync.statusCode(), sync.body());
        long[] expected = usageOf(JsonBodies.parse(sync.body()).getJsonObject("usage"));

        long tokensBefore = tokens("jobs", "count");
        long spentBefore = micros("jobs", "usd");
        HttpResponse<String> submitted = Http.post(a.uri(CHAT), body, "x-bf-vk", keys.get("jobs"), "x-bf-async", "true");
        assertEquals(200, submitted.statusCode(), submitted.body());
        assertEquals("async_job", JsonBodies.parse(submitted.body()).getString("object"));
        assertEquals(body.length() + 30, tokens("jobs", "reserved"), "admitted with a reservation at submission");

        // nobody polls: the job is charged when its worker finishes
        await("the job charged", entry -> entry.getJsonObject("tokens").getJsonNumber("count").longValue()
                == tokensBefore + expected[0] && entry.getJsonObject("tokens").getInt("reserved") == 0, "jobs");
        assertEquals(spentBefore + expected[1], micros("jobs", "usd"));
        assertFalse(usage("jobs").getJsonObject("spend").getJsonNumber("reserved_usd").bigDecimalValue().signum() != 0);
    }
}
