package io.gateway.server.keys;

import com.zaxxer.hikari.HikariDataSource;
import io.gateway.server.logs.LogSettings;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.middleware.ManagedVirtualKey;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.flywaydb.core.Flyway;

/**
 * The managed virtual keys' tables over JDBC, for SQLite and PostgreSQL, in the database the request
 * log uses ({@code gateway.logs}), with their own Flyway migrations ({@code io/gateway/server/keys/db})
 * and history table. Every write runs in one transaction with the bump of the version row every
 * replica polls and the write's audit entry, so a replica that sees the new version sees the change,
 * and no change goes unrecorded. The pool is built without connecting. Thread-safe.
 */
final class KeyStore implements AutoCloseable {

    static final String KEY_TABLE = "gateway_virtual_key";
    static final String VERSION_TABLE = "gateway_config_version";
    static final String AUDIT_TABLE = "gateway_admin_audit";
    static final String HISTORY_TABLE = "gateway_keys_schema_history";

    private static final String COLUMNS = "name, value_hash, previous_hash, previous_until, allowed_models, "
            + "request_limit, request_per_seconds, token_limit, token_per_seconds, budget_usd, budget_period, disabled, "
            + "expires_at, created_at, updated_at";

    private final LogSettings settings;
    private final boolean sqlite;
    private volatile HikariDataSource pool;
    private volatile boolean migrated;

    /**
     * A store; nothing is connected yet.
     *
     * @param settings the database ({@code gateway.logs}), not {@code none}
     */
    KeyStore(LogSettings settings) {
        this.settings = settings;
        this.sqlite = settings.store() == LogSettings.Store.SQLITE;
    }

