package io.gateway.server.logs;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.LongAdder;

/**
 * Moves request records from a bounded queue into the store, off the requests' threads: one platform
 * thread collects records until it has a full batch ({@value #BATCH}, or {@value #BODY_BATCH} when
 * bodies are captured, and never more than the queue's size) or the oldest has waited
 * {@link #FLUSH_INTERVAL}, turns them into entries
 * (masking and cutting bodies) and inserts them in one transaction. Requests only ever {@link #offer} a
 * record, which never blocks: when the queue is full the record is dropped and counted.
 *
 * <p>The wait is what keeps the log cheap on a busy node: a SQLite commit writes every page the
 * transaction touched to the write-ahead log, so committing each handful of records as it arrived cost
 * about 34 µs of CPU per entry at 17,000 requests a second, and batches of a thousand cost about 7 µs
 * (docs/performance.md, finding 22). An entry shows in the console at most that interval later.
 *
 * <p>When the database cannot be reached (at start-up or later), the writer keeps the batch in hand
 * and tries again with a growing pause (up to 5 s) until it can; meanwhile the queue fills and further
 * records are dropped, so an outage costs bounded memory and never a request, and writing resumes by
 * itself. A batch the database refuses while it is reachable (a bad row) is dropped and counted, so it
 * cannot stop the log. Entries older than the retention are deleted by the same thread, in chunks,
 * every ten minutes.
 *
 * <p>Thread-safe: {@link #offer} from any thread; everything else runs on the writer thread.
 */
