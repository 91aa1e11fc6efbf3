package io.gateway.server.logs;

import io.gateway.server.config.ConfigNode;
import io.gateway.server.config.ReadTracker;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import java.net.SocketAddress;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * The request log: every request that reaches an inference route becomes one entry in a database
 * (SQLite by default, PostgreSQL for clusters), for the admin API and the web console. The HTTP layer
 * {@link #begin begins} a {@link LogRecord} per request and finishes it; a bounded queue and a writer
 * thread ({@link LogWriter}) take it from there, so recording never blocks or fails a request. The
 * admin API reads through {@link #page}, {@link #find} and {@link #stats}.
 *
 * <p>Created once by the server at start-up and closed at shutdown; thread-safe.
 */
public final class RequestLog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("gateway.logs");

    private static final RequestLog OFF = new RequestLog(LogSettings.OFF, null, null);

    /**
     * The pool and the migrations log through SLF4J (to java.util.logging); their routine INFO lines say
     * nothing an operator needs, the request log says what it opened in one line of its own. Held here,
     * since java.util.logging keeps loggers weakly and would forget the level.
     */
    private static final List<java.util.logging.Logger> QUIET = java.util.stream.Stream.of("com.zaxxer.hikari",
            "org.flywaydb").map(java.util.logging.Logger::getLogger).toList();

    static {
        for (java.util.logging.Logger logger : QUIET) {
            logger.setLevel(java.util.logging.Level.WARNING);
        }
    }

    private final LogSettings settings;
    private final LogStore store;
    private final LogWriter writer;

    private RequestLog(LogSettings settings, LogStore store, LogWriter writer) {
        this.settings = settings;
        this.store = store;
        this.writer = writer;
    }

    /**
     * The log that records nothing.
     *
     * @return the off switch
     */
    public static RequestLog off() {
        return OFF;
    }

    /**
     * Starts the log: the writer thread opens the store in the background (so a database that is down
     * does not stop the gateway) and retries until it can.
     *
     * @param settings {@code gateway.logs}
     * @param config   the configuration tree, whose secrets are masked in what is stored
     * @param tracker  which keys were read as secrets (read it after every plugin started)
     * @param clock    the clock of the retention
     * @return the running log, or {@link #off()} for {@code store: none}
     */
    public static RequestLog start(LogSettings settings, ConfigNode.ObjectNode config, ReadTracker tracker,
                                   Clock clock) {
        if (!settings.enabled()) {
            return OFF;
        }
        Set<String> secrets = ConfigSecrets.collect(config, tracker);
        LogStore store = new LogStore(settings, LogJson.detail());
        LogWriter writer = new LogWriter(store, settings, new Redactor(secrets), clock);
        writer.start();
        return new RequestLog(settings, store, writer);
    }

    /**
     * Whether requests are recorded.
     *
     * @return {@code false} for {@code store: none}
     */
    public boolean enabled() {
        return writer != null;
    }

    /**
     * The settings.
     *
     * @return {@code gateway.logs}
     */
    public LogSettings settings() {
        return settings;
    }

    /**
     * Begins the record of a request, on its thread.
     *
     * @param requestId        the request id
     * @param receivedAtMillis when it arrived, epoch milliseconds
     * @param startedNanos     when it arrived, {@link System#nanoTime()}
     * @param operation        the route's operation
     * @param client           the client's address, or {@code null}
     * @param userAgent        the client's {@code User-Agent}, or {@code null}
     * @return the record to fill and finish, or {@code null} when the log is off
     */
    public LogRecord begin(String requestId, long receivedAtMillis, long startedNanos, Operation operation,
                           SocketAddress client, String userAgent) {
        if (writer == null) {
            return null;
        }
        return new LogRecord(this, requestId, receivedAtMillis, startedNanos, operation, client, userAgent);
    }

    void enqueue(LogRecord record) {
        writer.offer(record);
    }

    /**
     * One page of entries, newest first.
     *
     * @param query the filters
     * @return the page
     * @throws GatewayException 404 when the log is off, 503 when its database is not available
     */
    public LogPage page(LogQuery query) {
        LogStore open = open();
        try {
            return open.page(query);
        } catch (SQLException | RuntimeException e) {
            throw unavailable(e);
        }
    }

    /**
     * The newest entry with a request id, with attempts and bodies.
     *
     * @param id the request id
     * @return the entry
     * @throws GatewayException 404 when there is none or the log is off, 503 when its database is not
     *                          available
     */
    public LogEntry find(String id) {
        LogStore open = open();
        try {
            return open.find(id).orElseThrow(() -> GatewayException.of(ErrorCode.NOT_FOUND, "no request "
                    + (id.length() > 100 ? id.substring(0, 100) + "…" : id) + " in the request log (entries are kept "
                    + (settings.retention().isZero() ? "forever" : "for " + settings.retention().toDays() + " days")
                    + ")"));
        } catch (SQLException | RuntimeException e) {
            if (e instanceof GatewayException gateway) {
                throw gateway;
            }
            throw unavailable(e);
        }
    }

    /**
     * Totals per group over a period.
     *
     * @param query the grouping and the period
     * @return the rows
     * @throws GatewayException 404 when the log is off, 503 when its database is not available
     */
    public List<StatsRow> stats(StatsQuery query) {
        LogStore open = open();
        try {
            return open.stats(query);
        } catch (SQLException | RuntimeException e) {
            throw unavailable(e);
        }
    }

    private LogStore open() {
        if (store == null) {
            throw GatewayException.of(ErrorCode.NOT_FOUND, "the request log is off; set gateway.logs.store to sqlite "
                    + "or postgres to record requests (docs/configuration.md)");
        }
        if (!store.ready()) {
            String problem = writer.problem();
            throw GatewayException.of(ErrorCode.STORE_UNAVAILABLE, problem != null ? problem
                    : "the request log is still opening " + settings.describe() + "; try again in a moment");
        }
        return store;
    }

    private GatewayException unavailable(Exception e) {
        LOG.log(System.Logger.Level.WARNING, "request log: a query failed: " + LogWriter.message(e));
        return GatewayException.of(ErrorCode.STORE_UNAVAILABLE, "the request log database did not answer: "
                + LogWriter.message(e));
    }

    /**
     * Records dropped because the queue was full (the database slow or down).
     *
     * @return the count since start
     */
    public long droppedQueueFull() {
        return writer == null ? 0 : writer.droppedQueueFull();
    }

    /**
     * Records dropped because the database refused them, or still queued when the gateway stopped.
     *
     * @return the count since start
     */
    public long droppedWriteFailed() {
        return writer == null ? 0 : writer.droppedWriteFailed();
    }

    /**
     * Entries written.
     *
     * @return the count since start
     */
    public long written() {
        return writer == null ? 0 : writer.written();
    }

    /**
     * Records waiting for the writer.
     *
     * @return the queue's length
     */
    public int queued() {
        return writer == null ? 0 : writer.queued();
    }

    /**
     * Whether the store is open (schema migrated), for tests and health.
     *
     * @return {@code true} once entries can be written and read
     */
    public boolean ready() {
        return store != null && store.ready();
    }

    /** Writes what is queued (for a few seconds at most), then closes the pool. */
    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
