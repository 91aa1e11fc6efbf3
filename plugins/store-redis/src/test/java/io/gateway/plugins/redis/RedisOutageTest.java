package io.gateway.plugins.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.state.StateStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.RecordingLogger;

/**
 * Redis going away and coming back, Redis down at start-up, a Redis that stops answering, and
 * passwords kept out of messages. Each test runs its own {@code redis-server}, since it stops it.
 */
class RedisOutageTest {

    private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

    /** Every operation of the store, each of which must fail with 503 while Redis is away. */
    private static final Map<String, Consumer<StateStore>> OPERATIONS = Map.of(
            "get", s -> s.get("k"),
            "put", s -> s.put("k", VALUE, null),
            "putIfAbsent", s -> s.putIfAbsent("k", VALUE, Duration.ofSeconds(5)),
            "compareAndSet", s -> s.compareAndSet("k", VALUE, VALUE, null),
            "increment", s -> s.increment("c", 1, Duration.ofSeconds(5)),
            "delete", s -> s.delete("k"));

    private static StateStore create(String url, RecordingLogger logger, String... more) {
        List<String> entries = new ArrayList<>(List.of("url", url, "key-prefix", "outage:"));
        entries.addAll(List.of(more));
        return new RedisStateStoreFactory().create(RedisConfigs.state(entries.toArray(String[]::new)),
                RedisConfigs.context(logger));
    }

    /** Runs an operation that must fail with 503 within three seconds; returns the exception. */
    private static GatewayException unavailable(String name, Consumer<StateStore> operation, StateStore store) {
        long started = System.nanoTime();
        try {
            operation.accept(store);
        } catch (GatewayException e) {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(ErrorCode.STORE_UNAVAILABLE, e.errorCode(), name + ": " + e.getMessage());
            assertEquals(503, e.status());
            assertTrue(millis < 3000, name + " took " + millis + " ms to fail");
            assertTrue(e.getMessage().contains("is unavailable") && e.getMessage().contains("needs shared state"),
                    e.getMessage());
            return e;
        }
        return fail(name + " succeeded although Redis is down");
    }

    private static void allUnavailable(StateStore store, String where) {
        OPERATIONS.forEach((name, operation) -> {
            GatewayException e = unavailable(name, operation, store);
            assertTrue(e.getMessage().startsWith("the redis state store at " + where + " is unavailable: "),
                    e.getMessage());
        });
    }

    /** Waits until the store answers again, at most {@code seconds}. */
    private static void awaitRecovery(StateStore store, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        GatewayException last = null;
        while (System.nanoTime() < deadline) {
            try {
                store.get("probe");
                return;
            } catch (GatewayException e) {
                last = e;
                RedisServerProcess.sleep(50);
            }
        }
        fail("the store did not recover within " + seconds + " s: " + (last == null ? "" : last.getMessage()));
    }

    @Test
    void survivesRedisGoingDownAndComingBack() {
        try (RedisServerProcess server = RedisServerProcess.start(null)) {
            RecordingLogger logger = new RecordingLogger();
            StateStore store = create(server.url(0), logger);
            try {
                store.put("k", VALUE, null);
                assertEquals(1, store.increment("c", 1, null));

                server.stop();
                allUnavailable(store, "127.0.0.1:" + server.port());
                allUnavailable(store, "127.0.0.1:" + server.port()); // still failing fast, nothing queued

                server.start();
                awaitRecovery(store, 10);
                // the restarted server has no persistence: the state is gone, the store works
                assertTrue(store.get("k").isEmpty());
                store.put("k", VALUE, null);
                assertArrayEquals(VALUE, store.get("k").orElseThrow());
                assertTrue(store.putIfAbsent("p", VALUE, null));
                assertTrue(store.compareAndSet("k", VALUE, "w".getBytes(StandardCharsets.UTF_8), null));
                assertEquals(1, store.increment("c", 1, Duration.ofSeconds(5)));
                assertTrue(store.delete("k"));

                String log = logger.text();
                assertTrue(log.contains("WARNING the redis state store at 127.0.0.1:" + server.port()
                        + " is unavailable"), log);
                assertTrue(log.contains("is available again"), log);
                assertEquals(1, logger.warnings().size(),
                        "one warning per outage, not one per request: " + log);
            } finally {
                store.close();
            }
        }
    }

