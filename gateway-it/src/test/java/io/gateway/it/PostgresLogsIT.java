package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.logs.PostgresServer;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Two gateways writing their request logs to one real PostgreSQL server: requests through either
 * appear in both admin APIs and in either console; with the database stopped, requests go on as
 * before, the admin API says why it cannot answer, entries beyond the queue are dropped and counted,
 * and once the database is back the log fills again by itself.
 */
class PostgresLogsIT {

    static final String ADMIN = "pg-logs-it-admin-token";

    @TempDir
    static Path temp;

    static PostgresServer postgres;
    static TestGateway a;
    static TestGateway b;

    @BeforeAll
    static void start() {
        postgres = PostgresServer.start();
        String url = postgres.createDatabase("gateway_logs_it");
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin");
        String yaml = """
                gateway:
                  admin:
                    token: %s
                  logs:
                    store: postgres
                    url: %s
                    username: %s
                    password: ${PG_LOGS_IT_PASSWORD}
                    queue-size: %d
                  providers:
                    mock:
                      type: mock
                """;
        Map<String, String> env = Map.of("PG_LOGS_IT_PASSWORD", "unused-with-trust-auth");
        a = TestGateway.start(yaml.formatted(ADMIN, url, PostgresServer.USER, 5), plugins.root(), env);
        b = TestGateway.start(yaml.formatted(ADMIN, url, PostgresServer.USER, 10_000), plugins.root(), env);
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

    static String chat(TestGateway gateway, String id) {
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"mock/shared-model","messages":[{"role":"user","content":"hello from %s"}]}""".formatted(id),
                "x-request-id", id);
        assertEquals(200, response.statusCode(), response.body());
        return id;
    }

    static Set<String> listed(TestGateway gateway, String tag) {
        HttpResponse<String> response = Http.get(gateway.uri("/admin/logs?limit=500&q="
                + URLEncoder.encode(tag, StandardCharsets.UTF_8)), "authorization", "Bearer " + ADMIN);
        if (response.statusCode() != 200) {
            return Set.of();
        }
        Set<String> ids = new HashSet<>();
        for (JsonValue value : JsonBodies.parse(response.body()).getJsonArray("data")) {
            ids.add(value.asJsonObject().getString("id"));
        }
        return ids;
    }

    @Test
    void requestsThroughEitherGatewayAppearInBoth() {
        String tag = "both-" + UUID.randomUUID();
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            sent.add(chat(a, tag + "-a" + i));
            sent.add(chat(b, tag + "-b" + i));
        }
        RequestLogIT.await(() -> listed(a, tag).equals(sent), "all six in gateway A's log");
        assertEquals(sent, listed(b, tag), "and in gateway B's");
        JsonObject stats = JsonBodies.parse(Http.get(b.uri("/admin/stats?group_by=model"), "authorization",
                "Bearer " + ADMIN).body());
        assertTrue(stats.getJsonArray("data").stream().map(JsonValue::asJsonObject)
                .anyMatch(r -> "shared-model".equals(r.getString("key")) && r.getInt("requests") >= 6), stats.toString());
    }

    @Test
    void aRequestThroughOneGatewayIsInTheOthersConsole() throws Exception {
        String id = chat(a, "console-" + UUID.randomUUID());
        RequestLogIT.await(() -> listed(b, id).contains(id), "the request in B's log");
        ChromeDriver browser = Browser.start(temp.resolve("profile"));
        try {
            browser.get(b.baseUrl() + "/ui/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(ADMIN);
            browser.findElement(By.cssSelector("#login button")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr.log-row[data-id='" + id + "']")))
                    .click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#detail-page dl.facts")));
            assertTrue(browser.findElement(By.id("detail-page")).getText().contains("mock / shared-model"));
            assertEquals(List.of(), Browser.consoleErrors(browser));
        } finally {
            browser.quit();
        }
    }

    @Test
    void withTheDatabaseStoppedRequestsGoOnAndTheLogResumesWhenItIsBack() {
        String tag = "outage-" + UUID.randomUUID();
        chat(a, tag + "-before");
        RequestLogIT.await(() -> listed(a, tag).size() == 1, "the first entry");
        postgres.stop();
        try {
            long slowest = 0;
            for (int i = 0; i < 40; i++) {
                long start = System.nanoTime();
                chat(a, tag + "-during-" + i);
                slowest = Math.max(slowest, System.nanoTime() - start);
            }
            assertTrue(slowest < Duration.ofSeconds(1).toNanos(), "a request took " + slowest / 1_000_000 + " ms");
            HttpResponse<String> admin = Http.get(a.uri("/admin/logs"), "authorization", "Bearer " + ADMIN);
            assertEquals(503, admin.statusCode(), admin.body());
            assertEquals("store_unavailable", JsonBodies.parse(admin.body()).getJsonObject("error").getString("type"));
            // gateway A's queue holds 5 (and the writer one batch, never larger than the queue): the
            // rest are dropped and counted
            RequestLogIT.await(() -> dropped(a) >= 40 - 5 - 5, "drops counted in /metrics");
        } finally {
            postgres.restart();
        }
        // the writer writes what it held, then the queue drains; a request made while the queue is
        // still full would be dropped like the others
        RequestLogIT.await(() -> listed(a, tag).size() > 1, "what the writer held, written once the database is back");
        RequestLogIT.await(() -> queued(a) == 0, "the queue drained");
        String after = chat(a, tag + "-after");
        RequestLogIT.await(() -> listed(a, tag).contains(after), "an entry after the outage");
        RequestLogIT.await(() -> listed(b, tag).contains(after), "also seen by gateway B");
    }

    static int queued(TestGateway gateway) {
        return gateway.server().requestLog().queued();
    }

    static double dropped(TestGateway gateway) {
        Matcher m = Pattern.compile("(?m)^gateway_logs_dropped_total\\{reason=\"queue_full\"} (\\S+)$")
                .matcher(Http.get(gateway.uri("/metrics")).body());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
