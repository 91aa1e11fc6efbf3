package io.gateway.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gateway replica in its own JVM ({@code GatewayMain} on the test class path), so a test can kill it
 * the hard way (SIGKILL): no shutdown hook, no closing of workers, nothing written on the way out — as
 * when a machine or a container dies.
 */
final class ClusterNode implements AutoCloseable {

    private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private ClusterNode(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts a replica and waits until {@code GET /health} answers 200.
     *
     * @param gatewayYaml the {@code gateway:} section, with that top-level key
     * @param pluginsDir  the plugins directory
     * @param workDir     where the configuration and the log go
     * @return the running replica
     */
    static ClusterNode start(String gatewayYaml, Path pluginsDir, Path workDir) {
        return start(gatewayYaml, pluginsDir, workDir, List.of());
    }

    /**
     * Starts a replica with more JVM options (after {@code -Xmx256m}) and waits until it serves.
     *
     * @param gatewayYaml the {@code gateway:} section, with that top-level key
     * @param pluginsDir  the plugins directory
     * @param workDir     where the configuration and the log go
     * @param jvmOptions  options such as {@code -Xlog:gc:file=...}
     * @return the running replica
     */
    static ClusterNode start(String gatewayYaml, Path pluginsDir, Path workDir, List<String> jvmOptions) {
        int port = RedisServer.freePort();
        String yaml = "server:\n  host: 127.0.0.1\n  port: " + port + "\n" + gatewayYaml.replaceFirst(
                "(?m)^gateway:\\s*$", "gateway:\n  plugins-dir: "
                        + pluginsDir.toAbsolutePath().toString().replace("\\", "/"));
        Path config = workDir.resolve("cluster-node-" + port + ".yaml");
        Path log = workDir.resolve("cluster-node-" + port + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        // as bin/gateway: the request log's SQLite driver loads its native library, which newer JDKs warn
        // about on standard error (not a log line) unless native access is granted
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.gateway.server.GatewayMain");
        command.add("--config");
        command.add(config.toString());
        Process process;
        try {
            Files.createDirectories(workDir);
            Files.writeString(config, yaml);
            process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a gateway JVM", e);
        }
        ClusterNode node = new ClusterNode(process, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the gateway JVM exited with " + process.exitValue() + " before it served: " + node.logText());
            }
            if (node.healthy()) {
                return node;
            }
            RedisServer.sleep(100);
        }
        node.kill();
        return fail("the gateway JVM did not answer GET /health within 60 s: " + node.logText());
    }

    private boolean healthy() {
        try {
            HttpResponse<Void> response = PROBE.send(HttpRequest.newBuilder(uri("/health"))
                    .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * An absolute URI on the replica.
     *
     * @param path a path starting with {@code /}
     * @return the URI
     */
    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** What the replica printed so far. */
    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Kills the replica with SIGKILL and waits until the process is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                fail("the gateway JVM survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