    /**
     * Builds the pool (once) and migrates the schema; called until it succeeds.
     *
     * @throws SQLException or a runtime exception of the pool or Flyway when the database cannot be
     *                      reached or migrated
     */
    synchronized void open() throws SQLException {
        if (migrated) {
            return;
        }
        if (pool == null) {
            com.zaxxer.hikari.HikariConfig config = settings.poolConfig("gateway-keys", 3);
            if (sqlite) {
                // a write reads, then writes: begun IMMEDIATE it takes the write lock first (waiting up to
                // busy_timeout), instead of failing when the request log's writer committed in between
                config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            }
            pool = new HikariDataSource(config);
        }
        Flyway.configure(KeyStore.class.getClassLoader())
                .dataSource(pool)
                .locations("classpath:io/gateway/server/keys/db/" + (sqlite ? "sqlite" : "postgres"))
                .table(HISTORY_TABLE)
                // the request log's tables may be there already: they are not this history's business
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .connectRetries(0)
                .load()
                .migrate();
        migrated = true;
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
            throw new SQLException("the managed keys' database is not open yet");
        }
        return current.getConnection();
    }

    /**
     * The version row: it grows with every write.
     *
     * @return the version
     * @throws SQLException when the database does not answer
     */
    long version() throws SQLException {
        try (Connection connection = connection();
             PreparedStatement select = connection.prepareStatement("SELECT version FROM " + VERSION_TABLE
                     + " WHERE id = 1")) {
            select.setQueryTimeout(5);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0;
            }
        }
    }

    /**
     * Every key, with the version read just before them: a write in between makes the keys newer than
     * the version says, which the next poll corrects (it sees a newer version and reads again).
     *
     * @return the version and the keys in name order
     * @throws SQLException when the database does not answer
     */
    Snapshot all() throws SQLException {
        long version = version();
        List<StoredKey> keys = new ArrayList<>();
        try (Connection connection = connection();
             PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM " + KEY_TABLE
                     + " ORDER BY name")) {
            select.setQueryTimeout(10);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    keys.add(read(rows));
                }
            }
        }
        return new Snapshot(version, List.copyOf(keys));
    }

    /**
     * The keys of one version.
     *
     * @param version the version row's value
     * @param keys    the keys in name order
     */
    record Snapshot(long version, List<StoredKey> keys) {
    }

    /**
     * One key.
     *
     * @param name the name
     * @return the key, or empty
     * @throws SQLException when the database does not answer
     */
    Optional<StoredKey> find(String name) throws SQLException {
        try (Connection connection = connection()) {
            return find(connection, name, false);
        }
    }

    private Optional<StoredKey> find(Connection connection, String name, boolean forUpdate) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM " + KEY_TABLE
                + " WHERE name = ?" + (forUpdate && !sqlite ? " FOR UPDATE" : ""))) {
            select.setQueryTimeout(5);
            select.setString(1, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
        }
    }

    /**
     * Adds a key, unless one has its name.
     *
     * @param key   the key
     * @param audit the write's record
     * @return {@code false} when the name is taken
     * @throws SQLException when the database refuses or does not answer
     */
    boolean insert(StoredKey key, AuditEntry audit) throws SQLException {
        return write(connection -> {
            if (find(connection, key.name(), false).isPresent()) {
                return false;
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + KEY_TABLE + " (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bind(insert, key);
                insert.executeUpdate();
            }
            return true;
        }, audit, () -> find(key.name()).isPresent());
    }

    /**
     * Changes a key in place.
     *
     * @param name   the key's name
     * @param change what to make of it
     * @param audit  the write's record
     * @return the changed key, or empty when there is none of that name
     * @throws SQLException when the database refuses or does not answer
     */
    Optional<StoredKey> update(String name, UnaryOperator<StoredKey> change, AuditEntry audit) throws SQLException {
        StoredKey[] changed = new StoredKey[1];
        boolean found = write(connection -> {
            Optional<StoredKey> current = find(connection, name, true);
            if (current.isEmpty()) {
                return false;
            }
            StoredKey next = change.apply(current.get());
            try (PreparedStatement update = connection.prepareStatement("UPDATE " + KEY_TABLE + " SET name = ?, "
                    + "value_hash = ?, previous_hash = ?, previous_until = ?, allowed_models = ?, request_limit = ?, "
                    + "request_per_seconds = ?, token_limit = ?, token_per_seconds = ?, budget_usd = ?, "
                    + "budget_period = ?, disabled = ?, expires_at = ?, created_at = ?, updated_at = ? WHERE name = ?")) {
                bind(update, next);
                update.setString(16, name);
                update.executeUpdate();
            }
            changed[0] = next;
            return true;
        }, audit, () -> false);
        return found ? Optional.of(changed[0]) : Optional.empty();
    }

    /**
     * Deletes a key.
     *
     * @param name  the key's name
     * @param audit the write's record
     * @return {@code false} when there was none
     * @throws SQLException when the database refuses or does not answer
     */
    boolean delete(String name, AuditEntry audit) throws SQLException {
        return write(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + KEY_TABLE
                    + " WHERE name = ?")) {
                delete.setString(1, name);
                return delete.executeUpdate() > 0;
            }
        }, audit, () -> false);
    }

    /**
     * Records an admin write that changed nothing in these tables (a reload).
     *
     * @param audit the record
     * @throws SQLException when the database refuses or does not answer
     */
    void record(AuditEntry audit) throws SQLException {
        try (Connection connection = connection()) {
            insertAudit(connection, audit);
        }
    }

    /**
     * The newest admin writes.
     *
     * @param limit  the most entries
     * @param before only entries older than this position, or {@code null}
     * @return the entries, newest first
     * @throws SQLException when the database does not answer
     */
    List<AuditEntry> audit(int limit, Long before) throws SQLException {
        try (Connection connection = connection();
             PreparedStatement select = connection.prepareStatement("SELECT seq, ts, action, target, client_ip FROM "
                     + AUDIT_TABLE + (before == null ? "" : " WHERE seq < ?") + " ORDER BY seq DESC LIMIT ?")) {
            select.setQueryTimeout(10);
            int i = 1;
            if (before != null) {
                select.setLong(i++, before);
            }
            select.setInt(i, limit);
            List<AuditEntry> entries = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    entries.add(new AuditEntry(rows.getLong(1), Instant.ofEpochMilli(rows.getLong(2)),
                            rows.getString(3), rows.getString(4), rows.getString(5)));
                }
            }
            return entries;
        }
    }

    /** A write's body inside the transaction: answers whether it changed something. */
    @FunctionalInterface
    private interface Work {
        boolean run(Connection connection) throws SQLException;
    }

    /** What a failed write means after the fact, e.g. "the name was taken meanwhile". */
    @FunctionalInterface
    private interface Recheck {
        boolean lost() throws SQLException;
    }

    /**
     * Runs a write, and when it changed something, bumps the version and records the audit entry, all
     * in one transaction. A write that failed because another replica won a race (the same name
     * inserted at once) answers {@code false} instead of failing.
     */
    private boolean write(Work work, AuditEntry audit, Recheck recheck) throws SQLException {
        try (Connection connection = connection()) {
            connection.setAutoCommit(false);
            try {
                boolean changed = work.run(connection);
                if (changed) {
                    try (PreparedStatement bump = connection.prepareStatement("UPDATE " + VERSION_TABLE
                            + " SET version = version + 1 WHERE id = 1")) {
                        bump.executeUpdate();
                    }
                    insertAudit(connection, audit);
                }
                connection.commit();
                return changed;
            } catch (SQLException e) {
                rollbackQuietly(connection);
                if (recheck.lost()) {
                    return false;
                }
                throw e;
            } catch (RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static void insertAudit(Connection connection, AuditEntry audit) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + AUDIT_TABLE
                + " (ts, action, target, client_ip) VALUES (?, ?, ?, ?)")) {
            insert.setLong(1, audit.time().toEpochMilli());
            insert.setString(2, audit.action());
            insert.setString(3, audit.target());
            insert.setString(4, audit.clientIp());
            insert.executeUpdate();
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is broken; the pool replaces it
        }
    }

    private static void bind(PreparedStatement statement, StoredKey stored) throws SQLException {
        ManagedVirtualKey key = stored.key();
        statement.setString(1, key.name());
        statement.setString(2, stored.valueHash());
        statement.setString(3, stored.previousHash());
        setLong(statement, 4, stored.previousHash() == null ? null : stored.previousUntil());
        JsonArrayBuilder models = JsonBodies.provider().createArrayBuilder();
        key.allowedModels().forEach(models::add);
        statement.setString(5, models.build().toString());
        setLong(statement, 6, key.requestLimit().map(ManagedVirtualKey.Limit::count).orElse(null));
        setLong(statement, 7, key.requestLimit().map(l -> l.per().toSeconds()).orElse(null));
        setLong(statement, 8, key.tokenLimit().map(ManagedVirtualKey.Limit::count).orElse(null));
        setLong(statement, 9, key.tokenLimit().map(l -> l.per().toSeconds()).orElse(null));
        statement.setString(10, key.budget().map(b -> b.usd().toPlainString()).orElse(null));
        statement.setString(11, key.budget().map(ManagedVirtualKey.Budget::period).orElse(null));
        statement.setInt(12, key.disabled() ? 1 : 0);
        setLong(statement, 13, key.expiresAt().map(Instant::toEpochMilli).orElse(null));
        statement.setLong(14, key.createdAt().toEpochMilli());
        statement.setLong(15, stored.updatedAt().toEpochMilli());
    }

    private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    private static StoredKey read(ResultSet rows) throws SQLException {
        ManagedVirtualKey.Builder key = ManagedVirtualKey.builder(rows.getString("name"));
        List<String> models = new ArrayList<>();
        for (JsonValue model : JsonBodies.provider().createReader(new java.io.StringReader(
                rows.getString("allowed_models"))).readArray()) {
            models.add(((JsonString) model).getString());
        }
        key.allowedModels(models);
        long requests = rows.getLong("request_limit");
        if (!rows.wasNull()) {
            key.requestLimit(new ManagedVirtualKey.Limit(requests,
                    Duration.ofSeconds(rows.getLong("request_per_seconds"))));
        }
        long tokens = rows.getLong("token_limit");
        if (!rows.wasNull()) {
            key.tokenLimit(new ManagedVirtualKey.Limit(tokens, Duration.ofSeconds(rows.getLong("token_per_seconds"))));
        }
        String usd = rows.getString("budget_usd");
        if (usd != null) {
            key.budget(new ManagedVirtualKey.Budget(new BigDecimal(usd), rows.getString("budget_period")));
        }
        key.disabled(rows.getInt("disabled") != 0);
        long expires = rows.getLong("expires_at");
        if (!rows.wasNull()) {
            key.expiresAt(Instant.ofEpochMilli(expires));
        }
        key.createdAt(Instant.ofEpochMilli(rows.getLong("created_at")));
        long previousUntil = rows.getLong("previous_until");
        return new StoredKey(key.build(), rows.getString("value_hash"), rows.getString("previous_hash"),
                rows.wasNull() ? 0 : previousUntil, Instant.ofEpochMilli(rows.getLong("updated_at")));
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
