package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless browser (Debian's Chromium through ChromeDriver): the console's
 * own JavaScript unit tests; logging in; a request made while the Logs page is open appearing by
 * itself (live tail); its detail with the conversation and the attempts; the usage chart; the
 * providers and virtual keys pages; the page that explains how to turn the admin API on; and no error
 * in the browser's console anywhere. Screenshots of each page go to {@code target/console-screenshots}
 * and, with {@code -Dgateway.console.screenshots=DIR}, also to DIR (how docs/images is refreshed).
 */
class ConsoleIT {

    static final String ADMIN = "console-it-admin-token-42";
    static final String TEAM_A = "sk-bf-console-team-a-0123456789";
    static final String TEAM_B = "sk-bf-console-team-b-0123456789";

    @TempDir
    static Path temp;

    static TestGateway gateway;
    static ChromeDriver browser;

    @BeforeAll
    static void start() {
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin");
        gateway = TestGateway.start("""
                gateway:
                  admin:
                    token: ${CONSOLE_IT_ADMIN}
                  logs:
                    path: %s
                    capture-bodies: true
                  providers:
                    mock:
                      type: mock
                      keys:
                        - name: primary
                          value: mock-key-one
                        - name: secondary
                          value: mock-key-two
                    backup:
                      type: mock
                  middleware:
                    - type: governance
                      # the seeds state no output cap; reserve what the mock answers, not 4,096 tokens of the
                      # dear prices below, or the support bot's budget could not admit one request
                      default-max-output-tokens: 256
                      virtual-keys:
                        - name: support-bot
                          value: ${CONSOLE_IT_TEAM_A}
                          rate-limit: {requests: 600, per: 1m}
                          budget: {usd: 25, per: 1M}
                        - name: analytics
                          value: ${CONSOLE_IT_TEAM_B}
                          rate-limit: {tokens: 200000, tokens-per: 1h}
                  pricing:
                    mock/gpt-4o-mini: {input: 150, output: 600}
                    mock/claude-sonnet: {input: 3000, output: 15000}
                    backup/llama-3-70b: {input: 500, output: 700}
                """.formatted(temp.resolve("data/gateway.db")), plugins.root(),
                Map.of("CONSOLE_IT_ADMIN", ADMIN, "CONSOLE_IT_TEAM_A", TEAM_A, "CONSOLE_IT_TEAM_B", TEAM_B));
        String[] models = {"mock/gpt-4o-mini", "mock/claude-sonnet", "backup/llama-3-70b"};
        for (int i = 0; i < 18; i++) {
            chat(models[i % 3], i % 2 == 0 ? TEAM_A : TEAM_B, "Question " + i + ": how do gateways route requests?",
                    "console-seed-" + i);
        }
        // a refused request (no virtual key is fine here, but an unknown provider is not)
        Http.post(gateway.uri("/v1/chat/completions"), "{\"model\":\"nowhere/x\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}", "x-bf-vk", TEAM_B);
        browser = Browser.start(temp.resolve("profile"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    static void chat(String model, String key, String question, String id) {
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"%s","messages":[{"role":"system","content":"You are a concise assistant."},
                {"role":"user","content":"%s"}]}""".formatted(model, question), "x-bf-vk", key, "x-request-id", id,
                "user-agent", "console-it/1.0");
        assertEquals(200, response.statusCode(), response.body());
    }

    WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @Test
    void theConsolesOwnUnitTestsPassInTheBrowser() throws IOException {
        // the test page imports the console's modules from ../ui/, so both are served from one origin
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String resource = path.startsWith("/ui/") ? "io/gateway/server/console/" + path.substring(4)
                    : path.startsWith("/tests/") ? "console-tests/" + path.substring(7) : null;
            try (InputStream in = resource == null || resource.contains("..") ? null
                    : ConsoleIT.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] bytes = in.readAllBytes();
                exchange.getResponseHeaders().set("content-type", path.endsWith(".js") ? "text/javascript"
                        : path.endsWith(".html") ? "text/html" : "application/octet-stream");
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            } finally {
                exchange.close();
            }
        });
        server.start();
        try {
            Browser.consoleErrors(browser);
            browser.get("http://127.0.0.1:" + server.getAddress().getPort() + "/tests/index.html");
            waiting().until(d -> ((ChromeDriver) d).executeScript("return window.consoleTests") != null);
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) browser.executeScript("return window.consoleTests");
            assertEquals(0L, result.get("failed"), String.valueOf(result.get("failures")));
            assertTrue((Long) result.get("passed") >= 20, "passed: " + result.get("passed"));
            assertEquals(List.of(), Browser.consoleErrors(browser));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void logInSeeARequestArriveOpenItsDetailAndSeeTheUsage() throws IOException {
        Browser.consoleErrors(browser);
        browser.get(gateway.baseUrl() + "/ui/");
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        WebElement token = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        screenshot("login");
        token.sendKeys("not-the-token");
        browser.findElement(By.cssSelector("#login button")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "did not accept"));
        // the refused attempt is the one failed request the browser reports, and it is expected
        List<String> refused = Browser.consoleErrors(browser);
        assertEquals(1, refused.size(), refused.toString());
        assertTrue(refused.get(0).contains("401"), refused.toString());
        token = browser.findElement(By.id("token"));
        token.clear();
        token.sendKeys(ADMIN);
        browser.findElement(By.cssSelector("#login button")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr.log-row")));

        // a request made now shows up by itself (live tail)
        String id = "console-live-" + UUID.randomUUID();
        chat("mock/gpt-4o-mini", TEAM_A, "What is the capital of France?", id);
        By row = By.cssSelector("tr.log-row[data-id='" + id + "']");
        waiting().until(ExpectedConditions.presenceOfElementLocated(row));
        WebElement live = browser.findElement(row);
        assertTrue(live.getText().contains("gpt-4o-mini"), live.getText());
        assertTrue(live.getText().contains("support-bot"), live.getText());
        screenshot("logs");

        live.click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#detail-page .conversation")));
        List<String> roles = browser.findElements(By.cssSelector("#detail-page .turn .role")).stream()
                .map(WebElement::getText).map(String::toLowerCase).toList();
        assertTrue(roles.containsAll(List.of("system", "user", "assistant")), roles.toString());
        String page = browser.findElement(By.id("detail-page")).getText();
        assertTrue(page.contains("What is the capital of France?"), page);
        assertEquals(1, browser.findElements(By.cssSelector("table.attempts tbody tr")).size());
        assertTrue(browser.findElement(By.cssSelector("table.attempts")).getText().contains("primary")
                || browser.findElement(By.cssSelector("table.attempts")).getText().contains("secondary"));
        screenshot("detail");

        browser.findElement(By.cssSelector("nav a[data-page='usage']")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#usage-chart svg rect.bar")));
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#usage-totals tbody tr")));
        List<String> series = browser.findElements(By.cssSelector("#usage-chart .legend li")).stream()
                .map(WebElement::getText).toList();
        assertTrue(series.containsAll(List.of("gpt-4o-mini", "claude-sonnet", "llama-3-70b")), series.toString());
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("usage-metric"))).selectByValue("cost");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#usage-chart h2"), "Cost"));
        screenshot("usage");

        browser.findElement(By.cssSelector("nav a[data-page='providers']")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("article.provider[data-provider='mock']")));
        String providers = browser.findElement(By.id("providers-page")).getText();
        assertTrue(providers.contains("primary") && providers.contains("secondary"), providers);
        assertFalse(providers.contains("mock-key-one"), "key values are redacted");
        screenshot("providers");

        browser.findElement(By.cssSelector("nav a[data-page='keys']")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("article.vkey[data-key='support-bot']")));
        String keys = browser.findElement(By.id("keys-page")).getText();
        assertTrue(keys.contains("analytics") && keys.contains("of $25.00"), keys);
        assertFalse(keys.contains(TEAM_A));
        screenshot("keys");

        assertEquals(List.of(), Browser.consoleErrors(browser));
    }

    @Test
    void withoutAnAdminTokenTheConsoleSaysHowToSetOne() {
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins-off"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin");
        try (TestGateway off = TestGateway.start("""
                gateway:
                  providers:
                    mock:
                      type: mock
                """, plugins.root())) {
            Browser.consoleErrors(browser);
            browser.get(off.baseUrl() + "/ui/");
            WebElement panel = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("admin-off")));
            assertTrue(panel.getText().contains("token: ${GATEWAY_ADMIN_TOKEN}"), panel.getText());
            assertEquals(List.of(), Browser.consoleErrors(browser));
        }
    }

    @Test
    void theConsoleIsServedWithAStrictPolicyAndNothingElseUnderUi() {
        HttpResponse<String> index = Http.get(gateway.uri("/ui/"));
        assertEquals(200, index.statusCode());
        assertTrue(index.headers().firstValue("content-type").orElseThrow().startsWith("text/html"));
        assertTrue(index.headers().firstValue("content-security-policy").orElseThrow().contains("script-src 'self'"));
        assertEquals("text/javascript; charset=utf-8", Http.get(gateway.uri("/ui/app.js")).headers()
                .firstValue("content-type").orElseThrow());
        assertEquals(200, Http.get(gateway.uri("/ui/pages/logs.js")).statusCode());
        assertEquals(404, Http.get(gateway.uri("/ui/nope.js")).statusCode());
        assertEquals(404, Http.get(gateway.uri("/ui/..%2F..%2Fio/gateway/server/GatewayServer.class")).statusCode());
        assertEquals(404, Http.get(gateway.uri("/ui/%2e%2e/logs/LogStore.class")).statusCode());
        assertEquals("{\"admin_api\":true,\"request_log\":true}", Http.get(gateway.uri("/ui/status.json")).body());
        HttpResponse<String> redirect = Http.get(gateway.uri("/ui"));
        assertTrue(redirect.statusCode() == 301 || redirect.statusCode() == 200, String.valueOf(redirect.statusCode()));
    }

    static void screenshot(String name) throws IOException {
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Path dir = Path.of("target", "console-screenshots");
        Files.createDirectories(dir);
        Files.copy(shot, dir.resolve("console-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        String docs = System.getProperty("gateway.console.screenshots");
        if (docs != null && !docs.isBlank()) {
            Path target = Path.of(docs);
            Files.createDirectories(target);
            Files.copy(shot, target.resolve("console-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
