package io.gateway.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} process on a loopback port, without persistence, for the
 * integration tests. It can be stopped and started again on the same port to play an outage. Without
 * {@code redis-server} on the PATH the test fails (it is never skipped): CI installs it.
 */
final class RedisServer implements AutoCloseable {

    static final String MISSING = "this test needs a real Redis: install redis-server (apt-get install "
            + "redis-server; .ci/run does) so that it is on the PATH";

    private final int port;
    private final Path log;
    private Process process;

    private RedisServer(int port) {
        this.port = port;
        this.log = Path.of("target", "it-redis-server-" + port + ".log");
    }

    /**
     * Starts a server on a free loopback port and waits until it answers PING.
     *
     * @return the running server
     */
    static RedisServer start() {
        RedisServer server = new RedisServer(freePort());
        server.start0();
        return server;
    }

    /** A loopback port nothing listens on right now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    private static Optional<Path> binary() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    int port() {
        return port;
    }

    /**
     * The URL of database 0.
     *
     * @return {@code redis://127.0.0.1:PORT/0}
     */
    String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** Starts the server again on the same port (after {@link #stop()}) and waits until it answers. */
    void restart() {
        if (process != null) {
            throw new IllegalStateException("redis-server on port " + port + " is still running");
        }
        start0();
    }

    private void start0() {
        Path binary = binary().orElse(null);
        if (binary == null) {
            fail(MISSING);
        }
        List<String> command = List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no");
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            fail("cannot start " + binary + ": " + e.getMessage());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                int exit = process.exitValue();
                process = null;
                fail("redis-server on port " + port + " exited with " + exit + "; see " + log.toAbsolutePath());
            }
            if (RedisResp.answersPing("127.0.0.1", port)) {
                return;
            }
            sleep(20);
        }
        stop();
        fail("redis-server on port " + port + " did not answer within 10 s; see " + log.toAbsolutePath());
    }

    /** Stops the server (SIGTERM, SIGKILL after 5 s) and waits until it is gone; the port stays reserved for it. */
    void stop() {
        Process running = process;
        if (running == null) {
            return;
        }
        process = null;
        running.destroy();
        try {
            if (!running.waitFor(5, TimeUnit.SECONDS)) {
                running.destroyForcibly();
                running.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