    @Test
    void gatewayStartsWithRedisDownAndConnectsWhenItComes() {
        int port = RedisServerProcess.freePort();
        RecordingLogger logger = new RecordingLogger();
        StateStore store = create("redis://127.0.0.1:" + port + "/0", logger);
        try {
            allUnavailable(store, "127.0.0.1:" + port);
            GatewayException e = unavailable("get", s -> s.get("k"), store);
            assertTrue(e.getMessage().contains("connection refused"), e.getMessage());

            try (RedisServerProcess server = RedisServerProcess.startOn(port, null)) {
                // never connected before: the next call makes a new attempt, no waiting for a timer
                store.put("k", VALUE, null);
                assertArrayEquals(VALUE, store.get("k").orElseThrow());
                assertTrue(logger.text().contains("available again") || logger.text().contains("connected"),
                        logger.text());
                server.stop();
                allUnavailable(store, "127.0.0.1:" + port);
            }
        } finally {
            store.close();
        }
    }

    @Test
    void aRedisThatStopsAnsweringTimesOut() {
        try (RedisServerProcess server = RedisServerProcess.start(null)) {
            StateStore store = create(server.url(0), new RecordingLogger(), "command-timeout", "300ms");
            try {
                store.put("k", VALUE, null);
                server.pause();
                GatewayException e = unavailable("get", s -> s.get("k"), store);
                assertTrue(e.getMessage().contains("no answer within command-timeout 300ms"), e.getMessage());
                unavailable("increment", s -> s.increment("c", 1, null), store);
                server.resume();
                awaitRecovery(store, 10);
                assertArrayEquals(VALUE, store.get("k").orElseThrow());
            } finally {
                store.close();
            }
        }
    }

    @Test
    void aPeerThatAcceptsButNeverAnswersTimesOutAtConnect() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        accepted.add(silent.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            StateStore store = create("redis://127.0.0.1:" + silent.getLocalPort(), new RecordingLogger(),
                    "command-timeout", "300ms", "connect-timeout", "300ms");
            try {
                GatewayException e = unavailable("get", s -> s.get("k"), store);
                assertTrue(e.getMessage().contains("127.0.0.1:" + silent.getLocalPort()), e.getMessage());
                unavailable("put", s -> s.put("k", VALUE, null), store);
            } finally {
                store.close();
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }

    /** Everything Lettuce, Netty and the store log through java.util.logging at every level. */
    private static final class WireLog extends Handler implements AutoCloseable {
        private final StringBuffer text = new StringBuffer();
        private final java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        private final Level rootLevel = root.getLevel();

        WireLog() {
            setLevel(Level.ALL);
            root.addHandler(this);
            root.setLevel(Level.ALL);
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLoggerName() != null && record.getLoggerName().startsWith("java.")) {
                return; // the JDK logs the test's own redis-server command line, password included
            }
            text.append(record.getLoggerName()).append(' ').append(new SimpleFormatter().formatMessage(record))
                    .append(record.getThrown() == null ? "" : " " + record.getThrown()).append('\n');
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            root.removeHandler(this);
            root.setLevel(rootLevel);
        }
    }

