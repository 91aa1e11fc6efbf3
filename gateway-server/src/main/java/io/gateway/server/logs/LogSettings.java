package io.gateway.server.logs;

import io.gateway.server.config.ConfigBlock;
import com.zaxxer.hikari.HikariConfig;
import io.gateway.spi.Secret;
import java.nio.file.Files;
import java.sql.SQLException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * The {@code gateway.logs} block: where the request log is stored, whether bodies are captured, and
 * how long entries are kept. Immutable.
 *
 * @param store         the back end
 * @param sqlitePath    the SQLite file (absolute), or {@code null} for another back end
 * @param url           the PostgreSQL JDBC URL, or {@code null} for another back end
 * @param username      the PostgreSQL user, or {@code null}
 * @param password      the PostgreSQL password (empty when none), never {@code null}
 * @param captureBodies whether request and answer bodies are stored
 * @param maxBodyBytes  the most bytes of each body stored
 * @param retention     how long entries are kept; {@link Duration#ZERO} keeps them forever
 * @param queueSize     entries waiting for the writer before new ones are dropped
 * @param poolSize      connections of the pool (the writer's one and the admin API's)
 */
public record LogSettings(Store store, Path sqlitePath, String url, String username, Secret password,
                          boolean captureBodies, int maxBodyBytes, Duration retention, int queueSize,
                          int poolSize) {

    /** Where the request log goes. */
    public enum Store {
        /** An SQLite file under the gateway's home: the default, for one node. */
        SQLITE,
        /** A PostgreSQL database every replica writes to. */
        POSTGRES,
        /** No request log. */
        NONE
    }

    /** The default SQLite file, relative to the gateway's home. */
    public static final String DEFAULT_PATH = "data/gateway.db";

    /** The settings with the request log off. */
    public static final LogSettings OFF = new LogSettings(Store.NONE, null, null, null, Secret.empty(), false,
            64 * 1024, Duration.ZERO, 1, 1);

    /**
     * Reads {@code gateway.logs}.
     *
     * @param block the block, or {@code null} for the defaults (SQLite at {@value #DEFAULT_PATH})
     * @param files resolves a configured path against the gateway's home
     * @return the settings
     * @throws IllegalArgumentException naming the key, for a value that does not fit
     */
    public static LogSettings read(ConfigBlock block, Function<String, Path> files) {
        if (block == null) {
            return new LogSettings(Store.SQLITE, files.apply(DEFAULT_PATH), null, null, Secret.empty(), false,
                    64 * 1024, Duration.ofDays(30), 10_000, 4);
        }
        String kind = block.string("store", "sqlite").trim().toLowerCase(Locale.ROOT);
        Store store = switch (kind) {
            case "sqlite" -> Store.SQLITE;
            case "postgres", "postgresql" -> Store.POSTGRES;
            case "none", "off" -> Store.NONE;
            default -> throw block.invalid("store", "'" + kind + "' is not a log store; use sqlite, postgres or none");
        };
        boolean capture = block.bool("capture-bodies", false);
        long maxBody = block.size("max-body-bytes", 64 * 1024);
        if (maxBody < 0 || maxBody > 16L * 1024 * 1024) {
            throw block.invalid("max-body-bytes", "must be between 0 and 16MB, e.g. 64KB");
        }
        Duration retention = block.duration("retention", Duration.ofDays(30));
        if (retention.isNegative() || !retention.isZero() && retention.compareTo(Duration.ofMinutes(1)) < 0) {
            throw block.invalid("retention", "must be at least 1m, e.g. 30d (0 keeps entries forever)");
        }
        int queueSize = block.integer("queue-size", 10_000);
        if (queueSize < 1 || queueSize > 1_000_000) {
            throw block.invalid("queue-size", "must be between 1 and 1000000, e.g. 10000");
        }
        int poolSize = block.integer("pool-size", 4);
        if (poolSize < 2 || poolSize > 64) {
            throw block.invalid("pool-size", "must be between 2 and 64, e.g. 4");
        }
        String path = block.string("path", DEFAULT_PATH);
        String url = block.string("url").orElse(null);
        String username = block.string("username").orElse(null);
        Secret password = block.secret("password");
        switch (store) {
            case SQLITE -> {
                if (path.isBlank()) {
                    throw block.invalid("path", "must name a file, e.g. " + DEFAULT_PATH);
                }
                return new LogSettings(store, files.apply(path.trim()), null, null, Secret.empty(), capture,
                        (int) maxBody, retention, queueSize, poolSize);
            }
            case POSTGRES -> {
                if (url == null || url.isBlank()) {
                    throw block.invalid("url", "is required with store: postgres, e.g. "
                            + "jdbc:postgresql://db:5432/gateway");
                }
                if (!url.trim().startsWith("jdbc:postgresql:")) {
                    throw block.invalid("url", "must be a PostgreSQL JDBC URL starting with jdbc:postgresql:, e.g. "
                            + "jdbc:postgresql://db:5432/gateway");
                }
                return new LogSettings(store, null, url.trim(), username == null ? null : username.trim(), password,
                        capture, (int) maxBody, retention, queueSize, poolSize);
            }
            default -> {
                return OFF;
            }
        }
    }

    /**
     * Whether requests are logged at all.
     *
     * @return {@code false} for {@code store: none}
     */
    public boolean enabled() {
        return store != Store.NONE;
    }

    /**
     * Where the log goes, for log lines and messages: the SQLite file, or the PostgreSQL URL without
     * its query (which may hold a password).
     *
     * @return a description
     */
    public String describe() {
        return switch (store) {
            case SQLITE -> "sqlite " + sqlitePath;
            case POSTGRES -> "postgres " + (url.indexOf('?') < 0 ? url : url.substring(0, url.indexOf('?')));
            case NONE -> "none";
        };
    }

    /**
     * The connection pool's settings for this database, built without connecting (a database that is
     * down must not stop the gateway): the request log's pool and the managed keys' pool share them.
     *
     * @param poolName the pool's name, for its threads and log lines
     * @param size     the most connections
     * @return the settings
     * @throws SQLException when the SQLite file's folder cannot be created
     */
    public HikariConfig poolConfig(String poolName, int size) throws SQLException {
        if (store == Store.NONE) {
            throw new IllegalStateException("no database is configured");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName(poolName);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        // build the pool without connecting: a database that is down must not stop the gateway
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(5_000);
        config.setValidationTimeout(2_000);
        if (store == Store.SQLITE) {
            Path file = sqlitePath;
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
            } catch (java.io.IOException e) {
                throw new SQLException("cannot create the folder of " + file + ": " + e.getMessage(), e);
            }
            config.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
            // WAL: readers (the admin API) never wait for the writer; NORMAL sync is safe with WAL and
            // saves a disk flush per transaction; a writer briefly locked out waits instead of failing
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "NORMAL");
            config.addDataSourceProperty("busy_timeout", "5000");
            config.addDataSourceProperty("foreign_keys", "false");
        } else {
            config.setJdbcUrl(url);
            if (username != null) {
                config.setUsername(username);
            }
            if (!password.isEmpty()) {
                config.setPassword(password.reveal());
            }
            config.addDataSourceProperty("ApplicationName", "llm-gateway");
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            config.addDataSourceProperty("connectTimeout", "5");
            config.addDataSourceProperty("socketTimeout", "60");
        }
        return config;
    }
}
