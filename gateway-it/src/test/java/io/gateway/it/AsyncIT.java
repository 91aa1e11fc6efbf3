package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Async inference ({@code x-bf-async}) on every route against the real server with the in-memory
 * store: submission, polling, failures, result expiry, limits, ownership and load.
 */
class AsyncIT {

    private static final String ASYNC = "x-bf-async";
    private static final String ASYNC_ID = "x-bf-async-id";
    private static final String TTL = "x-bf-async-job-result-ttl";

    private static final String KEY_A = "sk-bf-async-a-" + UUID.randomUUID().toString().replace("-", "");
    private static final String KEY_B = "sk-bf-async-b-" + UUID.randomUUID().toString().replace("-", "");

    @TempDir
    static Path temp;

    static PluginFolders plugins;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin");
        // mock: 300 ms per answer, so a poll right after the submission sees the job pending;
        // fast: no latency, for load. Governance without a required key: keys only give identities.
        gateway = TestGateway.start("""
                gateway:
                  providers:
                    mock:
                      type: mock
                      latency: 300ms
                    fast:
                      type: mock
                  middleware:
                    - type: governance
                      require-virtual-key: false
                      virtual-keys:
                        - name: team-a
                          value: ${ASYNC_IT_TEAM_A}
                        - name: team-b
                          value: ${ASYNC_IT_TEAM_B}
                """, plugins.root(), Map.of("ASYNC_IT_TEAM_A", KEY_A, "ASYNC_IT_TEAM_B", KEY_B));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** One inference route: its path, a valid body for a model, and whether it is the Responses API. */
    record Route(String path, String operation, boolean responses) {

        String body(String model, String text) {
            return switch (operation) {
                case "responses" -> "{\"model\":\"" + model + "\",\"input\":\"" + text + "\"}";
                case "chat" -> "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
                        + text + "\"}]}";
                case "completions" -> "{\"model\":\"" + model + "\",\"prompt\":\"" + text + "\"}";
                case "embeddings" -> "{\"model\":\"" + model + "\",\"input\":\"" + text + "\"}";
                case "images" -> "{\"model\":\"" + model + "\",\"prompt\":\"" + text + "\"}";
                default -> throw new IllegalArgumentException(operation);
            };
        }

        /** The model of the default mock that fits the route. */
        String model(String provider) {
            return provider + "/" + switch (operation) {
                case "embeddings" -> "mock-embedding";
                case "images" -> "mock-image";
                default -> "mock-model";
            };
        }

        @Override
        public String toString() {
            return path;
        }
    }

    static final List<Route> ROUTES = List.of(
            new Route("/openai/v1/responses", "responses", true),
            new Route("/v1/chat/completions", "chat", false),
            new Route("/openai/completions", "completions", false),
            new Route("/v1/embeddings", "embeddings", false),
            new Route("/openai/v1/images/generations", "images", false));

    static Stream<Route> routes() {
        return ROUTES.stream();
    }

    static Stream<Arguments> failingRoutes() {
        return ROUTES.stream().flatMap(route -> Stream.of(Arguments.of(route, 429), Arguments.of(route, 500)));
    }

    // ---------------------------------------------------------------- helpers

    private static HttpResponse<String> submit(String path, String body, String... headers) {
        List<String> all = new ArrayList<>(List.of(ASYNC, "true"));
        all.addAll(List.of(headers));
        return Http.post(gateway.uri(path), body, all.toArray(String[]::new));
    }

    private static HttpResponse<String> poll(URI uri, String id, boolean emptyBody, String... headers) {
        List<String> all = new ArrayList<>(List.of(ASYNC_ID, id));
        all.addAll(List.of(headers));
        return Http.post(uri, emptyBody ? "" : "{}", all.toArray(String[]::new));
    }