final class LogWriter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("gateway.logs");

    /** Records inserted in one transaction at most. */
    static final int BATCH = 1024;
    /** Records inserted in one transaction at most when bodies are captured (each up to two bodies). */
    static final int BODY_BATCH = 128;
    /** How long the first record of a batch waits for more before the batch is written. */
    static final Duration FLUSH_INTERVAL = Duration.ofMillis(100);
    /** The writer looks at the queue this often while a batch fills. */
    private static final long FILL_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Rows deleted per statement by the retention. */
    static final int DELETE_CHUNK = 5_000;
    private static final Duration MAX_PAUSE = Duration.ofSeconds(5);
    private static final Duration RETENTION_EVERY = Duration.ofMinutes(10);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final LogStore store;
    private final LogSettings settings;
    private final Redactor redactor;
    private final Clock clock;
    private final ArrayBlockingQueue<LogRecord> queue;
    private final Thread thread;
    private final int batch;
    private final LongAdder droppedFull = new LongAdder();
    private final LongAdder droppedFailed = new LongAdder();
    private final LongAdder written = new LongAdder();
    private volatile boolean closing;
    private volatile String problem;
    private long nextRetention;

    LogWriter(LogStore store, LogSettings settings, Redactor redactor, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.redactor = redactor;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(settings.queueSize());
        // never more in hand than the queue holds, so memory stays within twice queue-size entries
        this.batch = Math.min(settings.queueSize(), settings.captureBodies() ? BODY_BATCH : BATCH);
        this.thread = new Thread(this::run, "gateway-log-writer");
        this.thread.setDaemon(true);
    }

    /** Starts the writer thread. */
    void start() {
        thread.start();
    }

    /**
     * Queues a record; drops and counts it when the queue is full or the log is closing.
     *
     * @param record the finished record
     */
    void offer(LogRecord record) {
        if (closing || !queue.offer(record)) {
            droppedFull.increment();
        }
    }

    /**
     * Records dropped because the queue was full.
     *
     * @return the count since start
     */
    long droppedQueueFull() {
        return droppedFull.sum();
    }

    /**
     * Records dropped because the database refused them, or still queued when the gateway stopped.
     *
     * @return the count since start
     */
    long droppedWriteFailed() {
        return droppedFailed.sum();
    }

    /**
     * Entries written.
     *
     * @return the count since start
     */
    long written() {
        return written.sum();
    }

    /**
     * Records waiting.
     *
     * @return the queue's length
     */
    int queued() {
        return queue.size();
    }

    /**
     * Why the store cannot be used right now, for the admin API's answer.
     *
     * @return the reason, or {@code null} while it works
     */
    String problem() {
        return problem;
    }

    private void run() {
        long pause = 250;
        List<LogRecord> records = new ArrayList<>(batch);
        List<LogEntry> pending = null;
        long closeBy = Long.MAX_VALUE;
        while (true) {
            if (closing && closeBy == Long.MAX_VALUE) {
                closeBy = System.nanoTime() + CLOSE_WAIT.toNanos();
            }
            if (closing && (pending == null && queue.isEmpty() || System.nanoTime() > closeBy)) {
                break;
            }
            if (!store.ready()) {
                if (closing) {
                    break;
                }
                if (!open()) {
                    pause = sleep(pause);
                    continue;
                }
                pause = 250;
            }
            if (pending == null) {
                LogRecord first;
                try {
                    first = closing ? queue.poll() : queue.poll(500, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (first == null) {
                    retention();
                    continue;
                }
                records.clear();
                records.add(first);
                fill(records);
                pending = entries(records);
                records.clear();
                if (pending.isEmpty()) {
                    pending = null;
                    continue;
                }
            }
            try {
                // while the queue is short the writer yields to the requests between chunks; when it
                // fills (a saturated node), it writes at full speed rather than drop entries
                store.insert(pending, queue.size() < settings.queueSize() / 4);
                written.add(pending.size());
                pending = null;
                pause = 250;
                if (problem != null) {
                    LOG.log(System.Logger.Level.INFO, "request log: writing to " + settings.describe() + " again");
                    problem = null;
                }
            } catch (SQLException | RuntimeException e) {
                if (!connectionFailure(e) && store.reachable()) {
                    droppedFailed.add(pending.size());
                    LOG.log(System.Logger.Level.WARNING, "request log: " + pending.size() + " entries were not "
                            + "written and are dropped: " + message(e));
                    pending = null;
                } else {
                    if (problem == null) {
                        LOG.log(System.Logger.Level.WARNING, "request log: " + settings.describe() + " is not "
                                + "reachable (" + message(e) + "); requests go on, entries beyond the queue ("
                                + settings.queueSize() + ") are dropped and counted in gateway_logs_dropped_total "
                                + "until it is back");
                    }
                    problem = "the request log database is not reachable: " + message(e);
                    pause = sleep(pause);
                }
            }
            retention();
        }
        int left = queue.size() + (pending == null ? 0 : pending.size());
        if (left > 0) {
            droppedFailed.add(left);
            queue.clear();
            LOG.log(System.Logger.Level.WARNING, "request log: " + left + " entries were not written before the "
                    + "gateway stopped");
        }
    }

    /**
     * Adds queued records to a batch until it is full, the flush interval since its first record has
     * passed, or the log is closing.
     */
    private void fill(List<LogRecord> records) {
        long flushBy = System.nanoTime() + FLUSH_INTERVAL.toNanos();
        queue.drainTo(records, batch - records.size());
        while (records.size() < batch && !closing) {
            long left = flushBy - System.nanoTime();
            if (left <= 0) {
                break;
            }
            LockSupport.parkNanos(Math.min(left, FILL_STEP_NANOS));
            queue.drainTo(records, batch - records.size());
        }
    }

    private boolean open() {
        try {
            String version = store.open();
            LOG.log(System.Logger.Level.INFO, "request log: " + settings.describe() + " (schema version " + version
                    + (settings.captureBodies() ? ", bodies captured up to " + settings.maxBodyBytes() + " bytes" : "")
                    + (settings.retention().isZero() ? ", kept forever" : ", kept "
                    + settings.retention().toDays() + " days" + (settings.retention().toDays() == 0
                    ? " (" + settings.retention() + ")" : "")) + ")");
            problem = null;
            nextRetention = 0;
            return true;
        } catch (SQLException | RuntimeException e) {
            if (problem == null) {
                LOG.log(System.Logger.Level.WARNING, "request log: cannot open " + settings.describe() + ": "
                        + message(e) + "; requests go on, entries are dropped until it works (retrying)");
            }
            problem = "the request log database is not available: " + message(e);
            return false;
        }
    }

    private List<LogEntry> entries(List<LogRecord> batch) {
        List<LogEntry> result = new ArrayList<>(batch.size());
        for (LogRecord record : batch) {
            try {
                result.add(record.entry(redactor, settings.maxBodyBytes()));
            } catch (RuntimeException e) {
                droppedFailed.increment();
                LOG.log(System.Logger.Level.WARNING, "request log: an entry could not be built and is dropped", e);
            }
        }
        return result;
    }

    /** Deletes entries past the retention, at most every ten minutes, a chunk at a time. */
    private void retention() {
        if (settings.retention().isZero() || closing) {
            return;
        }
        long now = clock.millis();
        if (now < nextRetention) {
            return;
        }
        nextRetention = now + RETENTION_EVERY.toMillis();
        long before = now - settings.retention().toMillis();
        long total = 0;
        try {
            // a bounded pass: the queue must not wait long; the rest goes at the next pass
            for (int round = 0; round < 40; round++) {
                int deleted = store.deleteBefore(before, DELETE_CHUNK);
                total += deleted;
                if (deleted < DELETE_CHUNK || queue.remainingCapacity() < queue.size()) {
                    break;
                }
            }
            if (total > 0) {
                LOG.log(System.Logger.Level.DEBUG, "request log: deleted " + total + " entries older than "
                        + java.time.Instant.ofEpochMilli(before));
            }
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "request log: deleting old entries failed: " + message(e)
                    + "; trying again in 10 minutes");
        }
    }

    /** Pauses (cut short by closing) and answers the next, longer pause. */
    private long sleep(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!closing && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Math.min(millis * 2, MAX_PAUSE.toMillis());
    }

    /**
     * Whether a failure says the database could not be reached (SQL state class 08, or the driver's and
     * the pool's connection exceptions), as opposed to a refusal of what was sent.
     */
    static boolean connectionFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof java.sql.SQLTransientConnectionException
                    || cause instanceof java.sql.SQLNonTransientConnectionException
                    || cause instanceof java.sql.SQLRecoverableException
                    || cause instanceof java.net.ConnectException
                    || cause instanceof java.net.SocketException
                    || cause instanceof SQLException sql && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    /** The first line of a failure's message, with the first line of its root cause when that adds to it. */
    static String message(Throwable e) {
        String top = firstLine(e.getMessage());
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = firstLine(root.getMessage());
        if (root == e || reason == null || top != null && top.contains(reason)) {
            return top != null ? top : e.getClass().getSimpleName();
        }
        return top == null ? reason : top + ": " + reason;
    }

    private static String firstLine(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String trimmed = text.strip();
        int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
    }

    /** Stops taking records, writes what is queued (for up to 5 s), and stops the thread. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(CLOSE_WAIT.toMillis() + 7_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
