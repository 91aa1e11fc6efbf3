package io.gateway.server.logs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away PostgreSQL server on a free loopback port, for tests: {@code initdb} into a temporary
 * folder, then {@code postgres} as a child process, with durability switched off (it is thrown away).
 * The binaries come from Debian's {@code postgresql} package ({@code /usr/lib/postgresql/<version>/bin},
 * the newest), or from {@code GATEWAY_TEST_POSTGRES_BIN}. PostgreSQL refuses to run as root, so as root
 * the server runs as {@code nobody} (through {@code setpriv}), in a folder that user owns. The server
 * gets the parent-death signal, so it goes when the test JVM dies, however it dies. It can be stopped
 * and started again on the same port to play an outage.
 *
 * <p>Without the binaries a test that needs it is skipped with a message saying what to install; in CI
 * ({@code CI=true}) it fails instead, since {@code .ci/run} installs them.
 */
public final class PostgresServer implements AutoCloseable {

    /** The superuser the tests connect as (trust authentication on loopback). */
    public static final String USER = "gateway";

    private static final String MISSING = "this test needs PostgreSQL's server binaries (initdb, postgres): install "
            + "Debian's postgresql package (apt-get install postgresql; .ci/run does) or set "
            + "GATEWAY_TEST_POSTGRES_BIN to the folder holding them";

    private final Path bin;
    private final Path root;
    private final Path data;
    private final Path log;
    private final int port;
    private final boolean asNobody;
    private Process process;

    private PostgresServer(Path bin, Path root, int port, boolean asNobody) {
        this.bin = bin;
        this.root = root;
        this.data = root.resolve("data");
        this.log = root.resolve("postgres.log");
        this.port = port;
        this.asNobody = asNobody;
    }

    /**
     * Creates a cluster and starts it; skips the test (fails it in CI) when PostgreSQL is not installed.
     *
     * @return the running server
     */
    public static PostgresServer start() {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(MISSING);
            }
            Assumptions.abort(MISSING);
        }
        boolean root = "root".equals(System.getProperty("user.name")) || isRoot();
        if (root && !Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            Assertions.fail("running as root, PostgreSQL must run as another user, which needs /usr/bin/setpriv "
                    + "(util-linux)");
        }
        try {
            Path dir = Files.createTempDirectory("gateway-test-postgres");
            if (root) {
                handToNobody(dir);
            }
            PostgresServer server = new PostgresServer(bin.get(), dir, freePort(), root);
            server.initdb();
            server.startProcess();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where the server binaries are.
     *
     * @return the folder, or empty when PostgreSQL is not installed
     */
    public static Optional<Path> binaries() {
        String configured = System.getenv("GATEWAY_TEST_POSTGRES_BIN");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            return Files.isExecutable(path.resolve("postgres")) ? Optional.of(path) : Optional.empty();
        }
        Path versions = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            return Optional.empty();
        }
        try (Stream<Path> list = Files.list(versions)) {
            return list.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
                    .max(Comparator.comparingInt(PostgresServer::majorOf));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorOf(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer id && id == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static void handToNobody(Path dir) throws IOException {
        var lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        UserPrincipal nobody = lookup.lookupPrincipalByName("nobody");
        GroupPrincipal group = lookup.lookupPrincipalByGroupName("nogroup");
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        view.setOwner(nobody);
        view.setGroup(group);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /** A loopback port nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> command(String program, String... args) {
        List<String> command = new ArrayList<>();
        command.add("/usr/bin/setpriv");
        if (asNobody) {
            command.addAll(List.of("--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        }
        // the server goes when the test JVM goes, however it goes
        command.add("--pdeathsig=SIGTERM");
        command.add("--");
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            return command.subList(command.indexOf("--") + 1, command.size());
        }
        return command;
    }

    private void initdb() {
        run(command("initdb", "-D", data.toString(), "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C",
                "--no-sync", "--no-instructions"), "initdb");
    }

    private void run(List<String> command, String what) {
        try {
            Process initdb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!initdb.waitFor(120, TimeUnit.SECONDS)) {
                initdb.destroyForcibly();
                Assertions.fail(what + " did not finish within 120 s; see " + log);
            }
            if (initdb.exitValue() != 0) {
                Assertions.fail(what + " exited with " + initdb.exitValue() + ": " + logText());
            }
        } catch (IOException e) {
            Assertions.fail("cannot run " + what + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void startProcess() {
        if (process != null) {
            throw new IllegalStateException("PostgreSQL on port " + port + " is already running");
        }
        try {
            process = new ProcessBuilder(command("postgres", "-D", data.toString(), "-h", "127.0.0.1",
                    "-p", Integer.toString(port), "-k", root.toString(), "-F",
                    "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=60",
                    "-c", "shared_buffers=32MB"))
                    .directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            Assertions.fail("cannot start postgres: " + e.getMessage());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                int exit = process.exitValue();
                process = null;
                Assertions.fail("postgres on port " + port + " exited with " + exit + ": " + logText());
            }
            try (Connection ignored = DriverManager.getConnection(url("postgres"), USER, "")) {
                return;
            } catch (SQLException e) {
                sleep(50);
            }
        }
        stop();
        Assertions.fail("postgres on port " + port + " did not accept connections within 60 s: " + logText());
    }

    /** Stops the server (fast shutdown: open connections are cut) and waits until it is gone. */
    public void stop() {
        Process running = process;
        if (running == null) {
            return;
        }
        process = null;
        // SIGINT is PostgreSQL's fast shutdown (SIGTERM, Process.destroy, would wait for the clients to
        // leave); setpriv execs the server, so the process is the server itself
        sendSignal(running, "INT");
        try {
            if (!running.waitFor(20, TimeUnit.SECONDS)) {
                running.destroyForcibly();
                running.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sendSignal(Process process, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the server again on the same port and data (after {@link #stop()}). */
    public void restart() {
        startProcess();
    }

    /**
     * The port.
     *
     * @return the loopback port
     */
    public int port() {
        return port;
    }

    /**
     * A JDBC URL.
     *
     * @param database the database's name
     * @return {@code jdbc:postgresql://127.0.0.1:PORT/database}
     */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /**
     * Creates an empty database.
     *
     * @param name a name of letters, digits and underscores
     * @return its JDBC URL
     */
    public String createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("database name " + name);
        }
        try (Connection connection = DriverManager.getConnection(url("postgres"), USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return url(name);
    }

    private String logText() {
        try {
            return Files.isRegularFile(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server and removes its folder. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temporary folder; the OS cleans up what is left
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
