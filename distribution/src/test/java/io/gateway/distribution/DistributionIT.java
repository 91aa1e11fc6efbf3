package io.gateway.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import io.gateway.spi.SpiVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests the assembled distribution the way a user meets it: {@code target/gateway/bin/gateway}
 * started as a separate process, talked to over HTTP. Runs in the integration-test phase, after the
 * package phase has laid out {@code target/gateway/} and {@code target/gateway.tar.gz}.
 */
class DistributionIT {

    private static final Path DIST = Path.of(
            System.getProperty("gateway.distribution.dir", "target/gateway")).toAbsolutePath();
    private static final Path TARBALL = Path.of(
            System.getProperty("gateway.distribution.tarball", "target/gateway.tar.gz")).toAbsolutePath();
    private static final Path LAUNCHER = DIST.resolve("bin/gateway");
    private static final Path DEFAULT_CONFIG = DIST.resolve("conf/gateway.yaml");
    /** The plugin toolkit's artifact, copied into the folder of each plugin that uses it. */
    private static final String TOOLKIT = "gateway-plugin-toolkit";
    private static final List<String> PLUGINS =
            List.of("provider-openai", "provider-mock", "middleware-request-log");

    private static final Duration START_LIMIT = Duration.ofSeconds(20);
    private static final Duration EXIT_LIMIT = Duration.ofSeconds(20);
    private static final Pattern CHAT_COMPLETION_OBJECT =
            Pattern.compile("\"object\"\\s*:\\s*\"chat\\.completion\"");

    @TempDir
    Path tmp;

    @Test
    void layoutHasLauncherConfigLibrariesAndOneFolderPerPlugin() throws IOException {
        assertTrue(Files.isRegularFile(LAUNCHER), LAUNCHER + " is missing");
        Set<PosixFilePermission> launcherMode = Files.getPosixFilePermissions(LAUNCHER);
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(launcherMode), "mode of bin/gateway");
        assertTrue(Files.isRegularFile(DIST.resolve("bin/find-jdk.sh")), "bin/find-jdk.sh is missing");
        assertTrue(Files.isRegularFile(DEFAULT_CONFIG), DEFAULT_CONFIG + " is missing");

