package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several gateway replicas sharing one real Redis ({@code gateway.state.type: redis}): async jobs
 * submitted on one replica are polled on another, a replica that dies mid-job leaves a job the others
 * report failed once its lease ran out, and Redis going away and coming back.
 */
class ClusterIT {

    private static final long LEASE_MILLIS = 1_000;
    /** What "lease + a little" allows: a renewal period of slack plus scheduling and polling. */
    private static final long LEASE_SLACK_MILLIS = 2_500;

    private static final String CHAT = "/v1/chat/completions";

    @TempDir
    static Path temp;

    static PluginFolders plugins;
    static RedisTarget redis;
    static String prefix;
    static TestGateway a;
    static TestGateway b;

    @BeforeAll
    static void start() {
        plugins = RedisPluginFolder.add(PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin"));
        redis = RedisTarget.open();
        prefix = redis.newPrefix();
        a = TestGateway.start(config(redis.url(), prefix), plugins.root());
        b = TestGateway.start(config(redis.url(), prefix), plugins.root());
        warmUp("replica a", a.uri(CHAT));
        warmUp("replica b", b.uri(CHAT));
    }

    /** Waits until a new replica reaches Redis: a poll of an unknown job answers 404 (not 503) then. */
    static void warmUp(String what, URI chat) {
        ClusterWarmup.awaitStore(what, 404, () -> poll(chat, "job_warmup"));
    }

    @AfterAll
    static void stop() {
        try {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    /** One replica's configuration; every replica of a cluster has the same. */
    static String config(String url, String keyPrefix) {
        return """
                gateway:
                  state:
                    type: redis
                    url: %s
                    key-prefix: "%s"
                  async:
                    lease: 1s
                  providers:
                    mock:
                      type: mock
                      latency: 300ms
                    slow:
                      type: mock
                      latency: 5s
                """.formatted(url, keyPrefix);
    }

    private static String chat(String model, String text) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static String submit(URI uri, String body) {
        HttpResponse<String> response = Http.post(uri, body, "x-bf-async", "true");
        assertEquals(200, response.statusCode(), response.body());
        JsonObject pending = JsonBodies.parse(response.body());
        assertEquals("async_job", pending.getString("object"));
        assertEquals("pending", pending.getString("status"));
        return pending.getString("id");
    }

    private static HttpResponse<String> poll(URI uri, String id) {
        return Http.post(uri, "{}", "x-bf-async-id", id);
    }

    private static boolean pending(HttpResponse<String> response) {
        return response.statusCode() == 200
                && "async_job".equals(JsonBodies.string(JsonBodies.parse(response.body()), "object"));
    }

    private static HttpResponse<String> pollUntilDone(URI uri, String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = poll(uri, id);
            if (!pending(response)) {
                return response;
            }
            RedisServer.sleep(50);
        }
        return fail("job " + id + " still pending on " + uri + " after " + timeout);
    }

    /** Waits until a poll on {@code uri} says the job is running (its worker started and holds the lease). */
    private static void awaitProcessing(URI uri, String id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = poll(uri, id);
            assertTrue(pending(response), "the job ended early: " + response.body());
            if ("processing".equals(JsonBodies.parse(response.body()).getString("status"))) {
                return;
            }
            RedisServer.sleep(20);
        }
        fail("job " + id + " never started processing");
    }

    private static String content(HttpResponse<String> response) {
        return JsonBodies.parse(response.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content");
    }

    /** Asserts the envelope of a job whose replica went away: 500, the gateway's own failure. */
    private static JsonObject assertLostJob(HttpResponse<String> response) {
        assertEquals(500, response.statusCode(), response.body());
        JsonObject envelope = JsonBodies.parse(response.body());
        assertEquals(500, envelope.getInt("status_code"));
        assertEquals("internal_error", envelope.getJsonObject("error").getString("type"), response.body());
        assertEquals(true, envelope.getBoolean("is_bifrost_error"));
        assertEquals("chat_completion", envelope.getJsonObject("extra_fields").getString("request_type"));
        assertNotNull(envelope.getJsonObject("error").getString("message"));
        return envelope;
    }

    @Test
    void aJobSubmittedOnOneReplicaIsPolledOnTheOther() {
        String id = submit(a.uri(CHAT), chat("mock/mock-model", "submitted on a"));
        try (RedisResp raw = redis.connect()) {
            Object stored = raw.command("GET", prefix + "async:job:" + id);
            assertNotNull(stored, "the job is not in Redis under " + prefix + "async:job:" + id);
            assertTrue(stored.toString().contains(id), stored.toString());
        }
        HttpResponse<String> done = pollUntilDone(b.uri(CHAT), id, Duration.ofSeconds(20));
        assertEquals(200, done.statusCode(), done.body());
        assertEquals("chat.completion", JsonBodies.parse(done.body()).getString("object"));
        assertTrue(content(done).contains("submitted on a"), done.body());
        assertEquals(done.body(), poll(a.uri(CHAT), id).body(), "both replicas answer the same result");

        String back = submit(b.uri("/openai/v1/embeddings"), "{\"model\":\"mock/mock-embedding\",\"input\":\"x\"}");
        HttpResponse<String> embedded = pollUntilDone(a.uri("/openai/v1/embeddings"), back, Duration.ofSeconds(20));
        assertEquals(200, embedded.statusCode(), embedded.body());
        assertEquals("list", JsonBodies.parse(embedded.body()).getString("object"));
    }

    @Test
    void aFailedJobIsPolledOnTheOtherReplicaWithItsStatus() {
        String id = submit(a.uri(CHAT), chat("mock/error-503", "fails upstream"));
        HttpResponse<String> failed = pollUntilDone(b.uri(CHAT), id, Duration.ofSeconds(20));
        assertEquals(503, failed.statusCode(), failed.body());
        JsonObject envelope = JsonBodies.parse(failed.body());
        assertEquals(503, envelope.getInt("status_code"));
        assertEquals("mock error 503 requested", envelope.getJsonObject("error").getString("message"));
    }

    @Test
    void anUnknownJobIs404OnEveryReplica() {
        for (TestGateway replica : new TestGateway[] {a, b}) {
            HttpResponse<String> response = poll(replica.uri(CHAT), "job_nosuchjobanywhere");
            assertEquals(404, response.statusCode(), response.body());
            assertEquals("not_found_error", JsonBodies.parse(response.body()).getJsonObject("error").getString("type"));
        }
    }

    @Test
    void aJobRunningLongerThanItsLeaseStaysProcessingWhileItsReplicaLives() {
        String id = submit(a.uri(CHAT), chat("slow/mock-model", "longer than the lease"));
        awaitProcessing(b.uri(CHAT), id);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * LEASE_MILLIS);
        while (System.nanoTime() < until) {
            HttpResponse<String> response = poll(b.uri(CHAT), id);
            assertTrue(pending(response), "a job whose replica renews its lease was reported finished: "
                    + response.statusCode() + " " + response.body());
            assertEquals("processing", JsonBodies.parse(response.body()).getString("status"));
            RedisServer.sleep(100);
        }
        HttpResponse<String> done = pollUntilDone(b.uri(CHAT), id, Duration.ofSeconds(20));
        assertEquals(200, done.statusCode(), done.body());
        assertTrue(content(done).contains("longer than the lease"));
    }

    @Test
    void aReplicaClosedMidJobLeavesAJobTheOtherReportsFailed() {
        String id;
        long closedAt;
        try (TestGateway doomed = TestGateway.start(config(redis.url(), prefix), plugins.root())) {
            warmUp("the replica to close", doomed.uri(CHAT));
            id = submit(doomed.uri(CHAT), chat("slow/mock-model", "the replica goes away"));
            awaitProcessing(b.uri(CHAT), id);
            closedAt = System.nanoTime();
        }
        HttpResponse<String> failed = pollUntilDone(b.uri(CHAT), id, Duration.ofSeconds(20));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
        assertLostJob(failed);
        assertTrue(millis <= LEASE_MILLIS + LEASE_SLACK_MILLIS, "the lost job was reported after " + millis
                + " ms; the lease is " + LEASE_MILLIS + " ms");
        assertEquals(failed.body(), poll(a.uri(CHAT), id).body(), "the failure is recorded for every replica");
    }

    @Test
    void aReplicaKilledMidJobLeavesAJobTheOtherReportsFailedOnceTheLeaseRunsOut() {
        String id;
        long killedAt;
        try (ClusterNode doomed = ClusterNode.start(config(redis.url(), prefix), plugins.root(),
                temp.resolve("killed-node"))) {
            warmUp("the replica to kill", doomed.uri(CHAT));
            id = submit(doomed.uri(CHAT), chat("slow/mock-model", "the replica is killed"));
            awaitProcessing(b.uri(CHAT), id);
            killedAt = System.nanoTime();
            doomed.kill();
        }
        HttpResponse<String> failed = pollUntilDone(b.uri(CHAT), id, Duration.ofSeconds(20));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        JsonObject envelope = assertLostJob(failed);
        assertTrue(envelope.getJsonObject("error").getString("message").contains(id), envelope.toString());
        assertTrue(millis <= LEASE_MILLIS + LEASE_SLACK_MILLIS, "the lost job was reported after " + millis
                + " ms; the lease is " + LEASE_MILLIS + " ms");
        assertEquals(failed.body(), poll(a.uri(CHAT), id).body(), "the failure is recorded for every replica");
    }

    @Test
    void redisGoingAwayIs503AndTheGatewayRecoversByItself() {
        try (RedisServer own = RedisServer.start();
             TestGateway gateway = TestGateway.start(config(own.url(), "it-outage:"), plugins.root())) {
            URI chat = gateway.uri(CHAT);
            warmUp("the replica", chat);
            String before = submit(chat, chat("mock/mock-model", "before the outage"));
            assertEquals(200, pollUntilDone(chat, before, Duration.ofSeconds(20)).statusCode());

            own.stop();
            long started = System.nanoTime();
            HttpResponse<String> refused = Http.post(chat, chat("mock/mock-model", "during the outage"),
                    "x-bf-async", "true");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(503, refused.statusCode(), refused.body());
            JsonObject envelope = JsonBodies.parse(refused.body());
            assertEquals(503, envelope.getInt("status_code"));
            assertEquals("store_unavailable", envelope.getString("type"));
            assertEquals("store_unavailable", envelope.getJsonObject("error").getString("type"));
            assertEquals("store_unavailable", envelope.getJsonObject("error").getString("code"));
            assertTrue(millis < 3_000, "the 503 took " + millis + " ms");
            assertTrue(!refused.body().contains("redis://"), "the store URL leaked: " + refused.body());

            HttpResponse<String> pollDuringOutage = poll(chat, before);
            assertEquals(503, pollDuringOutage.statusCode(), pollDuringOutage.body());
            assertEquals(200, Http.get(gateway.uri("/health")).statusCode(), "the gateway itself stays up");
            HttpResponse<String> sync = Http.post(chat, chat("mock/mock-model", "needs no state"));
            assertEquals(200, sync.statusCode(), "a request that needs no state still works: " + sync.body());

            own.restart();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            HttpResponse<String> again;
            do {
                again = Http.post(chat, chat("mock/mock-model", "after the outage"), "x-bf-async", "true");
                if (again.statusCode() == 200) {
                    break;
                }
                assertEquals(503, again.statusCode(), again.body());
                RedisServer.sleep(100);
            } while (System.nanoTime() < deadline);
            assertEquals(200, again.statusCode(), "no recovery within 15 s of Redis returning: " + again.body());
            HttpResponse<String> done = pollUntilDone(chat, JsonBodies.parse(again.body()).getString("id"),
                    Duration.ofSeconds(20));
            assertEquals(200, done.statusCode(), done.body());
            assertTrue(content(done).contains("after the outage"));
        }
    }
}