    /** Whether a 200 body is the pending shape of a job (the submission's answer, or a poll's while it runs). */
    static boolean isPending(JsonObject body) {
        String object = JsonBodies.string(body, "object");
        String status = JsonBodies.string(body, "status");
        if ("response".equals(object)) {
            return "queued".equals(status) || "in_progress".equals(status);
        }
        return "async_job".equals(object);
    }

    /** Asserts the pending shape of the route, with the job's id and a plausible creation time. */
    static void assertPending(Route route, JsonObject body, String id) {
        assertEquals(id, body.getString("id"), body.toString());
        if (route.responses()) {
            assertEquals("response", body.getString("object"), body.toString());
            assertTrue(Set.of("queued", "in_progress").contains(body.getString("status")), body.toString());
        } else {
            assertEquals("async_job", body.getString("object"), body.toString());
            assertTrue(Set.of("pending", "processing").contains(body.getString("status")), body.toString());
        }
        long createdAt = ((JsonNumber) body.get("created_at")).longValue();
        long now = Instant.now().getEpochSecond();
        assertTrue(Math.abs(now - createdAt) < 120, "created_at " + createdAt + " is not about now (" + now + ")");
    }

    /**
     * Polls until the job is no longer pending, alternating a {@code {}} and an empty body.
     *
     * @return the first answer that is not the pending shape, and how many pending answers came first
     */
    static Polled pollUntilDone(URI uri, String id, Duration timeout, String... headers) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int pending = 0;
        boolean empty = false;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = poll(uri, id, empty, headers);
            empty = !empty;
            if (response.statusCode() == 200 && isPending(JsonBodies.parse(response.body()))) {
                assertEquals(id, response.headers().firstValue(ASYNC_ID).orElse(null), "pending polls name the job");
                pending++;
                RedisServer.sleep(25);
                continue;
            }
            return new Polled(response, pending);
        }
        return fail("job " + id + " still pending after " + timeout);
    }

    record Polled(HttpResponse<String> response, int pendingPolls) {
        JsonObject json() {
            return JsonBodies.parse(response.body());
        }
    }

    /** The body without its timestamps, which differ between two calls a second apart. */
    static JsonValue withoutTimes(JsonValue value) {
        if (value instanceof JsonObject object) {
            JsonObjectBuilder builder = JsonBodies.provider().createObjectBuilder();
            object.forEach((name, member) -> {
                if (!name.equals("created") && !name.equals("created_at") && !name.equals("completed_at")) {
                    builder.add(name, withoutTimes(member));
                }
            });
            return builder.build();
        }
        if (value instanceof JsonArray array) {
            var builder = JsonBodies.provider().createArrayBuilder();
            array.forEach(item -> builder.add(withoutTimes(item)));
            return builder.build();
        }
        return value;
    }

    /** The concatenated text of a Response's output messages, as the OpenAI SDKs compute output_text. */
    static String outputText(JsonObject response) {
        StringBuilder text = new StringBuilder();
        for (JsonValue item : response.getJsonArray("output")) {
            JsonObject message = item.asJsonObject();
            if (!"message".equals(JsonBodies.string(message, "type"))) {
                continue;
            }
            for (JsonValue part : message.getJsonArray("content")) {
                JsonObject object = part.asJsonObject();
                if ("output_text".equals(JsonBodies.string(object, "type"))) {
                    text.append(object.getString("text"));
                }
            }
        }
        return text.toString();
    }

    static JsonObject envelope(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonObject envelope = JsonBodies.parse(response.body());
        assertEquals(status, envelope.getInt("status_code"), response.body());
        assertNotNull(envelope.getJsonObject("error").getString("message"));
        assertNotNull(envelope.getJsonObject("error").getString("type"));
        assertTrue(envelope.containsKey("is_bifrost_error"), response.body());
        return envelope;
    }

    // ---------------------------------------------------------------- tests

    @ParameterizedTest
    @MethodSource("routes")
    void submissionAnswersPendingAtOnceAndThePollAnswersTheSynchronousBody(Route route) {
        String body = route.body(route.model("mock"), "tell me about async jobs");
        HttpResponse<String> sync = Http.post(gateway.uri(route.path()), body);
        assertEquals(200, sync.statusCode(), sync.body());

        HttpResponse<String> submitted = submit(route.path(), body);
        assertEquals(200, submitted.statusCode(), submitted.body());
        JsonObject pending = JsonBodies.parse(submitted.body());
        String id = pending.getString("id");
        assertTrue(id.startsWith(route.responses() ? "resp_" : "job_"), id);
        assertPending(route, pending, id);
        assertEquals(route.responses() ? "queued" : "pending", pending.getString("status"),
                "the submission answers before the job could have run");

        Polled polled = pollUntilDone(gateway.uri(route.path()), id, Duration.ofSeconds(20));
        assertTrue(polled.pendingPolls() > 0, "a 300 ms job was never seen pending by a poll");
        HttpResponse<String> done = polled.response();
        assertEquals(200, done.statusCode(), done.body());
        assertEquals(id, done.headers().firstValue(ASYNC_ID).orElse(null));
        JsonObject completed = polled.json();
        JsonObject expected = JsonBodies.parse(sync.body());
        if (route.responses()) {
            assertEquals(JsonBodies.string(completed, "output_text"), outputText(completed));
            assertFalse(outputText(completed).isEmpty(), completed.toString());
            assertEquals(outputText(expected), completed.getString("output_text"));
            JsonObjectBuilder withoutOutputText = JsonBodies.provider().createObjectBuilder(completed);
            withoutOutputText.remove("output_text");
            completed = withoutOutputText.build();
        }
        assertEquals(withoutTimes(expected), withoutTimes(completed),
                "the completed job answers what the synchronous call answered");

        // a finished result can be read again, with either poll body
        for (boolean empty : new boolean[] {true, false}) {
            HttpResponse<String> again = poll(gateway.uri(route.path()), id, empty);
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(done.body(), again.body());
        }
    }

    @ParameterizedTest
    @MethodSource("failingRoutes")
    void aFailedUpstreamCallIsPolledAsItsEnvelopeWithItsStatus(Route route, int status) {
        String body = route.body("mock/error-" + status, "this will fail");
        JsonObject sync = envelope(Http.post(gateway.uri(route.path()), body), status);

        HttpResponse<String> submitted = submit(route.path(), body);
        assertEquals(200, submitted.statusCode(), "the submission succeeds; the job fails: " + submitted.body());
        String id = JsonBodies.parse(submitted.body()).getString("id");
        assertPending(route, JsonBodies.parse(submitted.body()), id);

        Polled polled = pollUntilDone(gateway.uri(route.path()), id, Duration.ofSeconds(20));
        JsonObject failed = envelope(polled.response(), status);
        assertEquals(id, polled.response().headers().firstValue(ASYNC_ID).orElse(null));
        assertEquals(sync.getString("type"), failed.getString("type"));
        assertEquals(sync.getBoolean("is_bifrost_error"), failed.getBoolean("is_bifrost_error"));
        assertEquals(sync.getJsonObject("error"), failed.getJsonObject("error"));
        assertEquals("mock error " + status + " requested", failed.getJsonObject("error").getString("message"));
        JsonObject syncExtra = sync.getJsonObject("extra_fields");
        JsonObject asyncExtra = failed.getJsonObject("extra_fields");
        for (String field : List.of("provider", "model_requested", "request_type")) {
            assertEquals(syncExtra.get(field), asyncExtra.get(field), field);
        }
    }

    @Test
    void fallbacksApplyToTheBackgroundRequest() {
        String body = "{\"model\":\"mock/error-503\",\"fallbacks\":[\"fast/mock-model\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"fall back please\"}]}";
        HttpResponse<String> submitted = submit("/v1/chat/completions", body);
        assertEquals(200, submitted.statusCode(), submitted.body());
        Polled polled = pollUntilDone(gateway.uri("/v1/chat/completions"),
                JsonBodies.parse(submitted.body()).getString("id"), Duration.ofSeconds(20));
        assertEquals(200, polled.response().statusCode(), polled.response().body());
        JsonObject completion = polled.json();
        assertEquals("chat.completion", completion.getString("object"));
        assertEquals("mock-model", completion.getString("model"), "served by the fallback");
    }

    @Test
    void theResultTtlHeaderExpiresTheResult() {
        HttpResponse<String> submitted = submit("/v1/chat/completions",
                "{\"model\":\"fast/mock-model\",\"messages\":[{\"role\":\"user\",\"content\":\"short lived\"}]}",
                TTL, "1");
        assertEquals(200, submitted.statusCode(), submitted.body());
        String id = JsonBodies.parse(submitted.body()).getString("id");
        Polled polled = pollUntilDone(gateway.uri("/v1/chat/completions"), id, Duration.ofSeconds(20));
        assertEquals(200, polled.response().statusCode(), polled.response().body());
        assertEquals("chat.completion", polled.json().getString("object"));

        RedisServer.sleep(2_100);
        JsonObject gone = envelope(poll(gateway.uri("/v1/chat/completions"), id, false), 404);
        assertEquals("not_found_error", gone.getJsonObject("error").getString("type"));
        assertTrue(gone.getJsonObject("error").getString("message").contains(id));
    }

    @Test
    void aBadResultTtlIs400() {
        for (String ttl : List.of("abc", "0", "-5")) {
            JsonObject envelope = envelope(submit("/v1/chat/completions",
                    "{\"model\":\"fast/mock-model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", TTL, ttl),
                    400);
            assertEquals(TTL, envelope.getJsonObject("error").getString("param"), ttl);
        }
    }

    @ParameterizedTest
    @MethodSource("routes")
    void anUnknownIdIs404(Route route) {
        String id = route.responses() ? "resp_0123456789abcdef0123456789abcdef" : "job_doesnotexist";
        for (boolean empty : new boolean[] {true, false}) {
            JsonObject envelope = envelope(poll(gateway.uri(route.path()), id, empty), 404);
            assertEquals("not_found_error", envelope.getJsonObject("error").getString("type"));
            assertEquals("not_found", envelope.getJsonObject("error").getString("code"));
            assertEquals(false, envelope.getBoolean("is_bifrost_error"));
            assertTrue(envelope.getJsonObject("error").getString("message").contains(id));
        }
    }

    @Test
    void asyncTogetherWithStreamIs400() {
        for (String[] request : List.of(
                new String[] {"/v1/chat/completions", "{\"model\":\"mock/mock-model\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"},
                new String[] {"/openai/v1/responses", "{\"model\":\"mock/mock-model\",\"stream\":true,\"input\":\"x\"}"},
                new String[] {"/v1/completions", "{\"model\":\"mock/mock-model\",\"stream\":true,\"prompt\":\"x\"}"},
                new String[] {"/v1/images/generations",
                        "{\"model\":\"mock/mock-image\",\"stream\":true,\"prompt\":\"x\"}"})) {
            JsonObject envelope = envelope(submit(request[0], request[1]), 400);
            assertEquals("invalid_request_error", envelope.getJsonObject("error").getString("type"), request[0]);
            assertEquals("stream", envelope.getJsonObject("error").getString("param"), request[0]);
        }
    }

    @Test
    void aSubmissionIsValidatedLikeASynchronousRequest() {
        JsonObject envelope = envelope(submit("/v1/chat/completions", "{\"model\":\"mock/mock-model\"}"), 400);
        assertEquals("messages", envelope.getJsonObject("error").getString("param"));
    }

    @Test
    void aThousandConcurrentSubmissionsAllComplete() throws Exception {
        int jobs = 1000;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        URI chat = gateway.uri("/v1/chat/completions");
        Map<Integer, String> ids = new ConcurrentHashMap<>();
        Map<Integer, String> failures = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> submissions = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                int n = i;
                submissions.add(threads.submit(() -> {
                    go.await();
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(chat)
                            .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
                            .header(ASYNC, "true")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fast/mock-model\",\"messages\":"
                                    + "[{\"role\":\"user\",\"content\":\"job number " + n + "\"}]}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        ids.put(n, JsonBodies.parse(response.body()).getString("id"));
                    } else {
                        failures.put(n, response.statusCode() + " " + response.body());
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> submission : submissions) {
                submission.get(120, TimeUnit.SECONDS);
            }
        }
        assertEquals(Map.of(), failures, "every submission is accepted");
        assertEquals(jobs, ids.size());
        assertEquals(jobs, new HashSet<>(ids.values()).size(), "every job has its own id");

        Map<Integer, String> wrong = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> polls = new ArrayList<>();
            for (Map.Entry<Integer, String> job : ids.entrySet()) {
                polls.add(threads.submit(() -> {
                    while (true) {
                        HttpResponse<String> response = client.send(HttpRequest.newBuilder(chat)
                                .timeout(Duration.ofSeconds(60)).header(ASYNC_ID, job.getValue())
                                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                        JsonObject body = JsonBodies.parse(response.body());
                        if (response.statusCode() == 200 && isPending(body)) {
                            if (System.nanoTime() > deadline) {
                                wrong.put(job.getKey(), "still pending: " + body);
                                return null;
                            }
                            Thread.sleep(50);
                            continue;
                        }
                        String content = response.statusCode() == 200
                                ? body.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                                .getString("content") : "";
                        if (response.statusCode() != 200 || !"chat.completion".equals(body.getString("object"))
                                || !content.contains("job number " + job.getKey())) {
                            wrong.put(job.getKey(), response.statusCode() + " " + response.body());
                        }
                        return null;
                    }
                }));
            }
            for (Future<?> poll : polls) {
                poll.get(120, TimeUnit.SECONDS);
            }
        }
        assertEquals(Map.of(), wrong, "every job completed with its own answer");
    }

    @Test
    void maxPendingRefusesTheSixthConcurrentJobWith429() throws Exception {
        try (TestGateway limited = TestGateway.start("""
                gateway:
                  async:
                    max-pending: 5
                  providers:
                    slow:
                      type: mock
                      latency: 2s
                """, plugins.root())) {
            URI chat = limited.uri("/v1/chat/completions");
            String body = "{\"model\":\"slow/mock-model\",\"messages\":[{\"role\":\"user\",\"content\":\"slow\"}]}";
            List<HttpResponse<String>> answers = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            long started = System.nanoTime();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<HttpResponse<String>>> futures = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    futures.add(threads.submit(() -> {
                        go.await();
                        return Http.post(chat, body, ASYNC, "true");
                    }));
                }
                go.countDown();
                for (Future<HttpResponse<String>> future : futures) {
                    answers.add(future.get(30, TimeUnit.SECONDS));
                }
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(millis < 1_500, "six submissions of 2 s jobs took " + millis + " ms: they did not answer at once");
            List<String> accepted = new ArrayList<>();
            List<HttpResponse<String>> refused = new ArrayList<>();
            for (HttpResponse<String> answer : answers) {
                if (answer.statusCode() == 200) {
                    accepted.add(JsonBodies.parse(answer.body()).getString("id"));
                } else {
                    refused.add(answer);
                }
            }
            assertEquals(5, accepted.size(), "max-pending 5 accepts five jobs");
            assertEquals(1, refused.size());
            JsonObject envelope = envelope(refused.get(0), 429);
            assertEquals("rate_limit_error", envelope.getJsonObject("error").getString("type"));
            assertTrue(envelope.getJsonObject("error").getString("message").contains("max-pending"),
                    envelope.toString());

            for (String id : accepted) {
                Polled polled = pollUntilDone(chat, id, Duration.ofSeconds(20));
                assertEquals(200, polled.response().statusCode(), polled.response().body());
            }
            // finished jobs no longer count: capacity is back
            HttpResponse<String> later = Http.post(chat, body, ASYNC, "true");
            assertEquals(200, later.statusCode(), later.body());
            assertEquals(200, pollUntilDone(chat, JsonBodies.parse(later.body()).getString("id"),
                    Duration.ofSeconds(20)).response().statusCode());
        }
    }

    @Test
    void aJobSubmittedWithAVirtualKeyIsOnlyReadableWithThatKey() {
        URI chat = gateway.uri("/v1/chat/completions");
        HttpResponse<String> submitted = submit("/v1/chat/completions",
                "{\"model\":\"mock/mock-model\",\"messages\":[{\"role\":\"user\",\"content\":\"for team a only\"}]}",
                "x-bf-vk", KEY_A);
        assertEquals(200, submitted.statusCode(), submitted.body());
        String id = JsonBodies.parse(submitted.body()).getString("id");

        JsonObject otherKey = envelope(poll(chat, id, false, "x-bf-vk", KEY_B), 404);
        assertEquals("not_found_error", otherKey.getJsonObject("error").getString("type"));
        envelope(poll(chat, id, true, "authorization", "Bearer " + KEY_B), 404);
        envelope(poll(chat, id, false), 404);

        // the owner, with any of the key's header forms
        Polled polled = pollUntilDone(chat, id, Duration.ofSeconds(20), "authorization", "Bearer " + KEY_A);
        assertEquals(200, polled.response().statusCode(), polled.response().body());
        assertTrue(polled.json().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content").contains("for team a only"));
        assertEquals(200, poll(chat, id, true, "x-api-key", KEY_A).statusCode());

        // and still not for the other team once it is finished
        envelope(poll(chat, id, false, "x-bf-vk", KEY_B), 404);
        envelope(poll(chat, id, false), 404);
        for (String text : List.of(otherKey.toString(), polled.response().body())) {
            assertFalse(text.contains(KEY_A) || text.contains(KEY_B), "a key was echoed: " + text);
        }
    }

    @Test
    void anUnknownVirtualKeyCannotPoll() {
        HttpResponse<String> submitted = submit("/v1/embeddings", "{\"model\":\"fast/mock-embedding\",\"input\":\"x\"}",
                "x-bf-vk", KEY_A);
        assertEquals(200, submitted.statusCode(), submitted.body());
        String id = JsonBodies.parse(submitted.body()).getString("id");
        JsonObject envelope = envelope(poll(gateway.uri("/v1/embeddings"), id, false, "x-bf-vk",
                "sk-bf-not-a-key"), 401);
        assertEquals("authentication_error", envelope.getJsonObject("error").getString("type"));
        assertFalse(envelope.toString().contains("sk-bf-not-a-key"));
    }

    @Test
    void pendingStatusAdvancesFromQueuedOrPendingToProcessing() {
        // The Responses shape says in_progress, the others processing, while the worker runs.
        for (Route route : List.of(ROUTES.get(0), ROUTES.get(1))) {
            HttpResponse<String> submitted = submit(route.path(), route.body(route.model("mock"), "watch me run"));
            String id = JsonBodies.parse(submitted.body()).getString("id");
            Set<String> seen = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                HttpResponse<String> response = poll(gateway.uri(route.path()), id, true);
                JsonObject body = JsonBodies.parse(response.body());
                if (!isPending(body)) {
                    break;
                }
                assertPending(route, body, id);
                seen.add(body.getString("status"));
                RedisServer.sleep(10);
            }
            assertTrue(seen.contains(route.responses() ? "in_progress" : "processing"),
                    route.path() + " never reported its running state; saw " + seen);
        }
    }
}
