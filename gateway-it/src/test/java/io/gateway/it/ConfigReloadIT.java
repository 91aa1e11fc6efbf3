package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live reload of the configuration file: under 200 concurrent requests (half of them streams) the
 * file is rewritten 20 times (a provider added and removed, virtual keys changed, once invalid); no
 * request fails, every stream is complete, each valid file serves within 2 s of being written, and the
 * invalid one is refused while the previous configuration keeps serving.
 */
class ConfigReloadIT {

    static final String ADMIN = "reload-it-admin-token";
    static final String STABLE = "sk-bf-stable-key-for-every-version-01";
    static final String EXTRA = "sk-bf-extra-key-only-in-odd-versions-02";

    @TempDir
    Path temp;

    Path plugins;

    static String version(int n, boolean withB, boolean withExtra, String serverExtra) {
        StringBuilder yaml = new StringBuilder("""
                server:
                  host: 127.0.0.1
                  port: 0
                %s
                gateway:
                  plugins-dir: PLUGINS
                  admin:
                    token: %s
                  logs:
                    store: none
                  providers:
                    mock-a:
                      type: mock
                      latency: 5ms
                      stream-interval: 20ms
                """.formatted(serverExtra, ADMIN));
        if (withB) {
            yaml.append("""
                        mock-b:
                          type: mock
                    """);
        }
        yaml.append("""
                  middleware:
                    - type: governance
                      virtual-keys:
                        - name: stable
                          value: %s
                          rate-limit: {requests: %d, per: 1h}
                """.formatted(STABLE, 1_000_000 + n));
        if (withExtra) {
            yaml.append("""
                            - name: extra
                              value: %s
                    """.formatted(EXTRA));
        }
        return yaml.toString();
    }

