package io.gateway.server.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.config.ConfigNode;
import io.gateway.server.config.ReadTracker;
import io.gateway.server.logs.LogSettings;
import io.gateway.server.logs.PostgresServer;
import io.gateway.server.logs.RequestLog;
import io.gateway.spi.Secret;
import io.gateway.spi.middleware.ManagedVirtualKey;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The managed keys' tables on both back ends (a real SQLite file and a real PostgreSQL server): what is
 * written reads back the same, every write moves the version and leaves an audit entry, and the keys'
 * migrations share a database with the request log's in either order.
 */
class KeyStoreTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static PostgresServer postgres;

    @TempDir
    static Path temp;

    static Stream<String> backEnds() {
        return Stream.of("sqlite", "postgres");
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    static LogSettings settings(String backEnd) {
        int n = DATABASES.incrementAndGet();
        if (backEnd.equals("sqlite")) {
            return new LogSettings(LogSettings.Store.SQLITE, temp.resolve("db" + n + "/gateway.db"), null, null,
                    Secret.empty(), false, 65536, Duration.ofDays(30), 1000, 4);
        }
        if (postgres == null) {
            postgres = PostgresServer.start();
        }
        return new LogSettings(LogSettings.Store.POSTGRES, null, postgres.createDatabase("keys" + n),
                PostgresServer.USER, Secret.empty(), false, 65536, Duration.ofDays(30), 1000, 4);
    }

    static AuditEntry audit(String action, String target) {
        return new AuditEntry(0, T0, action, target, "10.0.0.7");
    }

    static StoredKey key(String name, String value) {
        ManagedVirtualKey key = ManagedVirtualKey.builder(name)
                .allowedModels(List.of("openai/*", "anthropic/claude-*"))
                .requestLimit(new ManagedVirtualKey.Limit(600, Duration.ofMinutes(1)))
                .tokenLimit(new ManagedVirtualKey.Limit(200_000, Duration.ofHours(1)))
                .budget(new ManagedVirtualKey.Budget(new BigDecimal("49.5"), "1M"))
                .expiresAt(T0.plus(Duration.ofDays(30)))
                .createdAt(T0)
                .build();
        return new StoredKey(key, KeyValues.hash(value), null, 0, T0);
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void keysReadBackAsWrittenAndEveryWriteMovesTheVersion(String backEnd) throws Exception {
        try (KeyStore store = new KeyStore(settings(backEnd))) {
            store.open();
            assertEquals(0, store.version());
            assertTrue(store.insert(key("app-x", "sk-bf-one"), audit("virtual_key.create", "app-x")));
            assertFalse(store.insert(key("app-x", "sk-bf-two"), audit("virtual_key.create", "app-x")),
                    "a name is taken once");
            assertEquals(1, store.version(), "a refused insert writes nothing");

            StoredKey read = store.find("app-x").orElseThrow();
            ManagedVirtualKey key = read.key();
            assertEquals(List.of("openai/*", "anthropic/claude-*"), key.allowedModels());
            assertEquals(new ManagedVirtualKey.Limit(600, Duration.ofMinutes(1)), key.requestLimit().orElseThrow());
            assertEquals(new ManagedVirtualKey.Limit(200_000, Duration.ofHours(1)), key.tokenLimit().orElseThrow());
            assertEquals(new BigDecimal("49.5"), key.budget().orElseThrow().usd());
            assertEquals(T0.plus(Duration.ofDays(30)), key.expiresAt().orElseThrow());
            assertEquals(T0, key.createdAt());
            assertEquals(KeyValues.hash("sk-bf-one"), read.valueHash());

            StoredKey rotated = store.update("app-x", current -> new StoredKey(current.key(), KeyValues.hash("sk-bf-3"),
                    current.valueHash(), T0.toEpochMilli() + 60_000, T0.plusSeconds(1)),
                    audit("virtual_key.rotate", "app-x")).orElseThrow();
            assertEquals(KeyValues.hash("sk-bf-one"), rotated.previousHash());
            KeyStore.Snapshot snapshot = store.all();
            assertEquals(2, snapshot.version());
            assertEquals(rotated, snapshot.keys().get(0), "a rotation reads back with its previous value's digest");
            assertTrue(store.update("nobody", k -> k, audit("virtual_key.update", "nobody")).isEmpty());
            assertEquals(2, store.version());

            assertTrue(store.delete("app-x", audit("virtual_key.delete", "app-x")));
            assertFalse(store.delete("app-x", audit("virtual_key.delete", "app-x")));
            assertEquals(3, store.version());
            assertTrue(store.all().keys().isEmpty());

            List<AuditEntry> trail = store.audit(10, null);
            assertEquals(List.of("virtual_key.delete", "virtual_key.rotate", "virtual_key.create"),
                    trail.stream().map(AuditEntry::action).toList(), "refused writes leave no entry");
            assertEquals("10.0.0.7", trail.get(0).clientIp());
            assertEquals(T0, trail.get(0).time());
            assertEquals(List.of("virtual_key.create"),
                    store.audit(10, trail.get(1).seq()).stream().map(AuditEntry::action).toList());
        }
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void theKeysAndTheRequestLogShareADatabaseInEitherOrder(String backEnd) throws Exception {
        LogSettings keysFirst = settings(backEnd);
        try (KeyStore store = new KeyStore(keysFirst)) {
            store.open();
            assertLogOpens(keysFirst);
        }
        LogSettings logFirst = settings(backEnd);
        assertLogOpens(logFirst);
        try (KeyStore store = new KeyStore(logFirst)) {
            store.open();
            assertTrue(store.insert(key("after-the-log", "sk-bf-x"), audit("virtual_key.create", "after-the-log")));
        }
    }

    private static void assertLogOpens(LogSettings settings) throws InterruptedException {
        try (RequestLog log = RequestLog.start(settings, ConfigNode.EMPTY, new ReadTracker(), Clock.systemUTC())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!log.ready() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(log.ready(), "the request log migrates beside the keys' tables");
        }
    }
}