    @Test
    void thePasswordNeverAppearsInMessagesOrLogs() {
        String password = "s3cr3t-Pa55word-for-test";
        try (RedisServerProcess server = RedisServerProcess.start(password);
             WireLog wire = new WireLog()) {
            RecordingLogger logger = new RecordingLogger();
            String url = server.url(3);
            assertTrue(url.contains(password));
            StateStore store = create(url, logger);
            try {
                store.put("k", VALUE, null);
                // the password and the database from the URL are used
                RedisClient rawClient = RedisClient.create(url);
                try (StatefulRedisConnection<byte[], byte[]> raw = rawClient.connect(ByteArrayCodec.INSTANCE)) {
                    assertArrayEquals(VALUE, raw.sync().get("outage:k".getBytes(StandardCharsets.UTF_8)));
                    raw.sync().select(0);
                    assertEquals(null, raw.sync().get("outage:k".getBytes(StandardCharsets.UTF_8)),
                            "written to database 3, not 0");
                } finally {
                    rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                }

                server.stop();
                List<GatewayException> failures = new ArrayList<>();
                OPERATIONS.forEach((name, operation) -> failures.add(unavailable(name, operation, store)));
                for (GatewayException e : failures) {
                    assertNoSecret(password, e);
                }
                assertFalse(logger.text().contains(password), logger.text());
            } finally {
                store.close();
            }

            // a wrong password: the answer of Redis is in the message, the password is not
            server.start();
            String wrongPassword = "wrong-Pa55word-xyz";
            RecordingLogger wrongLogger = new RecordingLogger();
            StateStore wrong = create("redis://:" + wrongPassword + "@127.0.0.1:" + server.port() + "/0", wrongLogger);
            try {
                GatewayException e = unavailable("get", s -> s.get("k"), wrong);
                assertTrue(e.getMessage().contains("WRONGPASS") || e.getMessage().contains("invalid password"),
                        e.getMessage());
                assertNoSecret(wrongPassword, e);
                assertFalse(wrongLogger.text().contains(wrongPassword), wrongLogger.text());
            } finally {
                wrong.close();
            }

            assertTrue(wire.text.length() > 0, "java.util.logging saw Lettuce's log");
            assertNotInLog(wire.text.toString(), password);
            assertNotInLog(wire.text.toString(), wrongPassword);

            // no password at all against a server that needs one
            StateStore none = create("redis://127.0.0.1:" + server.port() + "/0", new RecordingLogger());
            try {
                GatewayException e = unavailable("get", s -> s.get("k"), none);
                assertTrue(e.getMessage().contains("NOAUTH"), e.getMessage());
            } finally {
                none.close();
            }
        }
    }

    private static void assertNotInLog(String log, String secret) {
        int at = log.indexOf(secret);
        if (at >= 0) {
            fail("the password is in the log: ..." + log.substring(Math.max(0, at - 800), at + secret.length()));
        }
    }

    private static void assertNoSecret(String secret, Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        assertFalse(trace.toString().contains(secret), "the password leaked: " + trace);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            assertNotNull(t.getMessage());
            assertFalse(t.getMessage().contains(secret), "the password leaked: " + t);
        }
    }

    @Test
    void aWrongPasswordIsReportedWithRedisAnswerOnEveryAttempt() {
        // Lettuce can lose Redis's answer when a handshake fails faster than its connect listener
        // runs ("RedisHandshakeHandler not registered"), or when the channel-inactive event of the
        // close that follows the failure is handled before the failure is recorded ("Connection
        // closed prematurely", about once in a few thousand attempts on a loaded machine); the store
        // tries again so that the user sees what Redis said. Every attempt here is a new connection.
        try (RedisServerProcess server = RedisServerProcess.start("right-Pa55word")) {
            StateStore wrong = create("redis://:wrong-Pa55word@127.0.0.1:" + server.port() + "/0",
                    new RecordingLogger());
            try {
                for (int attempt = 0; attempt < 200; attempt++) {
                    GatewayException e = unavailable("get", s -> s.get("k"), wrong);
                    assertTrue(e.getMessage().contains("WRONGPASS") || e.getMessage().contains("invalid password"),
                            "attempt " + attempt + ": " + e.getMessage());
                }
            } finally {
                wrong.close();
            }
        }
    }

}