    void write(Path file, String yaml) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, yaml.replace("PLUGINS", plugins.toAbsolutePath().toString().replace("\\", "/")));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static long metric(TestGateway gateway, String line) {
        String scrape = Http.get(gateway.uri("/metrics")).body();
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(line) + " ([0-9.eE+]+)$").matcher(scrape);
        return matcher.find() ? (long) Double.parseDouble(matcher.group(1)) : -1;
    }

    static void awaitMetric(TestGateway gateway, String line, long value, String what) throws InterruptedException {
        long start = System.nanoTime();
        while (metric(gateway, line) != value) {
            if (System.nanoTime() - start > Duration.ofSeconds(2).toNanos()) {
                throw new AssertionError(what + ": " + line + " is " + metric(gateway, line) + ", not " + value
                        + ", 2 s after the file was written");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void theFileIsRewrittenTwentyTimesUnderLoadWithoutAFailedRequest() throws Exception {
        plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin")
                .root();
        Path file = temp.resolve("gateway.yaml");
        write(file, version(1, false, false, ""));
        try (TestGateway gateway = TestGateway.startFile(file, Map.of())) {
            assertEquals(1, metric(gateway, "gateway_config_version"));
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger streams = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<java.util.concurrent.Future<?>> clients = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 200; i++) {
                    boolean stream = i % 2 == 0;
                    clients.add(pool.submit(() -> {
                        while (running.get()) {
                            String failure = stream ? stream(gateway) : complete(gateway);
                            if (failure != null) {
                                failures.add(failure);
                            } else if (stream) {
                                streams.incrementAndGet();
                            }
                            completed.incrementAndGet();
                        }
                        return null;
                    }));
                }
                Thread.sleep(500);
                long version = 1;
                int rejected = 0;
                long slowest = 0;
                for (int n = 2; n <= 21; n++) {
                    long written = System.nanoTime();
                    if (n == 11) {
                        // invalid: a provider type no plugin serves
                        write(file, version(n, false, false, "").replace("type: mock\n      latency",
                                "type: no-such-type\n      latency"));
                        rejected++;
                        awaitMetric(gateway, "gateway_config_reloads_total{result=\"failure\"}", rejected,
                                "the invalid file is refused");
                        HttpResponse<String> refused = Http.post(gateway.uri("/admin/reload"), "{}",
                                "authorization", "Bearer " + ADMIN);
                        assertEquals(400, refused.statusCode(), refused.body());
                        assertTrue(refused.body().contains("no-such-type"), refused.body());
                        assertEquals(version, metric(gateway, "gateway_config_version"), "the previous one serves");
                        continue;
                    }
                    boolean withB = n % 4 < 2;
                    boolean withExtra = n % 2 == 1;
                    write(file, version(n, withB, withExtra, ""));
                    version++;
                    awaitMetric(gateway, "gateway_config_version", version, "version " + n);
                    slowest = Math.max(slowest, (System.nanoTime() - written) / 1_000_000);
                    assertEquals(withB ? 200 : 400, chatStatus(gateway, "mock-b/mock-model", STABLE),
                            "mock-b " + (withB ? "added" : "removed") + " in version " + version);
                    assertEquals(withExtra ? 200 : 401, chatStatus(gateway, "mock-a/mock-model", EXTRA),
                            "the extra key " + (withExtra ? "added" : "removed") + " in version " + version);
                }
                running.set(false);
                for (java.util.concurrent.Future<?> client : clients) {
                    client.get();
                }
                System.out.println("ConfigReloadIT: " + completed.get() + " requests (" + streams.get()
                        + " streams) across 19 reloads and 1 refused file; slowest reload seen after " + slowest
                        + " ms");
                assertEquals(List.of(), List.copyOf(failures).subList(0, Math.min(5, failures.size())),
                        failures.size() + " requests failed");
                assertEquals(20, version);
                assertEquals(19, metric(gateway, "gateway_config_reloads_total{result=\"success\"}"));
                assertEquals(2, metric(gateway, "gateway_config_reloads_total{result=\"failure\"}"),
                        "the invalid file, refused when the watcher saw it and again through POST /admin/reload");
                assertTrue(completed.get() > 400, "load ran throughout: " + completed.get());
            }
        }
    }

    @Test
    void aReloadReportsWhatNeedsARestartAndKeepsIt() throws Exception {
        plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin")
                .root();
        Path file = temp.resolve("gateway.yaml");
        write(file, version(1, false, false, ""));
        try (TestGateway gateway = TestGateway.startFile(file, Map.of())) {
            int port = gateway.port();
            write(file, version(2, true, false, "  max-connections: 500").replace("store: none",
                    "store: none\n  state:\n    type: memory\n    max-entries: 5000"));
            HttpResponse<String> response = Http.post(gateway.uri("/admin/reload"), "{}", "authorization",
                    "Bearer " + ADMIN);
            assertEquals(200, response.statusCode(), response.body());
            JsonObject body = JsonBodies.parse(response.body());
            assertTrue(body.getBoolean("reloaded"));
            assertTrue(body.getJsonNumber("version").longValue() >= 2);
            assertEquals(List.of("server.max-connections", "gateway.state"),
                    body.getJsonArray("restart_required").getValuesAs(jakarta.json.JsonString::getString));
            assertEquals(port, gateway.port(), "still listening where it was");
            assertEquals(200, chatStatus(gateway, "mock-b/mock-model", STABLE), "the live part applied");
        }
    }

    static int chatStatus(TestGateway gateway, String model, String key) {
        return Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"%s","messages":[{"role":"user","content":"one two three"}]}""".formatted(model),
                "authorization", "Bearer " + key).statusCode();
    }

    static String complete(TestGateway gateway) {
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), """
                {"model":"mock-a/mock-model","messages":[{"role":"user","content":"one two three"}]}""",
                "authorization", "Bearer " + STABLE);
        return response.statusCode() == 200 ? null : response.statusCode() + " " + response.body();
    }

    static String stream(TestGateway gateway) {
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"), """
                {"model":"mock-a/mock-model","stream":true,"messages":[{"role":"user","content":"one two three four"}]}""",
                "authorization", "Bearer " + STABLE);
        try (InputStream body = response.body()) {
            String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            if (response.statusCode() != 200) {
                return "stream " + response.statusCode() + " " + text;
            }
            if (!text.endsWith("data: [DONE]\n\n") || text.contains("\"error\"")) {
                return "stream incomplete: " + text.substring(Math.max(0, text.length() - 200));
            }
            return null;
        } catch (IOException e) {
            return "stream broken: " + e;
        }
    }
}
