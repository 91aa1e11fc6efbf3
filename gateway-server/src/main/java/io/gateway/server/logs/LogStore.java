package io.gateway.server.logs;

import com.zaxxer.hikari.HikariDataSource;
import jakarta.json.bind.Jsonb;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The request log's tables over JDBC, for SQLite and PostgreSQL: the schema is migrated by Flyway
 * (scripts under {@code io/gateway/server/logs/db/<back end>}), connections come from a HikariCP pool,
 * and every query is shared by both back ends (times as epoch milliseconds, costs as billionths of a
 * USD, percentiles with window functions). The pool is built without connecting, so a database that is
 * down when the gateway starts only delays {@link #open()}. Thread-safe: the writer inserts and deletes
 * while admin requests read.
 */
final class LogStore implements AutoCloseable {

    static final String LOG_TABLE = "gateway_request_log";
    /** Flyway's history table, named so it does not meet an application's own in a shared database. */
    static final String HISTORY_TABLE = "gateway_log_schema_history";

    private static final BigDecimal NANOS = BigDecimal.valueOf(1_000_000_000L);

    private static final String SUMMARY_COLUMNS = "seq, id, ts, operation, provider, model, requested_model, status, "
            + "stream, latency_ms, ttft_ms, input_tokens, output_tokens, cached_tokens, reasoning_tokens, cost_nanos, "
            + "virtual_key, retries, fallback_index, error_type, error_message, client_ip, user_agent, trace_id, "
            + "cache_hit";
    private static final String DETAIL_COLUMNS = SUMMARY_COLUMNS
            + ", attempts, request_body, response_body, request_body_truncated, response_body_truncated";
    private static final String INSERT_LOG = "INSERT INTO " + LOG_TABLE + " (id, ts, operation, provider, model, "
            + "requested_model, status, stream, latency_ms, ttft_ms, input_tokens, output_tokens, cached_tokens, "
            + "reasoning_tokens, cost_nanos, virtual_key, retries, fallback_index, error_type, error_message, client_ip, "
            + "user_agent, trace_id, cache_hit, attempts, request_body, response_body, request_body_truncated, "
            + "response_body_truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            + "?, ?, ?, ?, ?)";

    /**
     * Rows sent to the database between two {@link Thread#yield() yields} of the writer thread, when it
     * yields. A thousand rows are a millisecond or more of one core's time; on a node whose cores the
     * requests use too, the writer (asleep most of the time, so favoured by the scheduler when it
     * wakes) would hold a core that long and delay the requests waiting for it. Yielding every 16 rows
     * lets them in between (docs/performance.md, finding 22: at 1,000 req/s the p99 the store added
     * went from 0.2–0.5 ms to 0.01 ms).
     */
    static final int CHUNK = 16;

    private final LogSettings settings;
    private final Jsonb json;
    private final boolean sqlite;
    private volatile HikariDataSource pool;
    private volatile boolean migrated;

    /**
     * A store; nothing is connected yet.
     *
     * @param settings the back end
     * @param json     reads and writes the attempts column
     */
    LogStore(LogSettings settings, Jsonb json) {
        this.settings = settings;
        this.json = json;
        this.sqlite = settings.store() == LogSettings.Store.SQLITE;
    }

    /**
     * Builds the pool (once) and migrates the schema. Called by the writer until it succeeds.
     *
     * @return the schema version
     * @throws RuntimeException (Flyway's, Hikari's) or {@link SQLException} when the database cannot be
     *                          reached or migrated
     */
    synchronized String open() throws SQLException {
        if (pool == null) {
            pool = new HikariDataSource(settings.poolConfig("gateway-logs", settings.poolSize()));
        }
        Flyway flyway = Flyway.configure(LogStore.class.getClassLoader())
                .dataSource(pool)
                .locations("classpath:io/gateway/server/logs/db/" + (sqlite ? "sqlite" : "postgres"))
                .table(HISTORY_TABLE)
                // the managed virtual keys keep their own tables and history in the same database: a
                // schema that holds only theirs is not a reason to refuse
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .connectRetries(0)
                .load();
        flyway.migrate();
        org.flywaydb.core.api.MigrationInfo current = flyway.info().current();
        String version = current == null || current.getVersion() == null ? "none" : current.getVersion().getVersion();
        migrated = true;
        return version;
    }

    /**
     * Whether {@link #open()} has succeeded.
     *
     * @return {@code true} once the schema is in place
     */
    boolean ready() {
        return migrated;
    }

    private Connection connection() throws SQLException {
        HikariDataSource current = pool;
        if (current == null || !migrated) {
            throw new SQLException("the request log store is not open yet");
        }
        return current.getConnection();
    }

    /**
     * Whether the database answers now.
     *
     * @return {@code false} when no connection can be had or it does not answer within 2 s
     */
    boolean reachable() {
        HikariDataSource current = pool;
        if (current == null) {
            return false;
        }
        try (Connection connection = current.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Inserts entries in one transaction, {@value #CHUNK} rows at a time.
     *
     * @param entries  the entries
     * @param yielding whether to let other threads run between chunks (the writer does while it keeps
     *                 up, and catches up at full speed when its queue fills)
     * @throws SQLException when the database refuses or is gone
     */
    void insert(List<LogEntry> entries, boolean yielding) throws SQLException {
        try (Connection connection = connection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement log = connection.prepareStatement(INSERT_LOG)) {
                int n = 0;
                for (LogEntry entry : entries) {
                    bindEntry(log, entry);
                    log.addBatch();
                    if (++n % CHUNK == 0) {
                        log.executeBatch();
                        if (yielding) {
                            Thread.yield();
                        }
                    }
                }
                if (n % CHUNK != 0) {
                    log.executeBatch();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(connection);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the first failure is the one reported
        }
    }

    private void bindEntry(PreparedStatement statement, LogEntry entry) throws SQLException {
        int i = 1;
        statement.setString(i++, text(entry.id()));
        statement.setLong(i++, entry.timestamp().toEpochMilli());
        statement.setString(i++, entry.operation());
        statement.setString(i++, text(entry.provider()));
        statement.setString(i++, text(entry.model()));
        statement.setString(i++, text(entry.requestedModel()));
        statement.setInt(i++, entry.status());
        statement.setBoolean(i++, entry.stream());
        statement.setLong(i++, entry.latencyMs());
        setLong(statement, i++, entry.ttftMs());
        setLong(statement, i++, entry.inputTokens());
        setLong(statement, i++, entry.outputTokens());
        setLong(statement, i++, entry.cachedTokens());
        setLong(statement, i++, entry.reasoningTokens());
        setLong(statement, i++, nanos(entry.costUsd()));
        statement.setString(i++, text(entry.virtualKey()));
        statement.setInt(i++, entry.retries());
        statement.setInt(i++, entry.fallbackIndex());
        statement.setString(i++, text(entry.errorType()));
        statement.setString(i++, text(entry.errorMessage()));
        statement.setString(i++, text(entry.clientIp()));
        statement.setString(i++, text(entry.userAgent()));
        statement.setString(i++, text(entry.traceId()));
        statement.setString(i++, text(entry.cacheHit()));
        statement.setString(i++, entry.attempts() == null ? null : text(attemptsJson(entry.attempts())));
        statement.setString(i++, text(entry.requestBody()));
        statement.setString(i++, text(entry.responseBody()));
        setBoolean(statement, i++, entry.requestBodyTruncated());
        setBoolean(statement, i, entry.responseBodyTruncated());
    }

    /**
     * The attempts column: the same JSON JSON-B writes for {@code LogAttempt[]} (its property order,
     * {@code null}s left out), written by hand because the writer thread does it for every entry and
     * JSON-B's reflection made it the largest part of the writer's time per entry.
     */
    static String attemptsJson(List<LogAttempt> attempts) {
        StringBuilder out = new StringBuilder(48 + 96 * attempts.size()).append('[');
        for (int a = 0; a < attempts.size(); a++) {
            LogAttempt attempt = attempts.get(a);
            if (a > 0) {
                out.append(',');
            }
            out.append('{');
            boolean first = member(out, true, "provider", attempt.provider());
            first = member(out, first, "model", attempt.model());
            first = member(out, first, "key", attempt.key());
            out.append(first ? "" : ",").append("\"status\":").append(attempt.status())
                    .append(",\"ms\":").append(attempt.ms())
                    .append(",\"fallback\":").append(attempt.fallback()).append('}');
        }
        return out.append(']').toString();
    }

    private static boolean member(StringBuilder out, boolean first, String name, String value) {
        if (value == null) {
            return first;
        }
        if (!first) {
            out.append(',');
        }
        out.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        return false;
    }

    /**
     * One page of entries, newest first.
     *
     * @param query the filters and the page
     * @return the page
     * @throws SQLException when the database is not available
     */
    LogPage page(LogQuery query) throws SQLException {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT ").append(SUMMARY_COLUMNS).append(" FROM ").append(LOG_TABLE);
        StringBuilder where = new StringBuilder();
        filters(where, params, query.provider(), query.model(), query.virtualKey(), query.from(), query.to());
        if (query.statusFrom() != null) {
            and(where).append("status BETWEEN ? AND ?");
            params.add(query.statusFrom());
            params.add(query.statusTo());
        }
        if (query.q() != null) {
            String like = "%" + escapeLike(query.q()) + "%";
            String op = sqlite ? " LIKE ? ESCAPE '\\'" : " ILIKE ? ESCAPE '\\'";
            and(where).append("(id").append(op).append(" OR model").append(op).append(" OR requested_model").append(op)
                    .append(" OR error_message").append(op).append(" OR request_body").append(op)
                    .append(" OR response_body").append(op).append(')');
            for (int i = 0; i < 6; i++) {
                params.add(like);
            }
        }
        if (query.cursor() != null) {
            and(where).append("(ts < ? OR ts = ? AND seq < ?)");
            params.add(query.cursor().timestamp());
            params.add(query.cursor().timestamp());
            params.add(query.cursor().sequence());
        }
        sql.append(where).append(" ORDER BY ts DESC, seq DESC LIMIT ?");
        params.add(query.limit() + 1);
        List<LogEntry> entries = new ArrayList<>(Math.min(query.limit() + 1, 64));
        long lastTs = 0;
        long lastSeq = 0;
        boolean more = false;
        try (Connection connection = connection();
             PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            bind(statement, params);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (entries.size() == query.limit()) {
                        more = true;
                        break;
                    }
                    entries.add(entry(rows, false));
                    lastTs = rows.getLong("ts");
                    lastSeq = rows.getLong("seq");
                }
            }
        }
        return new LogPage(entries, more ? new LogCursor(lastTs, lastSeq).encode() : null);
    }

    /**
     * The newest entry with a request id, with everything.
     *
     * @param id the request id
     * @return the entry, or empty
     * @throws SQLException when the database is not available
     */
    Optional<LogEntry> find(String id) throws SQLException {
        try (Connection connection = connection();
             PreparedStatement statement = connection.prepareStatement("SELECT " + DETAIL_COLUMNS + " FROM " + LOG_TABLE
                     + " WHERE id = ? ORDER BY ts DESC, seq DESC LIMIT 1")) {
            statement.setString(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(entry(rows, true)) : Optional.empty();
            }
        }
    }

    /**
     * Totals per group.
     *
     * @param query the grouping and the period
     * @return the rows: time buckets in time order, other groups by requests, most first
     * @throws SQLException when the database is not available
     */
    List<StatsRow> stats(StatsQuery query) throws SQLException {
        boolean attempts = query.groupBy() == StatsQuery.Dimension.KEY;
        String key = expression(query.groupBy());
        String split = query.splitBy() == null ? null : expression(query.splitBy());
        String partition = split == null ? key : key + ", " + split;
        List<Object> params = new ArrayList<>();
        String table = LOG_TABLE;
        if (attempts) {
            // the period narrows the rows (by the index on ts) before their attempts are expanded
            StringBuilder period = new StringBuilder();
            period(period, params, "l.ts", query.from(), query.to());
            table = attemptRows(period.toString());
        }
        StringBuilder where = new StringBuilder();
        filters(where, params, query.provider(), query.model(), query.virtualKey(), attempts ? null : query.from(),
                attempts ? null : query.to());
        // Nearest-rank percentiles: the smallest latency whose rank reaches p of its group's count.
        String sql = "SELECT k, s, COUNT(*) AS requests, SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors, "
                + "SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(cost_nanos) AS cost, "
                + "MIN(CASE WHEN rn * 100 >= n * 50 THEN latency_ms END) AS p50, "
                + "MIN(CASE WHEN rn * 100 >= n * 95 THEN latency_ms END) AS p95 "
                + "FROM (SELECT " + key + " AS k, " + (split == null ? "CAST(NULL AS TEXT)" : split) + " AS s, status, "
                + "input_tokens, output_tokens, cost_nanos, latency_ms, "
                + "ROW_NUMBER() OVER (PARTITION BY " + partition + " ORDER BY latency_ms) AS rn, "
                + "COUNT(*) OVER (PARTITION BY " + partition + ") AS n FROM " + table + where + ") ranked "
                + "GROUP BY k, s ORDER BY " + (query.groupBy().time() ? "k, requests DESC" : "requests DESC, k");
        List<StatsRow> rows = new ArrayList<>();
        try (Connection connection = connection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    String keyText;
                    if (query.groupBy().time()) {
                        keyText = Instant.ofEpochMilli(result.getLong("k")).toString();
                    } else {
                        keyText = result.getString("k");
                    }
                    long costNanos = result.getLong("cost");
                    rows.add(new StatsRow(keyText, result.getString("s"), result.getLong("requests"),
                            result.getLong("errors"), result.getLong("input_tokens"), result.getLong("output_tokens"),
                            usd(costNanos), result.getLong("p50"), result.getLong("p95")));
                }
            }
        }
        return rows;
    }

    /**
     * One row per upstream attempt, expanded from the attempts column of the log's rows in a period:
     * the attempt's provider, model, key, status and time, the request's time, requested model and
     * virtual key, and the request's tokens and cost on the attempt that served it (the last, when it
     * succeeded).
     *
     * @param period the {@code WHERE} clause on the log's {@code ts}, or empty
     * @return a derived table with the columns of the statistics query
     */
    private String attemptRows(String period) {
        if (sqlite) {
            String served = "a.key = json_array_length(l.attempts) - 1 AND json_extract(a.value, '$.status') < 400";
            return "(SELECT l.ts AS ts, json_extract(a.value, '$.provider') AS provider, "
                    + "json_extract(a.value, '$.model') AS model, l.requested_model AS requested_model, "
                    + "json_extract(a.value, '$.key') AS key_name, l.virtual_key AS virtual_key, "
                    + "json_extract(a.value, '$.status') AS status, json_extract(a.value, '$.ms') AS latency_ms, "
                    + "CASE WHEN " + served + " THEN l.input_tokens END AS input_tokens, "
                    + "CASE WHEN " + served + " THEN l.output_tokens END AS output_tokens, "
                    + "CASE WHEN " + served + " THEN l.cost_nanos END AS cost_nanos "
                    + "FROM " + LOG_TABLE + " l, json_each(l.attempts) a" + period
                    + ") attempt_rows";
        }
        String served = "a.n = jsonb_array_length(l.attempts::jsonb) AND (a.value->>'status')::int < 400";
        return "(SELECT l.ts AS ts, a.value->>'provider' AS provider, a.value->>'model' AS model, "
                + "l.requested_model AS requested_model, a.value->>'key' AS key_name, l.virtual_key AS virtual_key, "
                + "(a.value->>'status')::int AS status, (a.value->>'ms')::bigint AS latency_ms, "
                + "CASE WHEN " + served + " THEN l.input_tokens END AS input_tokens, "
                + "CASE WHEN " + served + " THEN l.output_tokens END AS output_tokens, "
                + "CASE WHEN " + served + " THEN l.cost_nanos END AS cost_nanos "
                + "FROM " + LOG_TABLE + " l CROSS JOIN LATERAL jsonb_array_elements(l.attempts::jsonb) "
                + "WITH ORDINALITY AS a(value, n)" + period + ") attempt_rows";
    }

    private String expression(StatsQuery.Dimension dimension) {
        return switch (dimension) {
            case MODEL -> "model";
            case PROVIDER -> "provider";
            case VIRTUAL_KEY -> "virtual_key";
            case KEY -> "provider || '/' || COALESCE(key_name, '')";
            case HOUR -> "(ts / 3600000) * 3600000";
            case DAY -> "(ts / 86400000) * 86400000";
        };
    }

    /**
     * Deletes up to {@code limit} entries older than a time.
     *
     * @param before epoch milliseconds
     * @param limit  the most rows deleted
     * @return entries deleted
     * @throws SQLException when the database is not available
     */
    int deleteBefore(long before, int limit) throws SQLException {
        try (Connection connection = connection();
             PreparedStatement statement = connection.prepareStatement("DELETE FROM " + LOG_TABLE
                     + " WHERE seq IN (SELECT seq FROM " + LOG_TABLE + " WHERE ts < ? ORDER BY ts LIMIT ?)")) {
            statement.setLong(1, before);
            statement.setInt(2, limit);
            return statement.executeUpdate();
        }
    }

    private static void filters(StringBuilder where, List<Object> params, String provider, String model,
                                String virtualKey, Long from, Long to) {
        period(where, params, "ts", from, to);
        if (provider != null) {
            and(where).append("provider = ?");
            params.add(provider);
        }
        if (model != null) {
            and(where).append("(model = ? OR requested_model = ?)");
            params.add(model);
            params.add(model);
        }
        if (virtualKey != null) {
            and(where).append("virtual_key = ?");
            params.add(virtualKey);
        }
    }

    private static void period(StringBuilder where, List<Object> params, String column, Long from, Long to) {
        if (from != null) {
            and(where).append(column).append(" >= ?");
            params.add(from);
        }
        if (to != null) {
            and(where).append(column).append(" < ?");
            params.add(to);
        }
    }

    /** A text for LIKE, with the wildcards and the escape character escaped by a backslash. */
    static String escapeLike(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || c == '%' || c == '_') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static StringBuilder and(StringBuilder where) {
        return where.append(where.isEmpty() ? " WHERE " : " AND ");
    }

    private static void bind(PreparedStatement statement, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object value = params.get(i);
            if (value instanceof Long number) {
                statement.setLong(i + 1, number);
            } else if (value instanceof Integer number) {
                statement.setInt(i + 1, number);
            } else {
                statement.setString(i + 1, (String) value);
            }
        }
    }

    private LogEntry entry(ResultSet rows, boolean detail) throws SQLException {
        List<LogAttempt> attempts = null;
        String requestBody = null;
        String responseBody = null;
        Boolean requestTruncated = null;
        Boolean responseTruncated = null;
        if (detail) {
            String attemptsJson = rows.getString("attempts");
            attempts = attemptsJson == null ? List.of() : List.of(json.fromJson(attemptsJson, LogAttempt[].class));
            requestBody = rows.getString("request_body");
            responseBody = rows.getString("response_body");
            requestTruncated = nullableBoolean(rows, "request_body_truncated");
            responseTruncated = nullableBoolean(rows, "response_body_truncated");
        }
        return new LogEntry(rows.getString("id"), Instant.ofEpochMilli(rows.getLong("ts")), rows.getString("operation"),
                rows.getString("provider"), rows.getString("model"), rows.getString("requested_model"),
                rows.getInt("status"), rows.getBoolean("stream"), rows.getLong("latency_ms"),
                nullableLong(rows, "ttft_ms"), nullableLong(rows, "input_tokens"), nullableLong(rows, "output_tokens"),
                nullableLong(rows, "cached_tokens"), nullableLong(rows, "reasoning_tokens"),
                Optional.ofNullable(nullableLong(rows, "cost_nanos")).map(LogStore::usd).orElse(null),
                rows.getString("virtual_key"), rows.getInt("retries"), rows.getInt("fallback_index"),
                rows.getString("error_type"), rows.getString("error_message"), rows.getString("client_ip"),
                rows.getString("user_agent"), rows.getString("trace_id"), rows.getString("cache_hit"), attempts,
                requestBody, responseBody, requestTruncated, responseTruncated);
    }

    private static Long nullableLong(ResultSet rows, String column) throws SQLException {
        long value = rows.getLong(column);
        return rows.wasNull() ? null : value;
    }

    private static Boolean nullableBoolean(ResultSet rows, String column) throws SQLException {
        boolean value = rows.getBoolean(column);
        return rows.wasNull() ? null : value;
    }

    private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    private static void setBoolean(PreparedStatement statement, int index, Boolean value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BOOLEAN);
        } else {
            statement.setBoolean(index, value);
        }
    }

    /** A cost in billionths of a USD, {@code null} for none; saturates rather than overflow. */
    static Long nanos(BigDecimal usd) {
        if (usd == null) {
            return null;
        }
        BigDecimal nanos = usd.multiply(NANOS).setScale(0, RoundingMode.HALF_UP);
        return nanos.toBigInteger().bitLength() < 63 ? nanos.longValue() : (nanos.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE);
    }

    /** USD from billionths, without trailing zeros. */
    static BigDecimal usd(long nanos) {
        return nanos == 0 ? BigDecimal.ZERO : BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
    }

    /**
     * PostgreSQL refuses the NUL character in text; nothing the log stores needs one.
     *
     * @param value a text, or {@code null}
     * @return the text with NUL characters replaced by U+FFFD
     */
    static String text(String value) {
        return value == null || value.indexOf('\0') < 0 ? value : value.replace('\0', '\uFFFD');
    }

    @Override
    public synchronized void close() {
        HikariDataSource current = pool;
        pool = null;
        migrated = false;
        if (current != null) {
            current.close();
        }
    }
}
