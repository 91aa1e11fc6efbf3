package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.OpenAiPreset;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The routing issue's rules against the real server and the real OpenAI plugin, with one fake
 * upstream per configured provider so that each provider's settings (retries, keys, timeouts,
 * limits, fallbacks) are observed on its own upstream's recorded requests.
 */
class RoutingIT {

    @TempDir
    static Path temp;

    /** One fake upstream per provider name below. */
    static final Map<String, FakeUpstream> UPSTREAMS = new LinkedHashMap<>();
    static TestGateway gateway;
    static int closedPort;

    /** HTTP/1.1 only, so concurrent requests use concurrent connections. */
    static final HttpClient PARALLEL = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static final List<String> NAMES = List.of("weighted", "narrow", "flaky", "once", "patient", "capped",
            "rotating", "guarded", "slow", "slowretry", "idle", "limited", "single", "primary", "second", "third",
            "defaulted", "abandoned");

    @BeforeAll
    static void start() throws IOException {
        for (String name : NAMES) {
            UPSTREAMS.put(name, FakeUpstream.openAi());
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin");
        gateway = TestGateway.start("""
                gateway:
                  providers:
                    weighted:
                      type: openai
                      base-url: %s/v1
                      keys:
                        - name: a
                          value: sk-a
                          weight: 3
                          models: ["gpt-4o", "gpt-4o-mini"]
                        - name: b
                          value: sk-b
                          weight: 1
                          models: ["*"]
                    narrow:
                      type: openai
                      base-url: %s/v1
                      keys:
                        - name: a
                          value: sk-a
                          models: ["gpt-4o"]
                    flaky:
                      type: openai
                      base-url: %s/v1
                      max-retries: 2
                      retry-backoff-initial: 100ms
                      retry-backoff-max: 2s
                    once:
                      type: openai
                      base-url: %s/v1
                      max-retries: 1
                      retry-backoff-initial: 50ms
                    patient:
                      type: openai
                      base-url: %s/v1
                      max-retries: 1
                    capped:
                      type: openai
                      base-url: %s/v1
                      max-retries: 1
                      retry-backoff-initial: 50ms
                      retry-backoff-max: 200ms
                    rotating:
                      type: openai
                      base-url: %s/v1
                      max-retries: 1
                      retry-backoff-initial: 20ms
                      keys:
                        - name: a
                          value: sk-a
                        - name: b
                          value: sk-b
                    guarded:
                      type: openai
                      base-url: %s/v1
                      max-retries: 2
                      retry-backoff-initial: 1s
                      keys:
                        - name: a
                          value: sk-a
                        - name: b
                          value: sk-b
                    slow:
                      type: openai
                      base-url: %s/v1
                      timeout: 1s
                    slowretry:
                      type: openai
                      base-url: %s/v1
                      timeout: 500ms
                      max-retries: 1
                      retry-backoff-initial: 50ms
                    idle:
                      type: openai
                      base-url: %s/v1
                      stream-idle-timeout: 500ms
                    limited:
                      type: openai
                      base-url: %s/v1
                      timeout: 5s
                      max-concurrency: 2
                      queue-size: 1
                    single:
                      type: openai
                      base-url: %s/v1
                      max-concurrency: 1
                      queue-size: 0
                    primary:
                      type: openai
                      base-url: %s/v1
                    second:
                      type: openai
                      base-url: %s/v1
                    third:
                      type: openai
                      base-url: %s/v1
                    defaulted:
                      type: openai
                      base-url: %s/v1
                      fallbacks: ["second/gpt-4o"]
                    abandoned:
                      type: openai
                      base-url: %s/v1
                      max-concurrency: 1
                      queue-size: 0
                    refused:
                      type: openai
                      base-url: http://127.0.0.1:%d/v1
                      max-retries: 2
                      retry-backoff-initial: 50ms
                """.formatted(baseUrlsThenClosedPort()), plugins.root());
    }

    private static Object[] baseUrlsThenClosedPort() {
        List<Object> args = new ArrayList<>();
        NAMES.forEach(name -> args.add(UPSTREAMS.get(name).baseUrl()));
        args.add(closedPort);
        return args.toArray();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        UPSTREAMS.values().forEach(FakeUpstream::close);
    }

    @BeforeEach
    void resetUpstreams() {
        UPSTREAMS.values().forEach(FakeUpstream::reset);
    }

    // ---------------------------------------------------------------- helpers

    static FakeUpstream up(String name) {
        return UPSTREAMS.get(name);
    }

    static String chatBody(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    static HttpResponse<String> chat(String model, String... headers) {
        return Http.post(gateway.uri("/v1/chat/completions"), chatBody(model), headers);
    }

    static JsonObject envelope(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject envelope = JsonBodies.parse(response.body());
        assertEquals(status, envelope.getInt("status_code"), response.body());
        return envelope;
    }

    static String errorType(JsonObject envelope) {
        return envelope.getJsonObject("error").getString("type");
    }

    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    static long millisBetween(RecordedRequest earlier, RecordedRequest later) {
        return Duration.between(earlier.receivedAt(), later.receivedAt()).toMillis();
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    static SseFrame chatChunk(String content) {
        return SseFrame.data("{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\"" + content + "\"}}]}");
    }

    static String streamBody(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    /** Waits long enough for a retry (or a fallback) that should not happen to show up upstream. */
    static void settle() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- keys

    @Nested
    class Keys {

        @Test
        void weightsDecideTheShareOfEachKey() throws Exception {
            int n = 2000;
            List<Integer> statuses = parallel(n, 32, () -> send(PARALLEL, chatBody("weighted/gpt-4o")).statusCode());
            assertTrue(statuses.stream().allMatch(s -> s == 200), "every request succeeds");
            List<RecordedRequest> seen = up("weighted").requests();
            assertEquals(n, seen.size());
            long a = seen.stream().filter(r -> "Bearer sk-a".equals(r.header("authorization"))).count();
            long b = seen.stream().filter(r -> "Bearer sk-b".equals(r.header("authorization"))).count();
            assertEquals(n, a + b, "every request carries one of the two keys");
            // Weights 3:1 give key a with p = 0.75. Over n = 2000 independent picks the share of a is
            // binomial/n with standard deviation sqrt(p(1-p)/n) = 0.00968; the accepted band is 5 standard
            // deviations either side (0.7016..0.7984), which a correct selector leaves with probability
            // below 6e-7, while equal weights (0.5) or first-key-wins (1.0) land far outside it.
            double share = a / (double) n;
            double sigma = Math.sqrt(0.75 * 0.25 / n);
            assertTrue(Math.abs(share - 0.75) <= 5 * sigma,
                    "key a served " + a + " of " + n + " (" + share + "); expected 0.75 ± " + 5 * sigma);
        }

        @Test
        void aModelOnlyOneKeyAllowsAlwaysUsesThatKey() {
            for (int i = 0; i < 40; i++) {
                assertEquals(200, chat("weighted/o3").statusCode());
            }
            List<RecordedRequest> seen = up("weighted").requests();
            assertEquals(40, seen.size());
            assertTrue(seen.stream().allMatch(r -> "Bearer sk-b".equals(r.header("authorization"))),
                    "key a does not allow o3, so b serves it every time");
            assertEquals("o3", seen.get(0).bodyJson().getString("model"));
        }

        @Test
        void noKeyAllowingTheModelIs400NamingModelAndProvider() {
            JsonObject envelope = envelope(chat("narrow/o3"), 400);
            String message = envelope.getJsonObject("error").getString("message");
            assertTrue(message.contains("o3") && message.contains("narrow"), message);
            assertEquals(0, up("narrow").requestCount());
        }

        @Test
        void headerPinsAKeyByName() {
            for (int i = 0; i < 40; i++) {
                assertEquals(200, chat("weighted/gpt-4o", "x-bf-api-key", "b").statusCode());
            }
            // Unpinned, key a would serve 3 in 4 of these; 40 times b by chance is 0.25^40.
            assertTrue(up("weighted").requests().stream()
                    .allMatch(r -> "Bearer sk-b".equals(r.header("authorization"))));
        }

        @Test
        void pinningAnUnknownKeyIs400() {
            JsonObject envelope = envelope(chat("weighted/gpt-4o", "x-bf-api-key", "nosuchkey"), 400);
            String message = envelope.getJsonObject("error").getString("message");
            assertTrue(message.contains("nosuchkey"), message);
            assertEquals(0, up("weighted").requestCount());
        }
    }

    // ---------------------------------------------------------------- retries

    @Nested
    class Retries {

        @Test
        void twoFailuresThenSuccessWithTwoRetries() {
            up("flaky").on("POST", "/v1/chat/completions").respond(Reply.error(500, "overloaded"),
                    Reply.error(500, "overloaded"), Reply.from(OpenAiPreset::chatCompletions));
            HttpResponse<String> response = chat("flaky/gpt-4o");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("2", header(response, "x-bifrost-retries"));
            assertEquals("chat.completion", JsonBodies.parse(response.body()).getString("object"));
            assertEquals(3, up("flaky").requestCount());
        }

        @Test
        void retriesRunOutAndTheClientGetsTheUpstreamError() {
            up("once").on("POST", "/v1/chat/completions").respond(Reply.error(500, "server_error", "boom_500",
                    "the upstream is on fire"), Reply.error(500, "server_error", "boom_500", "the upstream is on fire"),
                    Reply.from(OpenAiPreset::chatCompletions));
            JsonObject envelope = envelope(chat("once/gpt-4o"), 500);
            assertEquals("the upstream is on fire", envelope.getJsonObject("error").getString("message"));
            assertEquals("boom_500", envelope.getJsonObject("error").getString("code"));
            assertFalse(envelope.getBoolean("is_bifrost_error"));
            assertEquals(2, envelope.getJsonObject("extra_fields").getInt("attempts"));
            settle();
            assertEquals(2, up("once").requestCount(), "max-retries 1: the first attempt and one retry");
        }

        @Test
        void retryAfterIsHonoured() {
            up("patient").on("POST", "/v1/chat/completions").respond(
                    Reply.error(429, "slow down").header("retry-after", "1"), Reply.from(OpenAiPreset::chatCompletions));
            HttpResponse<String> response = chat("patient/gpt-4o");
            assertEquals(200, response.statusCode(), response.body());
            List<RecordedRequest> seen = up("patient").requests();
            assertEquals(2, seen.size());
            long gap = millisBetween(seen.get(0), seen.get(1));
            // the backoff alone (500 ms × 0.8..1.2) would retry after at most 600 ms
            assertTrue(gap >= 900 && gap < 1600, "retried " + gap + " ms after a retry-after: 1");
        }

        @Test
        void retryAfterIsCappedByTheBackoffMax() {
            up("capped").on("POST", "/v1/chat/completions").respond(
                    Reply.error(429, "slow down").header("retry-after", "1"), Reply.from(OpenAiPreset::chatCompletions));
            assertEquals(200, chat("capped/gpt-4o").statusCode());
            List<RecordedRequest> seen = up("capped").requests();
            assertEquals(2, seen.size());
            long gap = millisBetween(seen.get(0), seen.get(1));
            assertTrue(gap >= 180 && gap < 500, "retry-backoff-max 200ms, yet retried after " + gap + " ms");
        }

        @Test
        void backoffDoublesWithJitter() {
            up("flaky").on("POST", "/v1/chat/completions").respond(Reply.error(503, "busy"), Reply.error(503, "busy"),
                    Reply.from(OpenAiPreset::chatCompletions));
            assertEquals(200, chat("flaky/gpt-4o").statusCode());
            List<RecordedRequest> seen = up("flaky").requests();
            assertEquals(3, seen.size());
            long first = millisBetween(seen.get(0), seen.get(1));
            long second = millisBetween(seen.get(1), seen.get(2));
            // 100 ms × 0.8..1.2 then 200 ms × 0.8..1.2, plus a few ms for the failed round trip
            assertTrue(first >= 78 && first < 190, "first backoff " + first + " ms");
            assertTrue(second >= 158 && second < 320, "second backoff " + second + " ms");
            assertTrue(second > first, "backoff grows: " + first + " then " + second + " ms");
        }

        @Test
        void rateLimitRotatesToTheOtherKey() {
            // with two equal keys a retry that ignored the 429's key would reuse it half the time;
            // eight rounds make that visible with probability 1 - 2^-8
            for (int round = 0; round < 8; round++) {
                up("rotating").reset();
                up("rotating").on("POST", "/v1/chat/completions").respond(Reply.error(429, "rate limited"),
                        Reply.from(OpenAiPreset::chatCompletions));
                HttpResponse<String> response = chat("rotating/gpt-4o");
                assertEquals(200, response.statusCode(), response.body());
                assertEquals("1", header(response, "x-bifrost-retries"));
                List<RecordedRequest> seen = up("rotating").requests();
                assertEquals(2, seen.size());
                assertNotEquals(seen.get(0).header("authorization"), seen.get(1).header("authorization"),
                        "round " + round + ": the retry after a 429 used the same key");
            }
        }

        @ParameterizedTest
        @ValueSource(ints = {401, 403})
        void rejectedKeyIsDroppedAndTheOtherKeyTriedAtOnce(int status) {
            up("guarded").on("POST", "/v1/chat/completions").respond(
                    Reply.error(status, "invalid_request_error", "invalid_api_key", "Incorrect API key provided"),
                    Reply.from(OpenAiPreset::chatCompletions));
            HttpResponse<String> response = chat("guarded/gpt-4o");
            assertEquals(200, response.statusCode(), response.body());
            List<RecordedRequest> seen = up("guarded").requests();
            assertEquals(2, seen.size());
            assertNotEquals(seen.get(0).header("authorization"), seen.get(1).header("authorization"));
            long gap = millisBetween(seen.get(0), seen.get(1));
            // the provider's backoff is 1 s, so any backoff would show as >= 800 ms
            assertTrue(gap < 100, "rotation after " + status + " waited " + gap + " ms");
        }

        @Test
        void allKeysRejectedIs502CredentialsExhausted() {
            up("guarded").on("POST", "/v1/chat/completions").respond(
                    Reply.error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided"));
            JsonObject envelope = envelope(chat("guarded/gpt-4o"), 502);
            assertEquals("upstream_credentials_exhausted", errorType(envelope));
            settle();
            List<RecordedRequest> seen = up("guarded").requests();
            assertEquals(2, seen.size(), "each key once, no retries of a dead key");
            assertNotEquals(seen.get(0).header("authorization"), seen.get(1).header("authorization"));
        }

        @ParameterizedTest
        @ValueSource(ints = {400, 404, 422})
        void clientErrorsAreNotRetried(int status) {
            up("flaky").on("POST", "/v1/chat/completions").respond(Reply.error(status, "invalid_request_error",
                    null, "no"), Reply.from(OpenAiPreset::chatCompletions));
            envelope(chat("flaky/gpt-4o"), status);
            settle();
            assertEquals(1, up("flaky").requestCount());
        }

        @Test
        void connectionRefusedIsRetriedThen502() {
            long started = System.nanoTime();
            JsonObject envelope = envelope(chat("refused/gpt-4o"), 502);
            long millis = millisSince(started);
            assertEquals("provider_connection_failed", errorType(envelope));
            assertEquals(3, envelope.getJsonObject("extra_fields").getInt("attempts"),
                    "the first attempt and max-retries 2");
            // two backoffs of 50 ms and 100 ms (× 0.8..1.2) at least
            assertTrue(millis >= 120, "three attempts with backoff took only " + millis + " ms");
        }

        @Test
        void resetMidBodyIsRetried() {
            up("flaky").on("POST", "/v1/chat/completions").respond(
                    Reply.truncated(200, 400, "{\"id\":\"chatcmpl-cut\",\"object\":\"chat.comp"),
                    Reply.from(OpenAiPreset::chatCompletions));
            HttpResponse<String> response = chat("flaky/gpt-4o");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("1", header(response, "x-bifrost-retries"));
            assertEquals("chat.completion", JsonBodies.parse(response.body()).getString("object"));
            assertEquals(2, up("flaky").requestCount());
        }

        @Test
        void slowFirstByteBeyondTheTimeoutIs504() {
            up("slow").on("POST", "/v1/chat/completions").respond(
                    Reply.from(OpenAiPreset::chatCompletions).delay(Duration.ofSeconds(5)));
            long started = System.nanoTime();
            JsonObject envelope = envelope(chat("slow/gpt-4o"), 504);
            long millis = millisSince(started);
            assertEquals("request_timed_out", errorType(envelope));
            assertTrue(envelope.getBoolean("is_bifrost_error"));
            // timeout: 1s is a deadline: not earlier, and well before the upstream's 5 s
            assertTrue(millis >= 900 && millis < 1500, "a 1 s timeout answered after " + millis + " ms");
        }

        @Test
        void theTimeoutIsADeadlineForTheWholeBodyNotPerRead() {
            // headers at once, then a body whose pieces each arrive within the 1 s timeout of the
            // previous one, while the whole answer takes 1.85 s
            up("slow").on("POST", "/v1/chat/completions").respond(Reply.chunked(200, "application/json", List.of(
                    Reply.Chunk.of("{\"id\":\"chatcmpl-trickle\","),
                    Reply.Chunk.of("\"object\":").after(Duration.ofMillis(900)),
                    Reply.Chunk.of("\"chat.completion\",\"choices\":[]}").after(Duration.ofMillis(950)))));
            long started = System.nanoTime();
            JsonObject envelope = envelope(chat("slow/gpt-4o"), 504);
            long millis = millisSince(started);
            assertEquals("request_timed_out", errorType(envelope));
            assertTrue(millis >= 900 && millis < 1500, "a 1 s timeout answered a trickling body after " + millis
                    + " ms");
        }

        @Test
        void aTimeoutBeforeTheFirstByteIsRetried() {
            up("slowretry").on("POST", "/v1/chat/completions").respond(
                    Reply.from(OpenAiPreset::chatCompletions).delay(Duration.ofSeconds(3)),
                    Reply.from(OpenAiPreset::chatCompletions));
            long started = System.nanoTime();
            HttpResponse<String> response = chat("slowretry/gpt-4o");
            long millis = millisSince(started);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("1", header(response, "x-bifrost-retries"));
            assertEquals(2, up("slowretry").requestCount());
            assertTrue(millis < 1500, "timeout 500ms + retry answered after " + millis + " ms");
        }
    }

    // ---------------------------------------------------------------- fallbacks

    @Nested
    class Fallbacks {

        static String withFallbacks(String model, String... fallbacks) {
            StringBuilder list = new StringBuilder();
            for (String fallback : fallbacks) {
                list.append(list.isEmpty() ? "" : ",").append('"').append(fallback).append('"');
            }
            return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                    + "\"fallbacks\":[" + list + "]}";
        }

        static HttpResponse<String> send(String body) {
            return Http.post(gateway.uri("/v1/chat/completions"), body);
        }

        static void noUpstreamSawFallbacks() {
            for (Map.Entry<String, FakeUpstream> entry : UPSTREAMS.entrySet()) {
                for (RecordedRequest request : entry.getValue().requests()) {
                    assertFalse(request.bodyJson().containsKey("fallbacks"),
                            "'fallbacks' reached upstream " + entry.getKey());
                }
            }
        }

        @Test
        void secondServesWhenThePrimaryFails() {
            up("primary").on("POST", "/v1/chat/completions").respond(Reply.error(503, "primary down"));
            HttpResponse<String> response = send(withFallbacks("primary/gpt-4o", "second/gpt-4o", "third/gpt-4o"));
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("1", header(response, "x-bifrost-fallback-index"));
            assertEquals("second", header(response, "x-bifrost-provider"));
            assertEquals("gpt-4o", header(response, "x-bifrost-resolved-model"));
            assertEquals(1, up("primary").requestCount());
            assertEquals(1, up("second").requestCount());
            assertEquals(0, up("third").requestCount());
            assertEquals("gpt-4o", up("second").lastRequest().bodyJson().getString("model"));
            noUpstreamSawFallbacks();
        }

        @Test
        void noFallbackIndexWhenThePrimaryServes() {
            HttpResponse<String> response = send(withFallbacks("primary/gpt-4o", "second/gpt-4o"));
            assertEquals(200, response.statusCode(), response.body());
            assertNull(header(response, "x-bifrost-fallback-index"));
            assertEquals("primary", header(response, "x-bifrost-provider"));
            assertEquals(0, up("second").requestCount());
            noUpstreamSawFallbacks();
        }

        @Test
        void fallbacksAreTriedInTheirOrder() {
            up("primary").on("POST", "/v1/chat/completions").respond(Reply.error(503, "primary down"));
            up("second").on("POST", "/v1/chat/completions").respond(Reply.error(503, "second down"));
            HttpResponse<String> response = send(withFallbacks("primary/gpt-4o", "second/gpt-4o", "third/gpt-4o"));
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("2", header(response, "x-bifrost-fallback-index"));
            assertEquals("third", header(response, "x-bifrost-provider"));
            assertEquals(1, up("second").requestCount());
            assertEquals(1, up("third").requestCount());
            assertTrue(up("second").lastRequest().receivedAt().isBefore(up("third").lastRequest().receivedAt()));

            resetUpstreams();
            up("primary").on("POST", "/v1/chat/completions").respond(Reply.error(503, "primary down"));
            up("third").on("POST", "/v1/chat/completions").respond(Reply.error(503, "third down"));
            HttpResponse<String> reversed = send(withFallbacks("primary/gpt-4o", "third/gpt-4o", "second/gpt-4o"));
            assertEquals(200, reversed.statusCode(), reversed.body());
            assertEquals("2", header(reversed, "x-bifrost-fallback-index"));
            assertEquals("second", header(reversed, "x-bifrost-provider"));
            assertEquals(1, up("third").requestCount());
            noUpstreamSawFallbacks();
        }

        @Test
        void allFailingAnswersWithThePrimarysError() {
            up("primary").on("POST", "/v1/chat/completions").respond(Reply.error(503, "server_error", "primary_code",
                    "primary down"));
            up("second").on("POST", "/v1/chat/completions").respond(Reply.error(500, "server_error", "second_code",
                    "second down"));
            up("third").on("POST", "/v1/chat/completions").respond(Reply.error(502, "server_error", "third_code",
                    "third down"));
            JsonObject envelope = envelope(send(withFallbacks("primary/gpt-4o", "second/gpt-4o", "third/gpt-4o")), 503);
            assertEquals("primary down", envelope.getJsonObject("error").getString("message"));
            assertEquals("primary_code", envelope.getJsonObject("error").getString("code"));
            assertEquals("third", envelope.getJsonObject("extra_fields").getString("provider"),
                    "extra_fields.provider names the attempt that failed last");
            assertEquals(3, envelope.getJsonObject("extra_fields").getInt("attempts"));
            noUpstreamSawFallbacks();
        }

        @Test
        void aClientErrorFromThePrimaryDoesNotFallBack() {
            up("primary").on("POST", "/v1/chat/completions").respond(Reply.error(400, "invalid_request_error", null,
                    "bad temperature"));
            JsonObject envelope = envelope(send(withFallbacks("primary/gpt-4o", "second/gpt-4o")), 400);
            assertEquals("bad temperature", envelope.getJsonObject("error").getString("message"));
            settle();
            assertEquals(0, up("second").requestCount());
        }

        @Test
        void providerDefaultFallbacksApplyWhenTheBodyHasNone() {
            up("defaulted").on("POST", "/v1/chat/completions").respond(Reply.error(503, "defaulted down"));
            HttpResponse<String> response = chat("defaulted/gpt-4o-mini");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("1", header(response, "x-bifrost-fallback-index"));
            assertEquals("second", header(response, "x-bifrost-provider"));
            assertEquals("gpt-4o", up("second").lastRequest().bodyJson().getString("model"));
            noUpstreamSawFallbacks();
        }
    }

    // ---------------------------------------------------------------- streams and timeouts

    @Nested
    class Streams {

        @Test
        void aStreamFailingBeforeItsFirstEventIsRetried() throws Exception {
            up("flaky").on("POST", "/v1/chat/completions").respond(Reply.error(500, "overloaded"),
                    Reply.sse(chatChunk("a"), chatChunk("b"), SseFrame.done()));
            HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"),
                    streamBody("flaky/gpt-4o"));
            assertEquals(200, response.statusCode());
            assertTrue(header(response, "content-type").startsWith("text/event-stream"));
            assertEquals("1", header(response, "x-bifrost-retries"));
            List<SseFrame> frames = SseParser.readAll(response.body());
            assertEquals(List.of(chatChunk("a"), chatChunk("b"), SseFrame.done()), frames);
            assertEquals(2, up("flaky").requestCount());
        }

        @Test
        void aStreamFallsBackWhenThePrimaryFailsBeforeItsFirstEvent() throws Exception {
            up("primary").on("POST", "/v1/chat/completions").respond(Reply.error(503, "primary down"));
            HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"),
                    "{\"model\":\"primary/gpt-4o\",\"stream\":true,\"fallbacks\":[\"second/gpt-4o\"],"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(200, response.statusCode());
            assertEquals("1", header(response, "x-bifrost-fallback-index"));
            assertEquals("second", header(response, "x-bifrost-provider"));
            List<SseFrame> frames = SseParser.readAll(response.body());
            assertTrue(frames.size() >= 2 && frames.get(frames.size() - 1).isDone(), frames.toString());
            assertEquals("chat.completion.chunk", frames.get(0).json().getString("object"));
            assertFalse(up("second").lastRequest().bodyJson().containsKey("fallbacks"));
        }

        @Test
        void aStreamFailingAfterItsFirstEventIsNotRetried() throws Exception {
            up("flaky").on("POST", "/v1/chat/completions").respond(Reply.sse(chatChunk("a")).thenDropConnection(),
                    Reply.sse(chatChunk("retried"), SseFrame.done()));
            HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"),
                    streamBody("flaky/gpt-4o"));
            assertEquals(200, response.statusCode());
            List<SseFrame> frames = SseParser.readAll(response.body());
            assertEquals(2, frames.size(), frames.toString());
            assertEquals(chatChunk("a"), frames.get(0));
            JsonObject error = frames.get(1).json();
            assertEquals(502, error.getInt("status_code"), frames.get(1).data());
            settle();
            assertEquals(1, up("flaky").requestCount());
        }

        @Test
        void anIdleStreamEndsWithAnErrorFrameAfterTheIdleTimeout() throws Exception {
            up("idle").on("POST", "/v1/chat/completions").respond(Reply.sse(chatChunk("a"),
                    chatChunk("late").after(Duration.ofSeconds(3)), SseFrame.done()));
            long started = System.nanoTime();
            HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"),
                    streamBody("idle/gpt-4o"));
            assertEquals(200, response.statusCode());
            try (SseParser parser = new SseParser(response.body())) {
                assertEquals(chatChunk("a"), parser.next());
                long firstAt = millisSince(started);
                SseFrame error = parser.next();
                long errorAt = millisSince(started);
                JsonObject envelope = error.json();
                assertEquals(504, envelope.getInt("status_code"), error.data());
                assertEquals("request_timed_out", errorType(envelope));
                long gap = errorAt - firstAt;
                assertTrue(gap >= 400 && gap < 1500, "stream-idle-timeout 500ms fired after " + gap + " ms");
                assertTrue(errorAt < 2500, "the error frame came after " + errorAt + " ms, near the late frame");
                assertFalse(parser.hasNext(), "nothing follows the error frame");
            }
        }
    }

    // ---------------------------------------------------------------- limits and disconnects

    @Nested
    class Limits {

        @Test
        void beyondConcurrencyAndQueueRequestsAreDroppedAtOnce() throws Exception {
            up("limited").on("POST", "/v1/chat/completions").respond(
                    Reply.from(OpenAiPreset::chatCompletions).delay(Duration.ofSeconds(1)));
            int n = 6;
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<long[]>> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < n; i++) {
                    results.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                        long started = System.nanoTime();
                        HttpResponse<String> response = send(PARALLEL, chatBody("limited/gpt-4o"));
                        long code = response.statusCode() == 429
                                && "request_dropped".equals(errorType(JsonBodies.parse(response.body()))) ? -429
                                : response.statusCode();
                        return new long[] {code, millisSince(started)};
                    }, pool));
                }
                go.countDown();
                int ok = 0;
                int dropped = 0;
                for (CompletableFuture<long[]> result : results) {
                    long[] outcome = result.get(10, TimeUnit.SECONDS); // nothing waits forever
                    if (outcome[0] == 200) {
                        ok++;
                        assertTrue(outcome[1] < 4000, "a queued request took " + outcome[1] + " ms");
                    } else {
                        assertEquals(-429, outcome[0], "neither 200 nor 429 request_dropped");
                        dropped++;
                        assertTrue(outcome[1] < 300, "a request was dropped only after " + outcome[1] + " ms");
                    }
                }
                assertEquals(3, ok, "two in flight and one queued succeed");
                assertEquals(3, dropped, "the rest are dropped");
            }
            assertEquals(3, up("limited").requestCount());
        }

        @Test
        void clientDisconnectClosesTheUpstreamAndFreesTheSlot() throws Exception {
            up("single").on("POST", "/v1/chat/completions").respond(Reply.sse(chatChunk("a"),
                    chatChunk("b").after(Duration.ofSeconds(20)), SseFrame.done()));
            HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"),
                    streamBody("single/gpt-4o"));
            assertEquals(200, response.statusCode());
            InputStream body = response.body();
            SseParser parser = new SseParser(body);
            assertEquals(chatChunk("a"), parser.next());
            parser.close();
            assertTrue(up("single").awaitClientDisconnect(Duration.ofSeconds(5)),
                    "the gateway kept the upstream stream open after its client left");
            // max-concurrency 1 and queue-size 0: while the slot is held, a request is dropped at once
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            HttpResponse<String> followUp;
            do {
                followUp = Http.post(gateway.uri("/v1/embeddings"), "{\"model\":\"single/text-embedding-3-small\","
                        + "\"input\":\"x\"}");
            } while (followUp.statusCode() == 429 && System.nanoTime() < deadline && pause(50));
            assertEquals(200, followUp.statusCode(), "the disconnected stream's slot was not freed: "
                    + followUp.body());
        }
    }

    // ---------------------------------------------------------------- metrics

    @Test
    void retriesFallbacksDropsAndKeyErrorsAreCounted() {
        up("flaky").on("POST", "/v1/chat/completions").respond(Reply.error(500, "overloaded"),
                Reply.from(OpenAiPreset::chatCompletions));
        assertEquals(200, chat("flaky/gpt-4o").statusCode());
        up("primary").on("POST", "/v1/chat/completions").respond(Reply.error(503, "primary down"));
        assertEquals(200, Http.post(gateway.uri("/v1/chat/completions"),
                Fallbacks.withFallbacks("primary/gpt-4o", "second/gpt-4o")).statusCode());
        up("guarded").on("POST", "/v1/chat/completions").respond(
                Reply.error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided"),
                Reply.from(OpenAiPreset::chatCompletions));
        assertEquals(200, chat("guarded/gpt-4o").statusCode());
        up("single").on("POST", "/v1/chat/completions").respond(Reply.sse(chatChunk("a"),
                chatChunk("b").after(Duration.ofMillis(400)), SseFrame.done()));
        HttpResponse<InputStream> holding = Http.postStream(gateway.uri("/v1/chat/completions"),
                streamBody("single/gpt-4o"));
        try (SseParser parser = new SseParser(holding.body())) {
            assertEquals(chatChunk("a"), parser.next());
            JsonObject dropped = envelope(Http.post(gateway.uri("/v1/embeddings"),
                    "{\"model\":\"single/text-embedding-3-small\",\"input\":\"x\"}"), 429);
            assertEquals("request_dropped", errorType(dropped));
            assertEquals(List.of(chatChunk("b"), SseFrame.done()), parser.stream().toList());
        }
        String metrics = Http.get(gateway.uri("/metrics")).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("gateway_requests_dropped_total{")
                && l.contains("provider=\"single\"")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("gateway_key_errors_total{")
                && l.contains("provider=\"guarded\"")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("gateway_retries_total{")
                && l.contains("provider=\"flaky\"")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("gateway_fallbacks_total{")
                && l.contains("provider=\"second\"")), metrics);
    }

    // ---------------------------------------------------------------- plumbing

    static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static HttpResponse<String> send(HttpClient client, String json) {
        HttpRequest request = HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs {@code task} n times on {@code parallelism} threads and returns the results in order. */
    static <T> List<T> parallel(int n, int parallelism, Callable<T> task) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(parallelism)) {
            List<Future<T>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(task));
            }
            List<T> results = new ArrayList<>(n);
            for (Future<T> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        }
    }
}
