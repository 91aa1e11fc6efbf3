package io.gateway.server.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gateway.server.config.ConfigNode;
import io.gateway.server.config.ReadTracker;
import io.gateway.server.core.ServerOutcome;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Secret;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request log from the request's side to the database: recording never waits for the database,
 * drops are counted when it is down, writing resumes by itself when it is back, a batch the database
 * refuses is dropped without stopping the log, and old entries go in the background.
 */
class RequestLogTest {

    @TempDir
    Path temp;

    private static final ConfigNode.ObjectNode NO_CONFIG = new ConfigNode.ObjectNode(Map.of());

    private static LogSettings postgres(String url, int queue, Duration retention) {
        return new LogSettings(LogSettings.Store.POSTGRES, null, url, PostgresServer.USER, Secret.empty(), false,
                65536, retention, queue, 2);
    }

    private LogSettings sqlite(int queue, Duration retention) {
        return new LogSettings(LogSettings.Store.SQLITE, temp.resolve("gateway.db"), null, null, Secret.empty(), false,
                65536, retention, queue, 2);
    }

    private static void record(RequestLog log, String id, long at) {
        LogRecord record = log.begin(id, at, System.nanoTime(), Operation.CHAT_COMPLETION,
                new InetSocketAddress("127.0.0.1", 5555), "test");
        record.finish(200, false, TimeUnit.MILLISECONDS.toNanos(3), null, new ServerOutcome());
    }

    private static void await(BooleanSupplier condition, Duration limit, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        fail("not within " + limit.toSeconds() + " s: " + what);
    }

    private static List<String> ids(RequestLog log) {
        return log.page(new LogQuery(500, null, null, null, null, null, null, null, null, null)).data().stream()
                .map(LogEntry::id).toList();
    }

    @Test
    void withTheDatabaseUnreachableRecordingNeverWaitsAndDropsAreCounted() {
        String url = "jdbc:postgresql://127.0.0.1:" + PostgresServer.freePort() + "/nothing";
        try (RequestLog log = RequestLog.start(postgres(url, 100, Duration.ofDays(1)), NO_CONFIG, new ReadTracker(),
                Clock.systemUTC())) {
            long slowest = 0;
            for (int i = 0; i < 1000; i++) {
                long start = System.nanoTime();
                record(log, "r" + i, System.currentTimeMillis());
                slowest = Math.max(slowest, System.nanoTime() - start);
            }
            assertTrue(slowest < TimeUnit.MILLISECONDS.toNanos(50), "a record took " + slowest / 1000 + " µs");
            assertEquals(900, log.droppedQueueFull(), "all beyond the queue's 100");
            assertEquals(0, log.written());
            assertFalse(log.ready());
            GatewayException e = assertThrows(GatewayException.class, () -> ids(log));
            assertEquals(503, e.status());
            await(() -> {
                try {
                    ids(log);
                    return false;
                } catch (GatewayException unavailable) {
                    return unavailable.getMessage().contains("not available");
                }
            }, Duration.ofSeconds(20), "the admin API names the reason");
        }
    }

    @Test
    void writingResumesByItselfWhenTheDatabaseIsBack() {
        try (PostgresServer server = PostgresServer.start()) {
            String url = server.createDatabase("resume");
            try (RequestLog log = RequestLog.start(postgres(url, 1000, Duration.ofDays(1)), NO_CONFIG,
                    new ReadTracker(), Clock.systemUTC())) {
                for (int i = 0; i < 10; i++) {
                    record(log, "before-" + i, System.currentTimeMillis());
                }
                await(() -> log.written() == 10, Duration.ofSeconds(30), "the first ten written");
                server.stop();
                for (int i = 0; i < 20; i++) {
                    record(log, "during-" + i, System.currentTimeMillis());
                }
                // the writer holds what it could not write; nothing is lost while the queue has room
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                assertEquals(10, log.written());
                assertEquals(0, log.droppedQueueFull());
                server.restart();
                await(() -> log.written() == 30, Duration.ofSeconds(40), "the twenty written after the restart");
                for (int i = 0; i < 5; i++) {
                    record(log, "after-" + i, System.currentTimeMillis());
                }
                await(() -> log.written() == 35, Duration.ofSeconds(20), "new records written");
                List<String> ids = ids(log);
                assertEquals(35, ids.size());
                assertTrue(ids.containsAll(List.of("before-0", "during-19", "after-4")), ids.toString());
                assertEquals(0, log.droppedWriteFailed());
            }
        }
    }

    @Test
    void aBatchTheDatabaseRefusesIsDroppedAndTheLogGoesOn() {
        try (RequestLog log = RequestLog.start(sqlite(100, Duration.ofDays(1)), NO_CONFIG, new ReadTracker(),
                Clock.systemUTC())) {
            await(log::ready, Duration.ofSeconds(30), "the store open");
            // an entry without an id breaks the table's NOT NULL: the database refuses the batch
            record(log, null, System.currentTimeMillis());
            await(() -> log.droppedWriteFailed() == 1, Duration.ofSeconds(20), "the refused batch counted");
            record(log, "fine", System.currentTimeMillis());
            await(() -> log.written() == 1, Duration.ofSeconds(20), "the next one written");
            assertEquals(List.of("fine"), ids(log));
        }
    }

    @Test
    void entriesOlderThanTheRetentionAreDeletedInTheBackground() {
        long now = System.currentTimeMillis();
        try (RequestLog log = RequestLog.start(sqlite(100, Duration.ofMinutes(5)), NO_CONFIG, new ReadTracker(),
                Clock.systemUTC())) {
            record(log, "old-1", now - Duration.ofMinutes(10).toMillis());
            record(log, "old-2", now - Duration.ofHours(30).toMillis());
            record(log, "new", now - Duration.ofMinutes(1).toMillis());
            await(() -> log.written() == 3, Duration.ofSeconds(30), "three written");
            await(() -> ids(log).equals(List.of("new")), Duration.ofSeconds(20), "the old ones deleted");
        }
    }

    @Test
    void recordsStillQueuedAtShutdownAreWrittenFirst() {
        RequestLog log = RequestLog.start(sqlite(10_000, Duration.ofDays(1)), NO_CONFIG, new ReadTracker(),
                Clock.systemUTC());
        for (int i = 0; i < 2000; i++) {
            record(log, "q" + i, System.currentTimeMillis());
        }
        log.close();
        assertEquals(2000, log.written() + log.droppedWriteFailed());
        assertEquals(0, log.droppedQueueFull());
        try (RequestLog again = RequestLog.start(sqlite(10, Duration.ofDays(1)), NO_CONFIG, new ReadTracker(),
                Clock.systemUTC())) {
            await(again::ready, Duration.ofSeconds(30), "reopened");
            assertEquals(LogQuery.MAX_LIMIT, ids(again).size());
        }
    }

    @Test
    void theLogThatIsOffRecordsNothingAndSaysSo() {
        RequestLog off = RequestLog.off();
        assertFalse(off.enabled());
        assertEquals(null, off.begin("x", 0, 0, Operation.CHAT_COMPLETION, null, null));
        GatewayException e = assertThrows(GatewayException.class, () -> ids(off));
        assertEquals(404, e.status());
        assertTrue(e.getMessage().contains("gateway.logs.store"), e.getMessage());
    }
}
