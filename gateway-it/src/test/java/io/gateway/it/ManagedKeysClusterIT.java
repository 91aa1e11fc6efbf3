package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.logs.PostgresServer;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonValue;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways on one real PostgreSQL: a virtual key created, disabled, rotated or deleted through one
 * holds on the other within two seconds, and both show the same keys and audit trail.
 */
class ManagedKeysClusterIT {

    static final String ADMIN = "managed-keys-cluster-admin";

    @TempDir
    static Path temp;

    static PostgresServer postgres;
    static TestGateway a;
    static TestGateway b;

    @BeforeAll
    static void start() {
        postgres = PostgresServer.start();
        String url = postgres.createDatabase("gateway_keys_it");
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin");
        String yaml = """
                gateway:
                  admin:
                    token: %s
                  logs:
                    store: postgres
                    url: %s
                    username: %s
                  providers:
                    mock:
                      type: mock
                  middleware:
                    - type: governance
                """.formatted(ADMIN, url, PostgresServer.USER);
        a = TestGateway.start(yaml, plugins.root(), Map.of());
        b = TestGateway.start(yaml, plugins.root(), Map.of());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {a, b, postgres}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // the next one still closes
            }
        }
    }

    static HttpResponse<String> admin(TestGateway on, String method, String path, String body) {
        return ManagedKeysIT.admin(on, ADMIN, method, path, body);
    }

    static int chat(TestGateway on, String key) {
        return Http.post(on.uri("/v1/chat/completions"), """
                {"model":"mock/m","messages":[{"role":"user","content":"hi"}]}""", "authorization", "Bearer " + key)
                .statusCode();
    }

    /** How long until {@code on} answers a status the predicate accepts; fails beyond two seconds. */
    static long millisUntil(TestGateway on, String key, IntPredicate status, String what) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(2).toNanos();
        int last;
        do {
            last = chat(on, key);
            if (status.test(last)) {
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.println("ManagedKeysClusterIT: " + what + " after " + millis + " ms");
                return millis;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(what + " did not hold within 2 s; last status " + last);
    }

    @Test
    void aChangeOnOneGatewayHoldsOnTheOtherWithinTwoSeconds() throws Exception {
        HttpResponse<String> created = admin(a, "POST", "/admin/virtual-keys",
                "{\"name\": \"shared\", \"allowed_models\": [\"mock/*\"]}");
        assertEquals(201, created.statusCode(), created.body());
        String value = JsonBodies.parse(created.body()).getString("value");
        assertEquals(200, chat(a, value), "at once on the gateway that created it");
        millisUntil(b, value, s -> s == 200, "a key created on A works on B");

        assertEquals(200, admin(a, "PATCH", "/admin/virtual-keys/shared", "{\"disabled\": true}")
                .statusCode());
        millisUntil(b, value, s -> s == 401, "a key disabled on A is refused on B");
        assertEquals(200, admin(b, "PATCH", "/admin/virtual-keys/shared", "{\"disabled\": false}")
                .statusCode());
        millisUntil(a, value, s -> s == 200, "enabled again on B, it works on A");

        HttpResponse<String> rotated = admin(b, "POST", "/admin/virtual-keys/shared/rotate", "{}");
        assertEquals(200, rotated.statusCode(), rotated.body());
        String next = JsonBodies.parse(rotated.body()).getString("value");
        millisUntil(a, next, s -> s == 200, "a value rotated on B works on A");
        millisUntil(a, value, s -> s == 401, "the value before it is refused on A");

        assertEquals(204, admin(a, "DELETE", "/admin/virtual-keys/shared", null).statusCode());
        millisUntil(b, next, s -> s == 401, "a key deleted on A is refused on B");

        List<String> actions = JsonBodies.parse(admin(b, "GET", "/admin/audit", null).body())
                .getJsonArray("data").stream().map(JsonValue::asJsonObject)
                .filter(e -> e.getString("target").equals("shared")).map(e -> e.getString("action")).toList();
        assertEquals(List.of("virtual_key.delete", "virtual_key.rotate", "virtual_key.update", "virtual_key.update",
                "virtual_key.create"), actions, "one trail for both gateways");
        assertTrue(JsonBodies.parse(admin(a, "GET", "/admin/virtual-keys", null).body())
                .getJsonArray("data").isEmpty());
    }
}
