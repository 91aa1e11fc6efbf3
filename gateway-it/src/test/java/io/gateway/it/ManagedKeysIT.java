package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Virtual keys managed through the admin API, end to end on a gateway started from its file with an
 * SQLite database: the lifecycle (create, use, list without the value, change, rotate with a grace,
 * delete), keys of the file that the API must not change, the audit trail, and keys that outlive a
 * restart. Governance holds managed keys to their rules as it holds the file's.
 */
class ManagedKeysIT {

    static final String ADMIN = "managed-keys-it-admin-token";
    static final String TEAM_A = "sk-bf-team-a-file-key-0123456789";

    @TempDir
    static Path temp;

    static Path plugins;
    static TestGateway gateway;

    @BeforeAll
    static void start() throws IOException {
        plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin")
                .root();
        gateway = TestGateway.startFile(config("one"), env());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    static Map<String, String> env() {
        return Map.of("MANAGED_IT_ADMIN", ADMIN, "MANAGED_IT_TEAM_A", TEAM_A);
    }

    /** A whole configuration file, named gateway.yaml, whose database is {@code <folder>/data/gateway.db}. */
    static Path config(String folder) throws IOException {
        Path dir = Files.createDirectories(temp.resolve(folder));
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                server:
                  host: 127.0.0.1
                  port: 0
                gateway:
                  plugins-dir: %s
                  admin:
                    token: ${MANAGED_IT_ADMIN}
                  logs:
                    store: sqlite
                    path: data/gateway.db
                  providers:
                    mock:
                      type: mock
                  middleware:
                    - type: governance
                      virtual-keys:
                        - name: team-a
                          value: ${MANAGED_IT_TEAM_A}
                          allowed-models: [mock/*]
                          rate-limit: {requests: 100, per: 1m}
                  pricing:
                    mock/priced: {input: 1000, output: 1000}
                """.formatted(plugins.toAbsolutePath().toString().replace("\\", "/")));
        return file;
    }

    static HttpResponse<String> admin(TestGateway on, String method, String path, String body) {
        return admin(on, ADMIN, method, path, body);
    }

    static HttpResponse<String> admin(TestGateway on, String token, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(on.uri(path)).timeout(Duration.ofSeconds(30))
                .header("authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("content-type", "application/json");
        }
        return Http.send(request.build());
    }

    static HttpResponse<String> chat(TestGateway on, String key, String model) {
        return Http.post(on.uri("/v1/chat/completions"), """
                {"model":"%s","messages":[{"role":"user","content":"three small words"}]}""".formatted(model),
                "authorization", "Bearer " + key);
    }

    static JsonObject json(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        return JsonBodies.parse(response.body());
    }

    static JsonObject listed(TestGateway on, String name) {
        JsonObject list = json(admin(on, "GET", "/admin/virtual-keys", null), 200);
        return list.getJsonArray("data").stream().map(JsonValue::asJsonObject)
                .filter(key -> key.getString("name").equals(name)).findFirst().orElse(null);
    }

    static String unique(String stem) {
        return stem + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aKeyIsCreatedUsedListedChangedRotatedAndDeleted() throws Exception {
        String name = unique("app-x");
        JsonObject created = json(admin(gateway, "POST", "/admin/virtual-keys", """
                {"name": "%s", "allowed_models": ["mock/*"], "rate_limit": {"requests": 600, "per": "1h",
                 "tokens": 200000, "tokens_per": "1h"}, "budget": {"usd": 50, "per": "1M"}, "expires_at": null}
                """.formatted(name)), 201);
        String value = created.getString("value");
        assertTrue(value.startsWith("sk-bf-") && value.length() >= "sk-bf-".length() + 32, "a new random sk-bf- key");
        assertEquals("api", created.getString("source"));
        assertEquals(List.of("mock/*"), created.getJsonArray("allowed_models").getValuesAs(jakarta.json.JsonString::getString));
        assertEquals(JsonBodies.parse("""
                {"requests": 600, "per": "1h", "tokens": 200000, "tokens_per": "1h"}"""), created.getJsonObject("rate_limit"));
        assertEquals(JsonBodies.parse("{\"usd\": 50, \"per\": \"1M\"}"), created.getJsonObject("budget"));
        assertTrue(created.isNull("expires_at"));
        assertTrue(created.isNull("previous_value_expires_at"));

        assertEquals(200, chat(gateway, value, "mock/priced").statusCode(), "the new key works at once");
        HttpResponse<String> refused = chat(gateway, value, "other/model");
        assertEquals(403, refused.statusCode(), "held to its models: " + refused.body());

        String list = admin(gateway, "GET", "/admin/virtual-keys", null).body();
        assertFalse(list.contains(value), "the list never shows a value");
        JsonObject entry = listed(gateway, name);
        assertFalse(entry.containsKey("value"));
        assertEquals("api", entry.getString("source"));
        assertFalse(entry.getBoolean("disabled"));
        assertTrue(Instant.parse(entry.getString("created_at")).isAfter(Instant.now().minusSeconds(60)));
        JsonObject usage = entry.getJsonObject("usage");
        assertEquals(1, usage.getInt("requests"), usage.toString());
        assertTrue(usage.getJsonNumber("cost_usd").bigDecimalValue().signum() > 0, "priced: " + usage);
        JsonObject one = json(admin(gateway, "GET", "/admin/virtual-keys/" + name, null), 200);
        assertFalse(one.containsKey("value"));
        assertEquals(entry.getJsonObject("rate_limit"), one.getJsonObject("rate_limit"));

        // changes hold from the next request; the counters stay
        JsonObject patched = json(admin(gateway, "PATCH", "/admin/virtual-keys/" + name, """
                {"rate_limit": {"requests": 1000, "per": "1h"}, "disabled": true}"""), 200);
        assertTrue(patched.getBoolean("disabled"));
        assertTrue(patched.getJsonObject("rate_limit").isNull("tokens"));
        assertEquals(usage.getJsonNumber("cost_usd"), patched.getJsonObject("usage").getJsonNumber("cost_usd"),
                "spend survives a change of the limits");
        HttpResponse<String> disabled = chat(gateway, value, "mock/priced");
        assertEquals(401, disabled.statusCode());
        assertTrue(disabled.body().contains("disabled"), disabled.body());
        json(admin(gateway, "PATCH", "/admin/virtual-keys/" + name, "{\"disabled\": false}"), 200);
        assertEquals(200, chat(gateway, value, "mock/priced").statusCode());
        assertTrue(json(admin(gateway, "GET", "/admin/virtual-keys/" + name, null), 200).getJsonObject("usage")
                .getInt("requests") >= 2, "the request count went on across the change");

        // rotation: a new value at once, the old one for the grace, then 401
        JsonObject rotated = json(admin(gateway, "POST", "/admin/virtual-keys/" + name + "/rotate",
                "{\"grace\": \"3s\"}"), 200);
        String next = rotated.getString("value");
        assertNotEquals(value, next);
        Instant graceEnds = Instant.parse(rotated.getString("previous_value_expires_at"));
        assertEquals(200, chat(gateway, next, "mock/priced").statusCode(), "the new value works");
        if (Instant.now().isBefore(graceEnds.minusMillis(500))) {
            assertEquals(200, chat(gateway, value, "mock/priced").statusCode(), "the old one during the grace");
        }
        while (Instant.now().isBefore(graceEnds.plusMillis(200))) {
            Thread.sleep(100);
        }
        assertEquals(401, chat(gateway, value, "mock/priced").statusCode(), "the old one after the grace");
        assertEquals(200, chat(gateway, next, "mock/priced").statusCode());

        // a rotation without a grace ends the old value at once
        JsonObject again = json(admin(gateway, "POST", "/admin/virtual-keys/" + name + "/rotate", null), 200);
        assertTrue(again.isNull("previous_value_expires_at"));
        assertEquals(401, chat(gateway, next, "mock/priced").statusCode());
        String last = again.getString("value");
        assertEquals(200, chat(gateway, last, "mock/priced").statusCode());

        HttpResponse<String> deleted = admin(gateway, "DELETE", "/admin/virtual-keys/" + name, null);
        assertEquals(204, deleted.statusCode(), deleted.body());
        assertEquals(401, chat(gateway, last, "mock/priced").statusCode(), "a deleted key answers 401");
        assertEquals(404, admin(gateway, "GET", "/admin/virtual-keys/" + name, null).statusCode());
        assertEquals(404, admin(gateway, "DELETE", "/admin/virtual-keys/" + name, null).statusCode());

        String config = admin(gateway, "GET", "/admin/config", null).body();
        for (String secret : List.of(value, next, last)) {
            assertFalse(config.contains(secret));
        }
    }

    @Test
    void keysOfTheFileAreListedButCannotBeChangedThroughTheApi() {
        JsonObject teamA = listed(gateway, "team-a");
        assertEquals("file", teamA.getString("source"));
        assertEquals(100, teamA.getJsonObject("rate_limit").getInt("requests"));
        assertTrue(teamA.isNull("created_at"));
        assertFalse(admin(gateway, "GET", "/admin/virtual-keys", null).body().contains(TEAM_A));
        for (HttpResponse<String> response : List.of(
                admin(gateway, "PATCH", "/admin/virtual-keys/team-a", "{\"disabled\": true}"),
                admin(gateway, "POST", "/admin/virtual-keys/team-a/rotate", "{}"),
                admin(gateway, "DELETE", "/admin/virtual-keys/team-a", null),
                admin(gateway, "POST", "/admin/virtual-keys", "{\"name\": \"team-a\"}"))) {
            assertEquals(409, response.statusCode(), response.body());
            assertTrue(response.body().contains("gateway.yaml"), "names the file: " + response.body());
        }
        assertEquals(200, chat(gateway, TEAM_A, "mock/priced").statusCode(), "and it still works");
    }

    @Test
    void badRequestsAreRefusedWithWhatToWrite() {
        HttpResponse<String> missing = admin(gateway, "POST", "/admin/virtual-keys", "{\"allowed_models\": []}");
        assertEquals(400, missing.statusCode());
        assertTrue(missing.body().contains("name: is required"), missing.body());
        HttpResponse<String> unknown = admin(gateway, "POST", "/admin/virtual-keys",
                "{\"name\": \"x-1\", \"colour\": \"blue\"}");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("colour: is not a field here"), unknown.body());
        HttpResponse<String> window = admin(gateway, "POST", "/admin/virtual-keys",
                "{\"name\": \"x-2\", \"rate_limit\": {\"requests\": 5, \"per\": \"1.5s\"}}");
        assertEquals(400, window.statusCode());
        assertTrue(window.body().contains("rate_limit.per"), window.body());
        HttpResponse<String> period = admin(gateway, "POST", "/admin/virtual-keys",
                "{\"name\": \"x-3\", \"budget\": {\"usd\": 5, \"per\": \"1m\"}}");
        assertEquals(400, period.statusCode());
        assertTrue(period.body().contains("budget.per"), period.body());
        assertEquals(404, admin(gateway, "GET", "/admin/virtual-keys/x-1", null).statusCode(), "nothing was created");

        String name = unique("twice");
        json(admin(gateway, "POST", "/admin/virtual-keys", "{\"name\": \"" + name + "\"}"), 201);
        HttpResponse<String> twice = admin(gateway, "POST", "/admin/virtual-keys", "{\"name\": \"" + name + "\"}");
        assertEquals(409, twice.statusCode());
        assertTrue(twice.body().contains("exists already"), twice.body());

        HttpResponse<String> noToken = Http.get(gateway.uri("/admin/virtual-keys"));
        assertEquals(401, noToken.statusCode());
    }

    @Test
    void everyAdminWriteIsInTheAuditTrail() {
        String name = unique("audited");
        json(admin(gateway, "POST", "/admin/virtual-keys", "{\"name\": \"" + name + "\"}"), 201);
        json(admin(gateway, "PATCH", "/admin/virtual-keys/" + name, "{\"allowed_models\": [\"mock/*\"]}"), 200);
        json(admin(gateway, "POST", "/admin/virtual-keys/" + name + "/rotate", "{\"grace\": \"1m\"}"), 200);
        assertEquals(204, admin(gateway, "DELETE", "/admin/virtual-keys/" + name, null).statusCode());

        JsonObject audit = json(admin(gateway, "GET", "/admin/audit?limit=1000", null), 200);
        List<JsonObject> mine = audit.getJsonArray("data").stream().map(JsonValue::asJsonObject)
                .filter(e -> e.getString("target").equals(name)).toList();
        assertEquals(List.of("virtual_key.delete", "virtual_key.rotate", "virtual_key.update", "virtual_key.create"),
                mine.stream().map(e -> e.getString("action")).toList(), "newest first");
        for (JsonObject e : mine) {
            assertEquals("127.0.0.1", e.getString("client_ip"));
            assertTrue(Instant.parse(e.getString("time")).isAfter(Instant.now().minusSeconds(120)));
            assertEquals(4, e.size(), "time, action, target, client_ip: " + e);
        }
        JsonObject page = json(admin(gateway, "GET", "/admin/audit?limit=1", null), 200);
        assertEquals(1, page.getJsonArray("data").size());
        JsonObject next = json(admin(gateway, "GET", "/admin/audit?limit=1&before="
                + page.getJsonNumber("next_before"), null), 200);
        assertNotEquals(page.getJsonArray("data"), next.getJsonArray("data"), "the next page is older");
        assertEquals(400, admin(gateway, "GET", "/admin/audit?limit=0", null).statusCode());
    }

    @Test
    void managedKeysOutliveARestart() throws IOException {
        Path file = config("restart");
        String value;
        try (TestGateway first = TestGateway.startFile(file, env())) {
            value = json(admin(first, "POST", "/admin/virtual-keys", "{\"name\": \"durable\"}"), 201)
                    .getString("value");
            assertEquals(200, chat(first, value, "mock/priced").statusCode());
        }
        try (TestGateway second = TestGateway.startFile(file, env())) {
            assertEquals(200, chat(second, value, "mock/priced").statusCode(), "the key survived the restart");
            assertNull(listed(second, "durable").get("value"));
        }
    }
}