        List<String> lib = fileNames(DIST.resolve("lib"));
        assertTrue(lib.stream().anyMatch(n -> n.startsWith("gateway-server-") && n.endsWith(".jar")),
                "lib/ has no gateway-server jar: " + lib);
        assertTrue(lib.stream().anyMatch(n -> n.startsWith("gateway-api-") && n.endsWith(".jar")),
                "lib/ has no gateway-api jar: " + lib);
        for (String plugin : PLUGINS) {
            assertFalse(lib.stream().anyMatch(n -> n.startsWith(plugin + "-")),
                    "plugin " + plugin + " must not be on the server class path (lib/): " + lib);
            List<String> folder = fileNames(DIST.resolve("plugins").resolve(plugin));
            assertTrue(folder.stream().anyMatch(n -> n.startsWith(plugin + "-") && n.endsWith(".jar")),
                    "plugins/" + plugin + "/ lacks the plugin's jar: " + folder);
            assertFalse(folder.stream().anyMatch(n -> n.startsWith("gateway-api-")),
                    "plugins/" + plugin + "/ must take the SPI from the server, not its own copy: " + folder);
        }
        try (Stream<Path> pluginDirs = Files.list(DIST.resolve("plugins"))) {
            for (Path dir : pluginDirs.toList()) {
                String id = dir.getFileName().toString();
                assertTrue(fileNames(dir).stream().anyMatch(n -> n.startsWith(id + "-") && n.endsWith(".jar")),
                        "plugins/" + id + "/ does not hold a jar named after it");
            }
        }
    }

    @Test
    void eachPluginUsingTheToolkitHasItsOwnCopyAndEveryJarNamesItsSpiVersion() throws IOException {
        assertFalse(fileNames(DIST.resolve("lib")).stream().anyMatch(n -> n.startsWith(TOOLKIT + "-")),
                "the plugin toolkit belongs in plugin folders, not on the server class path (lib/)");
        try (Stream<Path> pluginDirs = Files.list(DIST.resolve("plugins"))) {
            for (Path dir : pluginDirs.toList()) {
                String id = dir.getFileName().toString();
                List<String> folder = fileNames(dir);
                assertEquals(!id.equals("store-redis"), folder.stream().anyMatch(n -> n.startsWith(TOOLKIT + "-")
                        && n.endsWith(".jar")), "plugins/" + id + "/ and the toolkit: " + folder);
                Path jar = dir.resolve(folder.stream().filter(n -> n.startsWith(id + "-") && n.endsWith(".jar"))
                        .findFirst().orElseThrow());
                try (JarFile file = new JarFile(jar.toFile())) {
                    assertEquals(SpiVersion.text(), file.getManifest().getMainAttributes()
                            .getValue(SpiVersion.MANIFEST_ATTRIBUTE), "the SPI version in " + jar.getFileName());
                }
            }
        }
    }

    /**
     * A plugin that bundles libraries (its module copies them to target/plugin-deps) finds every one of
     * them in its folder: a library two plugins share gets one Maven trail, and a folder that misses it
     * fails only when the plugin first needs the class.
     */
    @Test
    void pluginsThatBundleLibrariesHaveAllOfThemInTheirFolder() throws IOException {
        Path modules = Path.of("..", "plugins").toAbsolutePath().normalize();
        try (Stream<Path> pluginDirs = Files.list(DIST.resolve("plugins"))) {
            for (Path dir : pluginDirs.toList()) {
                Path deps = modules.resolve(dir.getFileName()).resolve("target/plugin-deps");
                if (!Files.isDirectory(deps)) {
                    continue;
                }
                List<String> folder = fileNames(dir);
                for (String jar : fileNames(deps)) {
                    assertTrue(folder.contains(jar), "plugins/" + dir.getFileName() + "/ lacks " + jar
                            + ", which the plugin needs at run time: " + folder);
                }
            }
        }
    }

    @Test
    void pluginsSharingAVendorTranslationEachHoldACopyAndVertexHoldsGooglesAuthLibrary() throws IOException {
        Map<String, List<String>> expected = Map.of(
                "provider-gemini", List.of("translation-gemini-"),
                "provider-anthropic", List.of("translation-anthropic-"),
                "provider-vertex", List.of("translation-gemini-", "translation-anthropic-",
                        "google-auth-library-oauth2-http-1.58.0", "google-http-client-2.", "guava-33.7.2"),
                "provider-cohere", List.of(TOOLKIT + "-"),
                "middleware-cache", List.of("middleware-cache-", TOOLKIT + "-"));
        for (Map.Entry<String, List<String>> plugin : expected.entrySet()) {
            List<String> folder = fileNames(DIST.resolve("plugins").resolve(plugin.getKey()));
            for (String prefix : plugin.getValue()) {
                assertTrue(folder.stream().anyMatch(n -> n.startsWith(prefix) && n.endsWith(".jar")),
                        "plugins/" + plugin.getKey() + "/ lacks " + prefix + "*.jar: " + folder);
            }
        }
        assertFalse(fileNames(DIST.resolve("lib")).stream().anyMatch(n -> n.startsWith("translation-")),
                "the vendor translations belong in plugin folders, not on the server class path (lib/)");
    }

    @Test
    void tarballHoldsTheSameFilesUnderGatewayFolder() throws IOException {
        assertTrue(Files.isRegularFile(TARBALL), TARBALL + " is missing");
        Map<String, TarEntry> entries = readTarGz(TARBALL);
        for (String name : entries.keySet()) {
            assertTrue(name.equals("gateway/") || name.startsWith("gateway/"),
                    "tarball entry outside the top folder gateway/: " + name);
        }

        Map<String, Long> inTar = new TreeMap<>();
        entries.forEach((name, entry) -> {
            if (!entry.directory()) {
                inTar.put(name.substring("gateway/".length()), entry.size());
            }
        });
        Map<String, Long> onDisk = new TreeMap<>();
        try (Stream<Path> files = Files.walk(DIST)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = DIST.relativize(file).toString().replace('\\', '/');
                // written by bin/gateway when it runs from here (run.sh): the class data archive and the
                // request log's default SQLite file
                if (!name.startsWith("cache/") && !name.startsWith("data/")) {
                    onDisk.put(name, Files.size(file));
                }
            }
        }
        assertEquals(onDisk, inTar, "target/gateway/ and target/gateway.tar.gz differ (file -> size)");
        assertEquals(0755, entries.get("gateway/bin/gateway").mode() & 07777, "mode of gateway/bin/gateway in the tarball");
    }

    @Test
    void startsServesMockChatAndAnswers401ForOpenAiWithoutKey() throws Exception {
        int port = freePort();
        Path config = writeConfig("gateway.yaml", localConfig(port));
        Path log = tmp.resolve("gateway.log");
        ProcessBuilder builder = launcher(log, "--config", config.toString());
        // the shipped configuration takes the admin token (and with it the console) from here
        builder.environment().put("GATEWAY_ADMIN_TOKEN", "distribution-it-admin-token");

        long startNanos = System.nanoTime();
        Process gateway = builder.start();
        try (HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build()) {
            URI base = URI.create("http://127.0.0.1:" + port);
            long startedMillis = awaitHealthy(http, base, gateway, log, startNanos);
            System.out.printf("DistributionIT: bin/gateway answered GET /health 200 after %d ms (java %s)%n",
                    startedMillis, Runtime.version());

            // exec: the process we started is the JVM itself, so signals reach the gateway.
            gateway.info().command().ifPresent(command -> assertTrue(command.endsWith("/java"),
                    "bin/gateway should exec java, but the process is " + command));

            HttpResponse<String> mock = postChat(http, base, "mock/any-model");
            assertEquals(200, mock.statusCode(), () -> "mock chat: " + mock.body() + output(log));
            assertTrue(mock.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                    () -> "mock chat content type: " + mock.headers().map());
            assertTrue(CHAT_COMPLETION_OBJECT.matcher(mock.body()).find(),
                    () -> "mock chat answer is not a chat.completion: " + mock.body());
            assertTrue(mock.body().contains("\"choices\""), () -> "mock chat answer has no choices: " + mock.body());

            HttpResponse<String> openai = postChat(http, base, "openai/gpt-4o-mini");
            assertEquals(401, openai.statusCode(), () -> "openai without a key: " + openai.body() + output(log));
            assertTrue(openai.body().contains("\"is_bifrost_error\""),
                    () -> "openai without a key: not the gateway's error envelope: " + openai.body());

            // the web console and the request log behind it, with nothing configured but the token:
            // SQLite under the distribution's data/ folder
            HttpResponse<String> console = http.send(HttpRequest.newBuilder(base.resolve("/ui/")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, console.statusCode(), () -> "GET /ui/: " + console.body());
            assertTrue(console.body().contains("<script type=\"module\" src=\"app.js\">"), console.body());
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(base.resolve("/ui/status.json")).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"admin_api\":true,\"request_log\":true}", status.body());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            HttpResponse<String> logs;
            do {
                Thread.sleep(100);
                logs = http.send(HttpRequest.newBuilder(base.resolve("/admin/logs?model=mock/any-model"))
                        .header("Authorization", "Bearer distribution-it-admin-token").GET().build(),
                        HttpResponse.BodyHandlers.ofString());
            } while (!logs.body().contains("\"any-model\"") && System.nanoTime() < deadline);
            HttpResponse<String> listed = logs;
            assertTrue(listed.body().contains("\"requested_model\":\"mock/any-model\""),
                    () -> "the mock chat is not in GET /admin/logs: " + listed.body() + output(log));
            assertTrue(Files.isRegularFile(DIST.resolve("data/gateway.db")), "no data/gateway.db" + output(log));

            // SIGTERM, as a service manager would send: the JVM must end and free the port.
            gateway.destroy();
            assertTrue(gateway.waitFor(15, TimeUnit.SECONDS), "gateway still running 15 s after SIGTERM" + output(log));
        } finally {
            stop(gateway);
            System.out.print(prefixed("[gateway] ", log));
        }
    }

    @Test
    void unknownProviderTypeStopsStartUpWithOneLineNamingIt() throws Exception {
        String broken = replaceOnce(localConfig(freePort()), "(?m)^      type: mock$", "      type: nonexistent");
        Path config = writeConfig("broken.yaml", broken);
        Path log = tmp.resolve("broken.log");

        Process gateway = launcher(log, "--config", config.toString()).start();
        try {
            assertTrue(gateway.waitFor(EXIT_LIMIT.toSeconds(), TimeUnit.SECONDS),
                    "gateway with provider type 'nonexistent' still running after " + EXIT_LIMIT + output(log));
            assertNotEquals(0, gateway.exitValue(), "exit status with provider type 'nonexistent'" + output(log));

            List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
            List<String> naming = lines.stream().filter(l -> l.contains("nonexistent")).toList();
            assertEquals(1, naming.size(), "expected one line naming the unknown type" + output(log));
            assertTrue(naming.get(0).contains("mock"),
                    "the error should name the provider entry (gateway.providers.mock): " + naming.get(0));
            assertFalse(lines.stream().anyMatch(l -> l.startsWith("\tat ") || l.startsWith("Exception in thread")),
                    "a configuration error should be one line, not a stack trace" + output(log));
        } finally {
            stop(gateway);
            System.out.print(prefixed("[broken config] ", log));
        }
    }

    @Test
    void launcherWithoutJava21ExitsWithClearMessage() throws Exception {
        // The launcher uses shell builtins only (it runs /bin/sh from its #! line), so an empty PATH
        // is enough to hide every java; JVM_SEARCH_DIRS="" turns off the /usr/lib/jvm search.
        Path notJava = Files.createDirectories(tmp.resolve("not-a-java-home"));
        Path emptyBin = Files.createDirectories(tmp.resolve("empty-bin"));
        Path log = tmp.resolve("nojava.log");
        ProcessBuilder builder = launcher(log);
        builder.environment().put("JAVA_HOME", notJava.toString());
        builder.environment().put("PATH", emptyBin.toString());
        builder.environment().put("JVM_SEARCH_DIRS", "");

        Process launcher = builder.start();
        try {
            assertTrue(launcher.waitFor(EXIT_LIMIT.toSeconds(), TimeUnit.SECONDS), "launcher without java still running");
            assertEquals(1, launcher.exitValue(), "exit status without java" + output(log));
            String out = Files.readString(log);
            assertTrue(out.contains("bin/gateway needs Java 21 or newer; set JAVA_HOME"),
                    "message without java" + output(log));
            assertTrue(out.contains(notJava.toString()), "the message should say what JAVA_HOME held" + output(log));
        } finally {
            stop(launcher);
        }
    }

    @Test
    void secondStartMapsTheClassDataArchiveThatTheFirstWrote() throws Exception {
        Path cds = tmp.resolve("cds");
        Path firstLog = tmp.resolve("first.log");
        ProcessBuilder first = launcherWithCds(firstLog, "first.yaml", cds);
        assertEquals(143, startHealthyThenStop(first, firstLog), "exit status after SIGTERM" + output(firstLog));
        List<String> archives = fileNames(cds);
        assertEquals(1, archives.size(), "one archive in GATEWAY_CDS_DIR after the first start: " + archives);
        assertTrue(archives.get(0).matches("gateway-java\\d+-\\d+-\\d+\\.jsa"), "archive name: " + archives);
        assertNoCdsNotes(firstLog);

        // JDK_JAVA_OPTIONS rather than JAVA_OPTS: JAVA_OPTS is part of the archive's name.
        Path classes = tmp.resolve("class-load.txt");
        Path secondLog = tmp.resolve("second.log");
        ProcessBuilder second = launcherWithCds(secondLog, "second.yaml", cds);
        second.environment().put("JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + classes);
        assertEquals(143, startHealthyThenStop(second, secondLog), "exit status after SIGTERM" + output(secondLog));
        assertEquals(archives, fileNames(cds), "the second start should use the same archive");
        assertTrue(Files.readAllLines(classes).stream()
                        .anyMatch(l -> l.contains(" io.gateway.") && l.contains("source: shared objects file (top)")),
                "the second start loaded no gateway class from the archive (see " + classes + ")");
        assertNoCdsNotes(secondLog);
    }

    @Test
    void gatewayCdsOffWritesNoArchive() throws Exception {
        Path cds = tmp.resolve("cds");
        Path log = tmp.resolve("cds-off.log");
        ProcessBuilder builder = launcherWithCds(log, "gateway.yaml", cds);
        builder.environment().put("GATEWAY_CDS", "off");
        assertEquals(143, startHealthyThenStop(builder, log), "exit status after SIGTERM" + output(log));
        assertFalse(Files.exists(cds), "GATEWAY_CDS=off should leave GATEWAY_CDS_DIR alone");
    }

    @Test
    void unusableCacheFolderStillStartsAndExitsNormally() throws Exception {
        // Below a regular file: no one can create it, root included. A JVM that fails to write its
        // archive at exit would end with status 1 and an "Unrecoverable archive loading error".
        Path file = Files.writeString(tmp.resolve("a-file"), "");
        Path log = tmp.resolve("cds-unusable.log");
        ProcessBuilder builder = launcherWithCds(log, "gateway.yaml", file.resolve("cds"));
        assertEquals(143, startHealthyThenStop(builder, log), "exit status after SIGTERM" + output(log));
        assertNoCdsNotes(log);
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** Starts the gateway, waits for GET /health 200, sends SIGTERM; returns the exit status. */
    private static int startHealthyThenStop(ProcessBuilder builder, Path log) throws Exception {
        String config = builder.command().get(builder.command().indexOf("--config") + 1);
        Matcher port = Pattern.compile("(?m)^  port: (\\d+)$").matcher(Files.readString(Path.of(config)));
        assertTrue(port.find(), "no port in " + config);
        long startNanos = System.nanoTime();
        Process gateway = builder.start();
        try (HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build()) {
            long startedMillis = awaitHealthy(http, URI.create("http://127.0.0.1:" + port.group(1)), gateway, log, startNanos);
            System.out.printf("DistributionIT: %s answered GET /health 200 after %d ms%n", log.getFileName(), startedMillis);
            gateway.destroy();
            assertTrue(gateway.waitFor(EXIT_LIMIT.toSeconds(), TimeUnit.SECONDS),
                    "gateway still running " + EXIT_LIMIT + " after SIGTERM" + output(log));
            return gateway.exitValue();
        } finally {
            stop(gateway);
        }
    }

    /** bin/gateway with a local configuration on a free port and its archive folder set to {@code cds}. */
    private ProcessBuilder launcherWithCds(Path log, String configName, Path cds) throws IOException {
        ProcessBuilder builder = launcher(log, "--config", writeConfig(configName, localConfig(freePort())).toString());
        builder.environment().put("GATEWAY_CDS_DIR", cds.toString());
        return builder;
    }

    /** The launcher silences the JVM's CDS logging; none of it may reach the output. */
    private static void assertNoCdsNotes(Path log) throws IOException {
        List<String> notes = Files.readAllLines(log).stream()
                .filter(l -> l.contains("[cds") || l.contains("shared archive") || l.contains("SharedArchive")
                        || l.contains("CDS"))
                .toList();
        assertEquals(List.of(), notes, "CDS notes in the output" + output(log));
    }


    /**
     * bin/gateway with the given arguments, its output (stdout and stderr) going to {@code log}, and an
     * environment that does not depend on the machine's: JAVA_HOME is the JVM running this test, no
     * OPENAI_API_KEY, no JAVA_OPTS, and no GATEWAY_* / SERVER_* variables (Helidon reads those as
     * configuration overrides), except GATEWAY_CDS_DIR: the class data sharing archive goes to a
     * folder of the log's, not to cache/ in the distribution.
     */
    private static ProcessBuilder launcher(Path log, String... args) {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(DIST.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("GATEWAY_") || name.startsWith("SERVER_"));
        env.remove("OPENAI_API_KEY");
        env.remove("JAVA_OPTS");
        env.remove("JDK_JAVA_OPTIONS");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("GATEWAY_CDS_DIR", log.resolveSibling("cds-" + log.getFileName()).toString());
        return builder;
    }

    /** Polls GET /health until 200; returns the milliseconds since {@code startNanos}. */
    private static long awaitHealthy(HttpClient http, URI base, Process gateway, Path log, long startNanos)
            throws IOException, InterruptedException {
        HttpRequest health = HttpRequest.newBuilder(base.resolve("/health"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        long deadline = startNanos + START_LIMIT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!gateway.isAlive()) {
                fail("bin/gateway exited with status " + gateway.exitValue() + " before /health answered" + output(log));
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
                }
                last = "status " + response.statusCode() + ": " + response.body();
            } catch (IOException notListeningYet) {
                last = notListeningYet.toString();
            }
            Thread.sleep(25);
        }
        fail("GET /health did not answer 200 within " + START_LIMIT + " (last: " + last + ")" + output(log));
        throw new AssertionError("unreachable");
    }

    private static HttpResponse<String> postChat(HttpClient http, URI base, String model)
            throws IOException, InterruptedException {
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/openai/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The default configuration, listening on 127.0.0.1:port. */
    private static String localConfig(int port) throws IOException {
        String config = Files.readString(DEFAULT_CONFIG);
        config = replaceOnce(config, "(?m)^  host: .*$", "  host: 127.0.0.1");
        return replaceOnce(config, "(?m)^  port: .*$", "  port: " + port);
    }

    private static String replaceOnce(String text, String regex, String replacement) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        assertEquals(1, count, "expected exactly one line matching " + regex + " in conf/gateway.yaml");
        return Pattern.compile(regex).matcher(text).replaceFirst(Matcher.quoteReplacement(replacement));
    }

    private Path writeConfig(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void stop(Process process) throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private static List<String> fileNames(Path dir) throws IOException {
        assertTrue(Files.isDirectory(dir), dir + " is missing");
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static String output(Path log) {
        return "\n--- bin/gateway output ---\n" + readQuietly(log) + "--- end ---";
    }

    private static String prefixed(String prefix, Path log) {
        StringBuilder out = new StringBuilder();
        readQuietly(log).lines().forEach(line -> out.append(prefix).append(line).append('\n'));
        return out.toString();
    }

    private static String readQuietly(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")\n";
        }
    }

    // --- a small tar reader (ustar, POSIX pax and GNU long names), enough to check the tarball ---

    record TarEntry(String name, int mode, long size, boolean directory) {
    }

    private static Map<String, TarEntry> readTarGz(Path tarball) throws IOException {
        Map<String, TarEntry> entries = new TreeMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tarball))) {
            String longName = null;
            Long paxSize = null;
            while (true) {
                byte[] header = in.readNBytes(512);
                if (header.length < 512) {
                    throw new EOFException("tarball ends inside a header");
                }
                if (isZero(header)) {
                    break;
                }
                String name = text(header, 0, 100);
                int mode = (int) octal(header, 100, 8);
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                if (text(header, 257, 5).equals("ustar")) {
                    String prefix = text(header, 345, 155);
                    if (!prefix.isEmpty()) {
                        name = prefix + "/" + name;
                    }
                }
                byte[] data = null;
                if (type == 'x' || type == 'g' || type == 'L') {
                    data = in.readNBytes((int) size);
                } else {
                    in.skipNBytes(size);
                }
                in.skipNBytes((512 - size % 512) % 512);

                switch (type) {
                    case 'x' -> {
                        Map<String, String> pax = paxRecords(data);
                        longName = pax.getOrDefault("path", longName);
                        paxSize = pax.containsKey("size") ? Long.valueOf(pax.get("size")) : paxSize;
                    }
                    case 'g' -> {
                        // global pax header: nothing we need
                    }
                    case 'L' -> longName = new String(data, StandardCharsets.UTF_8).replace("\0", "");
                    default -> {
                        String fullName = longName != null ? longName : name;
                        long fullSize = paxSize != null ? paxSize : size;
                        boolean directory = type == '5' || fullName.endsWith("/");
                        entries.put(fullName, new TarEntry(fullName, mode, fullSize, directory));
                        longName = null;
                        paxSize = null;
                    }
                }
            }
        }
        return entries;
    }

    private static Map<String, String> paxRecords(byte[] data) {
        // records are "<length> <key>=<value>\n", the length counting the whole record in bytes
        Map<String, String> records = new TreeMap<>();
        int at = 0;
        while (at < data.length) {
            int space = at;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            if (space == at || space >= data.length) {
                break;
            }
            int length = Integer.parseInt(new String(data, at, space - at, StandardCharsets.US_ASCII));
            String record = new String(data, space + 1, at + length - space - 2, StandardCharsets.UTF_8);
            int equals = record.indexOf('=');
            if (equals > 0) {
                records.put(record.substring(0, equals), record.substring(equals + 1));
            }
            at += length;
        }
        return records;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] header, int offset, int length) {
        if ((header[offset] & 0x80) != 0) {
            // base-256 (GNU) for values that do not fit in octal digits
            long value = 0;
            for (int i = offset + 1; i < offset + length; i++) {
                value = (value << 8) | (header[i] & 0xff);
            }
            return value;
        }
        String digits = text(header, offset, length).trim();
        return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
    }
}
