package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health probes against the real server: {@code /health} as it always was, {@code /health/live},
 * and {@code /health/ready} following a real Redis state store that goes away and comes back.
 */
class HealthIT {

    @TempDir
    static Path temp;

    static PluginFolders plugins;

    @BeforeAll
    static void layOut() {
        plugins = RedisPluginFolder.add(PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin"));
    }

    private static String config(String state) {
        return """
                gateway:
                %s  providers:
                    mock:
                      type: mock
                    other:
                      type: mock
                """.formatted(state);
    }

    @Test
    void withTheMemoryStoreTheGatewayIsLiveAndReady() {
        try (TestGateway gateway = TestGateway.start(config(""), plugins.root())) {
            HttpResponse<String> health = Http.get(gateway.uri("/health"));
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"ok\"}", health.body(), "/health is unchanged for existing probes");

            HttpResponse<String> live = Http.get(gateway.uri("/health/live"));
            assertEquals(200, live.statusCode());
            assertEquals("application/json", live.headers().firstValue("content-type").orElseThrow());
            assertEquals("up", JsonBodies.parse(live.body()).getString("status"));

            HttpResponse<String> ready = Http.get(gateway.uri("/health/ready"));
            assertEquals(200, ready.statusCode(), ready.body());
            JsonObject body = JsonBodies.parse(ready.body());
            assertEquals("up", body.getString("status"));
            JsonObject checks = body.getJsonObject("checks");
            assertEquals("up", checks.getJsonObject("plugins").getString("status"));
            assertEquals(2, checks.getJsonObject("plugins").getInt("loaded"), "provider-mock and store-redis");
            assertEquals("up", checks.getJsonObject("providers").getString("status"));
            assertEquals(2, checks.getJsonObject("providers").getInt("created"));
            assertEquals("up", checks.getJsonObject("state_store").getString("status"));
        }
    }

    @Test
    void readinessFollowsTheRedisStoreDownAndUpAgain() {
        try (RedisServer redis = RedisServer.start();
             TestGateway gateway = TestGateway.start(config("""
                       state:
                         type: redis
                         url: %s
                         key-prefix: "it-health:"
                     """.formatted(redis.url())), plugins.root())) {
            // the store connects in the background: a cold JVM may need a moment
            HttpResponse<String> ready = awaitReady(gateway, 200, 30);
            assertEquals("up", JsonBodies.parse(ready.body()).getJsonObject("checks").getJsonObject("state_store")
                    .getString("status"));

            // however often the probe comes, the store is asked at most once a second
            long getsBefore = redisGets(redis);
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertEquals(200, Http.get(gateway.uri("/health/ready")).statusCode());
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            long asked = redisGets(redis) - getsBefore;
            assertTrue(asked <= 1 + seconds, "20 probes in " + (seconds + 1) + " s asked Redis " + asked + " times");
            // and asks again once the second is over (so the count above does count the probe's GETs)
            RedisServer.sleep(1_100);
            assertEquals(200, Http.get(gateway.uri("/health/ready")).statusCode());
            assertTrue(redisGets(redis) > getsBefore + asked, "a probe after a second asks Redis again");

            redis.stop();
            HttpResponse<String> down = awaitReady(gateway, 503, 15);
            JsonObject body = JsonBodies.parse(down.body());
            assertEquals("down", body.getString("status"));
            JsonObject checks = body.getJsonObject("checks");
            JsonObject store = checks.getJsonObject("state_store");
            assertEquals("down", store.getString("status"), down.body());
            assertTrue(store.getString("error").contains("state store"), "the failing check names its cause: "
                    + down.body());
            assertFalse(down.body().contains("redis://"), "the store URL stays out of the probe: " + down.body());
            assertEquals("up", checks.getJsonObject("plugins").getString("status"));
            assertEquals("up", checks.getJsonObject("providers").getString("status"));
            long probeStarted = System.nanoTime();
            assertEquals(503, Http.get(gateway.uri("/health/ready")).statusCode());
            long probeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - probeStarted);
            assertTrue(probeMillis < 3_000, "a readiness probe during the outage took " + probeMillis + " ms");
            // the process itself serves on: liveness and the old probe stay 200
            assertEquals(200, Http.get(gateway.uri("/health/live")).statusCode());
            HttpResponse<String> health = Http.get(gateway.uri("/health"));
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"ok\"}", health.body());

            redis.restart();
            HttpResponse<String> back = awaitReady(gateway, 200, 15);
            assertEquals("up", JsonBodies.parse(back.body()).getString("status"));
        }
    }

    /** Probes {@code /health/ready} until it answers {@code status}; the other of 200/503 is allowed meanwhile. */
    private static HttpResponse<String> awaitReady(TestGateway gateway, int status, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        HttpResponse<String> last;
        while (true) {
            last = Http.get(gateway.uri("/health/ready"));
            if (last.statusCode() == status) {
                return last;
            }
            assertTrue(last.statusCode() == 200 || last.statusCode() == 503, last.statusCode() + " " + last.body());
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/health/ready did not answer " + status + " within " + seconds + " s: "
                        + last.statusCode() + " " + last.body());
            }
            RedisServer.sleep(100);
        }
    }

    private static final Pattern GET_CALLS = Pattern.compile("cmdstat_get:calls=(\\d+)");

    /** How many GET commands the Redis server has run. */
    private static long redisGets(RedisServer redis) {
        try (RedisResp connection = RedisResp.connect(redis.url())) {
            Object info = connection.command("INFO", "commandstats");
            Matcher matcher = GET_CALLS.matcher(String.valueOf(info));
            return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
        }
    }
}
