package io.gateway.plugins.redis;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} started by a test on a loopback port, without persistence. It can be
 * stopped, paused and started again on the same port to simulate an outage.
 */
final class RedisServerProcess implements AutoCloseable {

    static final String MISSING = "these tests need a real Redis: install redis-server "
            + "(apt-get install redis-server) so that it is on the PATH, or set GATEWAY_TEST_REDIS_URL to a "
            + "Redis the tests may write to, e.g. redis://127.0.0.1:6379/15";

    private final int port;
    private final String password;
    private final Path log;
    private Process process;

    private RedisServerProcess(int port, String password) {
        this.port = port;
        this.password = password;
        this.log = Path.of("target", "redis-server-" + port + ".log");
    }

    /**
     * Starts a server on a free loopback port, failing the test (not skipping it) if there is no
     * {@code redis-server} on the PATH.
     *
     * @param password the {@code requirepass} value, or {@code null} for none
     * @return the running server
     */
    static RedisServerProcess start(String password) {
        return startOn(freePort(), password);
    }

    /**
     * Starts a server on a given loopback port.
     *
     * @param port     the port
     * @param password the {@code requirepass} value, or {@code null} for none
     * @return the running server
     */
    static RedisServerProcess startOn(int port, String password) {
        RedisServerProcess server = new RedisServerProcess(port, password);
        server.start();
        return server;
    }

    /** The redis-server binary on the PATH, if any. */
    static Optional<Path> binary() {
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

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    int port() {
        return port;
    }

    /**
     * A URL for this server.
     *
     * @param database the database number
     * @return {@code redis://[:password@]127.0.0.1:port/database}
     */
    String url(int database) {
        return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port + "/" + database;
    }

    /** Starts the server (again) on its port and waits until it answers. */
    void start() {
        Path binary = binary().orElse(null);
        if (binary == null) {
            fail(MISSING);
        }
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
        if (password != null) {
            command.add("--requirepass");
            command.add(password);
        }
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            fail("cannot start " + binary + ": " + e.getMessage() + "; " + MISSING);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("redis-server on port " + port + " exited with " + process.exitValue() + "; see " + log);
            }
            if (answers()) {
                return;
            }
            sleep(20);
        }
        stop();
        fail("redis-server on port " + port + " did not answer within 10 s; see " + log);
    }

    /** Whether something on the port answers a PING like Redis (PONG, or NOAUTH with a password). */
    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64];
            int read = in.read(buffer);
            if (read <= 0) {
                return false;
            }
            String reply = new String(buffer, 0, read, StandardCharsets.US_ASCII);
            return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. */
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

    /** Freezes the server (SIGSTOP): it keeps its connections but answers nothing. */
    void pause() {
        signal("STOP");
    }

    /** Lets a paused server go on (SIGCONT). */
    void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        if (process == null) {
            fail("redis-server on port " + port + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                fail("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            fail("cannot run kill: " + e.getMessage());
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
        if (process != null && process.isAlive()) {
            // a paused server ignores SIGTERM until it is continued
            resume();
        }
        stop();
    }
}
