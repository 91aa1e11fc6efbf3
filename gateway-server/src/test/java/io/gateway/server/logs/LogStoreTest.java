package io.gateway.server.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Secret;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store's queries against both back ends: a real SQLite file and a real PostgreSQL server (started
 * by the test, see {@link PostgresServer}). Every test runs on each, with the same assertions, so the
 * two agree.
 */
class LogStoreTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final AtomicInteger DATABASES = new AtomicInteger();
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

    /** A fresh, migrated store of the back end. */
    static LogStore store(String backEnd) throws Exception {
        LogStore store = new LogStore(settings(backEnd), LogJson.detail());
        assertEquals("3", store.open());
        return store;
    }

    static LogSettings settings(String backEnd) {
        int n = DATABASES.incrementAndGet();
        if (backEnd.equals("sqlite")) {
            return new LogSettings(LogSettings.Store.SQLITE, temp.resolve("db" + n + "/gateway.db"), null, null,
                    Secret.empty(), true, 65536, Duration.ofDays(30), 1000, 4);
        }
        if (postgres == null) {
            postgres = PostgresServer.start();
        }
        return new LogSettings(LogSettings.Store.POSTGRES, null, postgres.createDatabase("logs" + n),
                PostgresServer.USER, Secret.empty(), true, 65536, Duration.ofDays(30), 1000, 4);
    }

    static LogEntry entry(String id, Instant at, String provider, String model, int status, long latency,
                          Long input, Long output, String cost, String virtualKey) {
        return new LogEntry(id, at, "chat.completion", provider, model, provider + "/" + model, status, false,
                latency, null, input, output, input == null ? null : 0L, output == null ? null : 0L,
                cost == null ? null : new BigDecimal(cost), virtualKey, 0, 0,
                status >= 400 ? "rate_limit_error" : null, status >= 400 ? "Too many requests for " + id : null,
                "127.0.0.1", "test-agent/1.0", null, null,
                List.of(new LogAttempt(provider, model, "main", status, latency, 0)), null, null, null, null);
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void pagesGoNewestFirstAndTheCursorVisitsEveryEntryOnce(String backEnd) throws Exception {
        try (LogStore store = store(backEnd)) {
            List<LogEntry> entries = new ArrayList<>();
            for (int i = 0; i < 23; i++) {
                // pairs share a millisecond: the cursor must tell them apart
                entries.add(entry("req-" + i, T0.plusMillis(i / 2), "openai", "gpt-4o", 200, 10 + i, 5L, 7L,
                        "0.000001", null));
            }
            store.insert(entries, false);
            Set<String> seen = new HashSet<>();
            List<String> order = new ArrayList<>();
            LogCursor cursor = null;
            int pages = 0;
            while (true) {
                LogPage page = store.page(new LogQuery(5, cursor, null, null, null, null, null, null, null, null));
                pages++;
                for (LogEntry e : page.data()) {
                    assertTrue(seen.add(e.id()), "seen twice: " + e.id());
                    order.add(e.id());
                    assertNull(e.attempts(), "the list leaves attempts out");
                }
                if (page.nextCursor() == null) {
                    break;
                }
                cursor = LogCursor.decode(page.nextCursor());
            }
            assertEquals(23, seen.size());
            assertEquals(5, pages);
            assertEquals("req-22", order.get(0));
            assertEquals("req-0", order.get(22));
            for (int i = 1; i < order.size(); i++) {
                int previous = Integer.parseInt(order.get(i - 1).substring(4));
                int current = Integer.parseInt(order.get(i).substring(4));
                assertTrue(previous / 2 >= current / 2, order.toString());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void filtersNarrowThePage(String backEnd) throws Exception {
        try (LogStore store = store(backEnd)) {
            store.insert(List.of(
                    entry("a-1", T0, "openai", "gpt-4o", 200, 100, 10L, 20L, "0.5", "team-a"),
                    entry("a-2", T0.plusSeconds(60), "anthropic", "claude-sonnet", 429, 50, null, null, null, "team-a"),
                    entry("b-1", T0.plusSeconds(120), "openai", "gpt-4o-mini", 502, 70, null, null, null, "team-b"),
                    entry("b-2_50%", T0.plusSeconds(180), "openai", "gpt-4o", 200, 80, 1L, 2L, "0.25", null)), false);
            assertEquals(List.of("b-2_50%", "b-1", "a-1"), ids(store, q -> q.provider = "openai"));
            assertEquals(List.of("b-2_50%", "a-1"), ids(store, q -> q.model = "gpt-4o"));
            assertEquals(List.of("b-1"), ids(store, q -> q.model = "openai/gpt-4o-mini"), "the requested model too");
            assertEquals(List.of("a-2"), ids(store, q -> q.status = "4xx"));
            assertEquals(List.of("b-1"), ids(store, q -> q.status = "5xx"));
            assertEquals(List.of("b-2_50%", "a-1"), ids(store, q -> q.status = "200"));
            assertEquals(List.of("a-2", "a-1"), ids(store, q -> q.virtualKey = "team-a"));
            assertEquals(List.of("b-1", "a-2"), ids(store, q -> q.from = T0.plusSeconds(60), q -> q.to = T0.plusSeconds(180)));
            // q: request id, models, error message; case-insensitive; wildcards are literal
            assertEquals(List.of("a-2"), ids(store, q -> q.q = "TOO MANY REQUESTS FOR A"));
            assertEquals(List.of("a-2"), ids(store, q -> q.q = "claude"));
            assertEquals(List.of("b-2_50%"), ids(store, q -> q.q = "_50%"));
            assertEquals(List.of(), ids(store, q -> q.q = "b-2%50"));
        }
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void theDetailHasAttemptsAndBodiesAndTheNewestOfARepeatedId(String backEnd) throws Exception {
        try (LogStore store = store(backEnd)) {
            LogEntry older = entry("dup", T0, "openai", "gpt-4o", 500, 10, null, null, null, null);
            LogEntry newer = new LogEntry("dup", T0.plusSeconds(1), "chat.completion", "openai", "gpt-4o",
                    "openai/gpt-4o", 200, true, 1234, 56L, 10L, 20L, 3L, 4L, new BigDecimal("0.000123"), "team-a",
                    1, 1, null, null, "::1", "sdk\u0000agent", "0af7651916cd43dd8448eb211c80319c", "semantic",
                    List.of(new LogAttempt("openai", "gpt-4o", "k1", 500, 10, 0),
                            new LogAttempt("azure", "gpt-4o", "k2", 200, 1200, 1)),
                    "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"héllo ✓\"}]}",
                    "{\"choices\":[]}", false, true);
            store.insert(List.of(older, newer), false);
            LogEntry found = store.find("dup").orElseThrow();
            assertEquals(newer.timestamp(), found.timestamp());
            assertEquals(2, found.attempts().size());
            assertEquals(new LogAttempt("azure", "gpt-4o", "k2", 200, 1200, 1), found.attempts().get(1));
            assertEquals(newer.requestBody(), found.requestBody());
            assertEquals(newer.responseBody(), found.responseBody());
            assertEquals(Boolean.FALSE, found.requestBodyTruncated());
            assertEquals(Boolean.TRUE, found.responseBodyTruncated());
            assertEquals(0, new BigDecimal("0.000123").compareTo(found.costUsd()));
            assertEquals(56L, found.ttftMs());
            assertEquals(3L, found.cachedTokens());
            assertEquals(4L, found.reasoningTokens());
            assertTrue(found.stream());
            assertEquals("sdk\uFFFDagent", found.userAgent(), "NUL, which PostgreSQL refuses, is replaced");
            assertEquals("0af7651916cd43dd8448eb211c80319c", found.traceId());
            assertEquals("semantic", found.cacheHit());
            assertTrue(store.find("nope").isEmpty());
            LogEntry listed = store.page(new LogQuery(10, null, null, null, null, null, null, null, null, null))
                    .data().get(0);
            assertNull(listed.requestBody());
            assertNull(listed.attempts());
            assertEquals(56L, listed.ttftMs());
            assertEquals("semantic", listed.cacheHit(), "the list shows it too");
        }
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void statsGroupAndSplitWithExactPercentilesAndSums(String backEnd) throws Exception {
        try (LogStore store = store(backEnd)) {
            List<LogEntry> entries = new ArrayList<>();
            // gpt-4o: latencies 1..20 ms, one error; claude: 100, 200, 300
            for (int i = 1; i <= 20; i++) {
                entries.add(entry("g" + i, T0.plusSeconds(i * 300L), "openai", "gpt-4o", i == 7 ? 500 : 200, i,
                        10L, 1L, "0.000000001", i % 2 == 0 ? "team-a" : "team-b"));
            }
            for (int i = 1; i <= 3; i++) {
                entries.add(entry("c" + i, T0.plusSeconds(i), "anthropic", "claude", 200, i * 100L, 100L, 50L,
                        "1.5", "team-a"));
            }
            store.insert(entries, false);
            long from = T0.toEpochMilli();
            long to = T0.plus(Duration.ofDays(1)).toEpochMilli();
            Map<String, StatsRow> byModel = byKey(store.stats(new StatsQuery(StatsQuery.Dimension.MODEL, null, from,
                    to, null, null, null)));
            StatsRow gpt = byModel.get("gpt-4o");
            assertEquals(20, gpt.requests());
            assertEquals(1, gpt.errors());
            assertEquals(200, gpt.inputTokens());
            assertEquals(20, gpt.outputTokens());
            assertEquals(0, new BigDecimal("0.00000002").compareTo(gpt.costUsd()), gpt.costUsd().toPlainString());
            assertEquals(10, gpt.latencyP50Ms(), "nearest rank: the 10th of 20");
            assertEquals(19, gpt.latencyP95Ms(), "nearest rank: the 19th of 20");
            StatsRow claude = byModel.get("claude");
            assertEquals(200, claude.latencyP50Ms());
            assertEquals(300, claude.latencyP95Ms());
            assertEquals(0, new BigDecimal("4.5").compareTo(claude.costUsd()));
            assertNull(claude.split());

            List<StatsRow> hours = store.stats(new StatsQuery(StatsQuery.Dimension.HOUR, null, from, to, null, null,
                    null));
            assertEquals(List.of("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"), hours.stream().map(StatsRow::key)
                    .toList());
            assertEquals(3 + 11, hours.get(0).requests(), "claude's three and gpt-4o's first 11 (every 5 minutes)");

            List<StatsRow> split = store.stats(new StatsQuery(StatsQuery.Dimension.DAY, StatsQuery.Dimension.VIRTUAL_KEY,
                    from, to, "openai", null, null));
            assertEquals(2, split.size());
            assertEquals("2026-03-01T00:00:00Z", split.get(0).key());
            assertEquals(Set.of("team-a", "team-b"), Set.of(split.get(0).split(), split.get(1).split()));
            assertEquals(20, split.get(0).requests() + split.get(1).requests());

            Map<String, StatsRow> keys = byKey(store.stats(new StatsQuery(StatsQuery.Dimension.KEY, null, from, to,
                    null, null, "team-a")));
            assertEquals(10 + 3, keys.get("openai/main").requests() + keys.get("anthropic/main").requests());
            assertEquals(300, keys.get("anthropic/main").inputTokens());

            assertTrue(store.stats(new StatsQuery(StatsQuery.Dimension.PROVIDER, null, to, to + 1000, null, null,
                    null)).isEmpty(), "an empty period has no rows");
        }
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void everyEntryOfABatchIsWrittenWhateverItsSizeAgainstTheChunks(String backEnd) throws Exception {
        try (LogStore store = store(backEnd)) {
            int total = 0;
            for (int size : new int[] {1, LogStore.CHUNK - 1, LogStore.CHUNK, LogStore.CHUNK + 1, 3 * LogStore.CHUNK}) {
                List<LogEntry> entries = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    entries.add(entry("b" + size + "-" + i, T0.plusMillis(total + i), "openai", "gpt-4o", 200, 1, 1L,
                            1L, null, null));
                }
                store.insert(entries, size % 2 == 0);
                total += size;
                assertEquals(total, store.page(new LogQuery(500, null, null, null, null, null, null, null, null, null))
                        .data().size(), "after a batch of " + size);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void keyStatsCountEveryAttemptAndPutTokensAndCostOnTheOneThatServed(String backEnd) throws Exception {
        try (LogStore store = store(backEnd)) {
            List<LogEntry> entries = new ArrayList<>();
            // a retry on another key, then a fallback to another provider
            entries.add(withAttempts(entry("r1", T0, "openai", "gpt-4o", 200, 140, 10L, 5L, "0.25", "team-a"),
                    new LogAttempt("openai", "gpt-4o", "k1", 429, 30, 0),
                    new LogAttempt("openai", "gpt-4o", "k2", 200, 110, 0)));
            entries.add(withAttempts(entry("r2", T0.plusSeconds(1), "anthropic", "claude", 200, 400, 7L, 3L, "0.5",
                            "team-b"),
                    new LogAttempt("openai", "gpt-4o", "k1", 500, 20, 0),
                    new LogAttempt("openai", "gpt-4o", "k2", 503, 40, 0),
                    new LogAttempt("anthropic", "claude", "main", 200, 300, 1)));
            // every attempt failed: no tokens anywhere
            entries.add(withAttempts(entry("r3", T0.plusSeconds(2), "openai", "gpt-4o", 429, 25, null, null, null,
                    "team-a"), new LogAttempt("openai", "gpt-4o", "k1", 429, 25, 0)));
            // no attempt at all (refused before routing)
            entries.add(withAttempts(entry("r4", T0.plusSeconds(3), null, null, 401, 0, null, null, null, null)));
            // outside the period
            entries.add(withAttempts(entry("r5", T0.plus(Duration.ofDays(2)), "openai", "gpt-4o", 200, 9, 1L, 1L,
                    "1", null), new LogAttempt("openai", "gpt-4o", "k1", 200, 9, 0)));
            store.insert(entries, false);
            long from = T0.toEpochMilli();
            long to = T0.plus(Duration.ofDays(1)).toEpochMilli();
            Map<String, StatsRow> keys = byKey(store.stats(new StatsQuery(StatsQuery.Dimension.KEY, null, from, to,
                    null, null, null)));
            assertEquals(Set.of("openai/k1", "openai/k2", "anthropic/main"), keys.keySet());
            StatsRow k1 = keys.get("openai/k1");
            assertEquals(3, k1.requests());
            assertEquals(3, k1.errors());
            assertEquals(0, k1.inputTokens());
            assertEquals(0, BigDecimal.ZERO.compareTo(k1.costUsd()));
            assertEquals(25, k1.latencyP50Ms(), "nearest rank of 20, 25, 30");
            assertEquals(30, k1.latencyP95Ms());
            StatsRow k2 = keys.get("openai/k2");
            assertEquals(2, k2.requests());
            assertEquals(1, k2.errors());
            assertEquals(10, k2.inputTokens(), "r1's tokens, on the attempt that served it");
            assertEquals(5, k2.outputTokens());
            assertEquals(0, new BigDecimal("0.25").compareTo(k2.costUsd()));
            StatsRow claude = keys.get("anthropic/main");
            assertEquals(1, claude.requests());
            assertEquals(7, claude.inputTokens());
            assertEquals(0, new BigDecimal("0.5").compareTo(claude.costUsd()));
            assertEquals(300, claude.latencyP50Ms(), "the attempt's time, not the request's");

            Map<String, StatsRow> teamA = byKey(store.stats(new StatsQuery(StatsQuery.Dimension.KEY, null, from, to,
                    null, null, "team-a")));
            assertEquals(2, teamA.get("openai/k1").requests(), "r1 and r3");
            Map<String, StatsRow> openai = byKey(store.stats(new StatsQuery(StatsQuery.Dimension.KEY, null, from, to,
                    "openai", null, null)));
            assertEquals(Set.of("openai/k1", "openai/k2"), openai.keySet(), "the provider filter is the attempt's");
            List<StatsRow> split = store.stats(new StatsQuery(StatsQuery.Dimension.KEY, StatsQuery.Dimension.VIRTUAL_KEY,
                    from, to, null, null, null));
            assertEquals(2, split.stream().filter(row -> row.key().equals("openai/k1")).count(), "team-a and team-b");
        }
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void aVersionOneDatabaseIsMigratedAndKeepsItsEntriesAndKeyStats(String backEnd) throws Exception {
        LogSettings settings = settings(backEnd);
        String url = backEnd.equals("sqlite") ? "jdbc:sqlite:" + settings.sqlitePath() : settings.url();
        if (backEnd.equals("sqlite")) {
            Files.createDirectories(settings.sqlitePath().getParent());
        }
        // the schema as version 1 left it, with one request that was retried
        org.flywaydb.core.Flyway.configure(LogStore.class.getClassLoader())
                .dataSource(url, backEnd.equals("sqlite") ? null : PostgresServer.USER, "")
                .locations("classpath:io/gateway/server/logs/db/" + backEnd).table(LogStore.HISTORY_TABLE)
                .target("1").load().migrate();
        try (Connection connection = DriverManager.getConnection(url, backEnd.equals("sqlite") ? null
                : PostgresServer.USER, backEnd.equals("sqlite") ? null : "");
             Statement statement = connection.createStatement()) {
            String bool = backEnd.equals("sqlite") ? "0" : "false";
            statement.executeUpdate("INSERT INTO " + LogStore.LOG_TABLE + " (id, ts, operation, provider, model, "
                    + "status, stream, latency_ms, input_tokens, retries, fallback_index, attempts) VALUES ('old-1', "
                    + T0.toEpochMilli() + ", 'chat.completion', 'openai', 'gpt-4o', 200, " + bool + ", 90, 12, 1, 0, "
                    + "'[{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"key\":\"k1\",\"status\":429,"
                    + "\"ms\":10,\"fallback\":0},{\"provider\":\"openai\",\"model\":\"gpt-4o\","
                    + "\"key\":\"k2\",\"status\":200,\"ms\":80,\"fallback\":0}]')");
            statement.executeUpdate("INSERT INTO gateway_request_attempt (ts, provider, key_name, status, latency_ms) "
                    + "VALUES (" + T0.toEpochMilli() + ", 'openai', 'k1', 429, 10)");
        }
        try (LogStore store = new LogStore(settings, LogJson.detail())) {
            assertEquals("3", store.open());
            assertEquals(List.of("old-1"), store.page(new LogQuery(500, null, null, null, null, null, null, null, null,
                    null)).data().stream().map(LogEntry::id).toList());
            Map<String, StatsRow> keys = byKey(store.stats(new StatsQuery(StatsQuery.Dimension.KEY, null,
                    T0.toEpochMilli(), T0.toEpochMilli() + 1, null, null, null)));
            assertEquals(1, keys.get("openai/k1").errors());
            assertEquals(12, keys.get("openai/k2").inputTokens());
        }
        // a gateway of version 1 on the same database, during an upgrade: its transaction (log row and
        // attempt rows, as it wrote them) and its retention still work; the attempt rows are discarded
        try (Connection connection = DriverManager.getConnection(url, backEnd.equals("sqlite") ? null
                : PostgresServer.USER, backEnd.equals("sqlite") ? null : "")) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement();
                 java.sql.PreparedStatement attempts = connection.prepareStatement("INSERT INTO "
                         + "gateway_request_attempt (ts, provider, model, requested_model, key_name, virtual_key, "
                         + "status, latency_ms, input_tokens, output_tokens, cost_nanos) VALUES (?, ?, ?, ?, ?, ?, ?, "
                         + "?, ?, ?, ?)")) {
                statement.executeUpdate("INSERT INTO " + LogStore.LOG_TABLE + " (id, ts, operation, status, stream, "
                        + "latency_ms, retries, fallback_index) VALUES ('old-2', " + (T0.toEpochMilli() + 1)
                        + ", 'chat.completion', 200, " + (backEnd.equals("sqlite") ? "0" : "false") + ", 5, 0, 0)");
                for (int i = 0; i < 2; i++) {
                    attempts.setLong(1, T0.toEpochMilli());
                    attempts.setString(2, "openai");
                    attempts.setString(3, "gpt-4o");
                    attempts.setString(4, "openai/gpt-4o");
                    attempts.setString(5, "k" + i);
                    attempts.setString(6, null);
                    attempts.setInt(7, 200);
                    attempts.setLong(8, 5);
                    attempts.setNull(9, java.sql.Types.BIGINT);
                    attempts.setNull(10, java.sql.Types.BIGINT);
                    attempts.setNull(11, java.sql.Types.BIGINT);
                    attempts.addBatch();
                }
                attempts.executeBatch();
                connection.commit();
                statement.executeUpdate("DELETE FROM gateway_request_attempt WHERE seq IN (SELECT seq FROM "
                        + "gateway_request_attempt WHERE ts < " + T0.toEpochMilli() + " ORDER BY ts LIMIT 10)");
                connection.commit();
                try (ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM gateway_request_attempt")) {
                    assertTrue(rows.next());
                    assertEquals(0, rows.getInt(1), "the old version's attempt rows are discarded");
                }
            }
        }
        try (LogStore store = new LogStore(settings, LogJson.detail())) {
            assertEquals("3", store.open());
            assertEquals(List.of("old-2", "old-1"), store.page(new LogQuery(500, null, null, null, null, null, null,
                    null, null, null)).data().stream().map(LogEntry::id).toList(), "the old version's entry is kept");
        }
    }

    private static LogEntry withAttempts(LogEntry entry, LogAttempt... attempts) {
        return new LogEntry(entry.id(), entry.timestamp(), entry.operation(), entry.provider(), entry.model(),
                entry.requestedModel(), entry.status(), entry.stream(), entry.latencyMs(), entry.ttftMs(),
                entry.inputTokens(), entry.outputTokens(), entry.cachedTokens(), entry.reasoningTokens(),
                entry.costUsd(), entry.virtualKey(), Math.max(0, attempts.length - 1), entry.fallbackIndex(),
                entry.errorType(), entry.errorMessage(), entry.clientIp(), entry.userAgent(), entry.traceId(),
                entry.cacheHit(), List.of(attempts), null, null, null, null);
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void deleteBeforeRemovesOldEntriesAndTheirAttemptsInChunks(String backEnd) throws Exception {
        LogSettings settings = settings(backEnd);
        try (LogStore store = new LogStore(settings, LogJson.detail())) {
            store.open();
            List<LogEntry> entries = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                entries.add(entry("r" + i, T0.plusSeconds(i), "openai", "gpt-4o", 200, 1, 1L, 1L, null, null));
            }
            store.insert(entries, false);
            long cut = T0.plusSeconds(20).toEpochMilli();
            assertEquals(8, store.deleteBefore(cut, 8));
            assertEquals(8, store.deleteBefore(cut, 8));
            assertEquals(4, store.deleteBefore(cut, 8));
            assertEquals(0, store.deleteBefore(cut, 8));
            assertEquals(10, store.page(new LogQuery(500, null, null, null, null, null, null, null, null, null))
                    .data().size());
            assertEquals(10, store.stats(new StatsQuery(StatsQuery.Dimension.KEY, null, 0, cut * 2, null, null, null))
                    .get(0).requests(), "the attempts went with them");
            // opening the same database again is a no-op migration
            try (LogStore again = new LogStore(settings, LogJson.detail())) {
                assertEquals("3", again.open());
                assertEquals(10, again.page(new LogQuery(500, null, null, null, null, null, null, null, null, null))
                        .data().size());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void theSchemaHistoryHasItsOwnNameAndSqliteRunsInWalMode(String backEnd) throws Exception {
        LogSettings settings = settings(backEnd);
        try (LogStore store = new LogStore(settings, LogJson.detail())) {
            store.open();
            String url = backEnd.equals("sqlite") ? "jdbc:sqlite:" + settings.sqlitePath() : settings.url();
            try (Connection connection = DriverManager.getConnection(url, backEnd.equals("sqlite") ? null
                    : PostgresServer.USER, backEnd.equals("sqlite") ? null : "");
                 Statement statement = connection.createStatement()) {
                try (ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + LogStore.HISTORY_TABLE)) {
                    assertTrue(rows.next());
                    assertEquals(3, rows.getInt(1), "V1 to V3");
                }
                if (backEnd.equals("sqlite")) {
                    try (ResultSet rows = statement.executeQuery("PRAGMA journal_mode")) {
                        assertTrue(rows.next());
                        assertEquals("wal", rows.getString(1));
                    }
                    assertTrue(Files.isRegularFile(settings.sqlitePath()));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backEnds")
    void aStoreThatIsNotOpenRefusesQueries(String backEnd) throws Exception {
        try (LogStore store = new LogStore(settings(backEnd), LogJson.detail())) {
            assertFalse(store.ready());
            assertThrows(java.sql.SQLException.class, () -> store.page(new LogQuery(1, null, null, null, null, null,
                    null, null, null, null)));
        }
    }

    @org.junit.jupiter.api.Test
    void costsAreStoredInBillionthsExactly() {
        assertEquals(1L, LogStore.nanos(new BigDecimal("0.000000001")));
        assertEquals(123_456_789_012L, LogStore.nanos(new BigDecimal("123.456789012")));
        assertEquals(Long.MAX_VALUE, LogStore.nanos(new BigDecimal("1e20")));
        assertNull(LogStore.nanos(null));
        assertEquals(0, new BigDecimal("0.5").compareTo(LogStore.usd(500_000_000L)));
        assertEquals("a\\%b\\_c\\\\", LogStore.escapeLike("a%b_c\\"));
    }

    /** Mutable filters for {@link #ids}. */
    static final class Filter {
        String provider;
        String model;
        String status;
        String virtualKey;
        Instant from;
        Instant to;
        String q;
    }

    @SafeVarargs
    private static List<String> ids(LogStore store, java.util.function.Consumer<Filter>... setters) throws Exception {
        Filter f = new Filter();
        for (java.util.function.Consumer<Filter> setter : setters) {
            setter.accept(f);
        }
        {
            Map<String, String> params = new HashMap<>();
            put(params, "provider", f.provider);
            put(params, "model", f.model);
            put(params, "status", f.status);
            put(params, "virtual_key", f.virtualKey);
            put(params, "from", f.from == null ? null : f.from.toString());
            put(params, "to", f.to == null ? null : f.to.toString());
            put(params, "q", f.q);
            LogQuery query = LogQuery.parse(params::get);
            return store.page(query).data().stream().map(LogEntry::id).toList();
        }
    }

    private static void put(Map<String, String> params, String name, String value) {
        if (value != null) {
            params.put(name, value);
        }
    }

    private static Map<String, StatsRow> byKey(List<StatsRow> rows) {
        Map<String, StatsRow> map = new HashMap<>();
        for (StatsRow row : rows) {
            assertNotNull(row.key());
            map.put(row.key(), row);
        }
        return map;
    }

    @org.junit.jupiter.api.Test
    void badParametersAreRefusedNamingThem() {
        GatewayException e = assertThrows(GatewayException.class, () -> LogQuery.parse(Map.of("limit", "501")::get));
        assertEquals("limit", e.param());
        e = assertThrows(GatewayException.class, () -> LogQuery.parse(Map.of("status", "6xx")::get));
        assertEquals("status", e.param());
        e = assertThrows(GatewayException.class, () -> LogQuery.parse(Map.of("from", "yesterday")::get));
        assertEquals("from", e.param());
        e = assertThrows(GatewayException.class, () -> LogQuery.parse(Map.of("cursor", "bm9wZQ")::get));
        assertEquals("cursor", e.param());
        assertEquals(400, e.status());
    }
}
