package io.gateway.server.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.config.ConfigBlock;
import io.gateway.server.config.ConfigNode;
import io.gateway.server.config.ReadTracker;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Secret;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingLogicTest {

    private static ApiKey key(String name, double weight, String... models) {
        return new ApiKey(name, Secret.of("sk-" + name), weight, List.of(models));
    }

    @Test
    void weightsSplitTrafficInProportion() {
        WeightedKeySelector selector = new WeightedKeySelector(List.of(key("a", 3, "*"), key("b", 1, "*")));
        Random random = new Random(42);
        Map<String, Integer> counts = new HashMap<>();
        int n = 40_000;
        for (int i = 0; i < n; i++) {
            counts.merge(selector.select("gpt-4o", Set.of(), random).name(), 1, Integer::sum);
        }
        // expected 30000 / 10000; binomial sd ~ 87, so 5 sd is a 435 band
        assertEquals(30_000, counts.get("a"), 435);
        assertEquals(10_000, counts.get("b"), 435);
    }

    @Test
    void allowListsAndExclusionsNarrowTheChoice() {
        WeightedKeySelector selector = new WeightedKeySelector(List.of(key("a", 3, "gpt-4o", "gpt-4o-mini"),
                key("b", 1, "*")));
        Random random = new Random(1);
        for (int i = 0; i < 100; i++) {
            assertEquals("b", selector.select("o3", Set.of(), random).name());
            assertEquals("b", selector.select("gpt-4o", Set.of("a"), random).name());
        }
        assertNull(selector.select("gpt-4o", Set.of("a", "b"), random));
        WeightedKeySelector narrow = new WeightedKeySelector(List.of(key("a", 1, "gpt-4o")));
        assertNull(narrow.select("o3", Set.of(), random));
        assertTrue(narrow.anyAllows("gpt-4o"));
    }

    @Test
    void backoffDoublesCapsAndJitters() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(5));
        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            long first = backoff.delay(0, null, random).toMillis();
            assertTrue(first >= 400 && first < 600, "first " + first);
            long second = backoff.delay(1, null, random).toMillis();
            assertTrue(second >= 800 && second < 1200, "second " + second);
            long capped = backoff.delay(10, null, random).toMillis();
            assertTrue(capped >= 4000 && capped < 6000, "capped " + capped);
        }
        assertEquals(Duration.ofSeconds(2), backoff.delay(0, Duration.ofSeconds(2), random));
        assertEquals(Duration.ofSeconds(5), backoff.delay(0, Duration.ofSeconds(60), random));
    }

    @Test
    void forwardedBodyRewritesOnlyModelAndDropsGatewayFields() {
        JsonObject body = JsonBodies.parse("{\"model\":\"openai/gpt-4o\",\"fallbacks\":[\"x/y\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"some_future_field\":{\"a\":[1,2]},"
                + "\"temperature\":0.2}");
        JsonObject forwarded = ForwardBody.forward(body, null, "gpt-4o").body();
        assertEquals("gpt-4o", forwarded.getString("model"));
        assertTrue(!forwarded.containsKey("fallbacks"));
        assertEquals(body.get("messages"), forwarded.get("messages"));
        assertEquals(body.get("some_future_field"), forwarded.get("some_future_field"));
        assertEquals(body.get("temperature"), forwarded.get("temperature"));
        assertEquals(List.of("model", "messages", "some_future_field", "temperature"),
                List.copyOf(forwarded.keySet()));
    }

    @Test
    void concurrencyLimitQueuesThenDrops() throws Exception {
        ConcurrencyLimit limit = new ConcurrencyLimit("p", 1, 1);
        limit.acquire(Duration.ofSeconds(1));
        Thread waiter = Thread.ofVirtual().start(() -> {
            limit.acquire(Duration.ofSeconds(5));
            limit.release();
        });
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (waiter.getState() != Thread.State.WAITING && waiter.getState() != Thread.State.TIMED_WAITING
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        io.gateway.spi.GatewayException dropped = org.junit.jupiter.api.Assertions.assertThrows(
                io.gateway.spi.GatewayException.class, () -> limit.acquire(Duration.ofSeconds(1)));
        assertEquals(429, dropped.status());
        assertEquals("request_dropped", dropped.errorCode().type());
        limit.release();
        waiter.join(2000);
        assertEquals(0, limit.inFlight());
    }
}
