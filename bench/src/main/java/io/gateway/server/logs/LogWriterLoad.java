package io.gateway.server.logs;

import io.gateway.server.config.ConfigNode;
import io.gateway.server.config.ReadTracker;
import io.gateway.server.core.ServerOutcome;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.Secret;
import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.RoutingAttempt;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The request log's writer under a steady load, without the rest of the gateway: records like a served
 * chat request's (one attempt, usage, a cost, bodies off) are offered at a fixed rate from virtual
 * threads, as the HTTP layer does, into a SQLite store in a new folder; what it prints is the CPU the
 * writer thread spent per entry written, the entries written and dropped, and the file's size.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.gateway.server.logs.LogWriterLoad [rate/s] [seconds]</pre>
 *
 * <p>The database is deleted at the end unless {@code -Dkeep=true}.
 */
public final class LogWriterLoad {

    private LogWriterLoad() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 17_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path folder = Files.createTempDirectory("log-writer-load");
        LogSettings settings = new LogSettings(LogSettings.Store.SQLITE, folder.resolve("gateway.db"), null, null,
                Secret.empty(), false, 65536, Duration.ofDays(30), 10_000, 2);
        try (RequestLog log = RequestLog.start(settings, new ConfigNode.ObjectNode(Map.of()), new ReadTracker(),
                Clock.systemUTC())) {
            while (!log.ready()) {
                Thread.sleep(10);
            }
            // warm-up: a quarter of the time, not counted
            offer(log, rate, Math.max(2, seconds / 4));
            await(log);
            long writtenBefore = log.written();
            long droppedBefore = log.droppedQueueFull() + log.droppedWriteFailed();
            long writerBefore = writerCpu();
            long processBefore = processCpu();
            offer(log, rate, seconds);
            await(log);
            long written = log.written() - writtenBefore;
            long dropped = log.droppedQueueFull() + log.droppedWriteFailed() - droppedBefore;
            long writerNanos = writerCpu() - writerBefore;

            long processNanos = processCpu() - processBefore;
            System.out.printf("rate %d/s for %d s: written %d, dropped %d; writer thread CPU %.2f µs per entry "
                            + "(%.1f %% of a core); process CPU %.2f µs per entry%n", rate, seconds, written, dropped,
                    writerNanos / 1000.0 / Math.max(1, written), writerNanos * 100.0 / TimeUnit.SECONDS.toNanos(seconds),
                    processNanos / 1000.0 / Math.max(1, written));
        }
        long bytes = 0;
        try (var files = Files.list(folder)) {
            for (Path file : files.toList()) {
                bytes += Files.size(file);
            }
        }
        System.out.printf("database files: %.1f MB%n", bytes / 1e6);
        if (!Boolean.getBoolean("keep")) {
            try (var files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(folder);
        } else {
            System.out.println("kept: " + folder);
        }
    }

    private static void offer(RequestLog log, int rate, int seconds) throws InterruptedException {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40_000);
        // one virtual thread per 1 ms slice, as requests would finish on their own virtual threads
        for (long sent = 0; sent < total; ) {
            long due = start + sent * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            long now = System.nanoTime();
            long upTo = Math.min(total, (now - start) / interval + 1);
            int count = (int) (upTo - sent);
            sent = upTo;
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < count; i++) {
                    record(log, client);
                }
            });
        }
    }

    private static void record(RequestLog log, InetSocketAddress client) {
        long now = System.currentTimeMillis();
        LogRecord record = log.begin(uuid7(now), now, System.nanoTime(), Operation.CHAT_COMPLETION, client,
                "OpenAI/Python 1.54.0");
        ServerOutcome outcome = new ServerOutcome();
        outcome.requested(new ModelRef("openai", "gpt-4o-mini"));
        outcome.attempt(new RoutingAttempt("openai", "gpt-4o-mini", "primary", 200, 2, 0));
        outcome.usage(TokenUsage.builder().inputTokens(12).outputTokens(9).totalTokens(21).build());
        outcome.cost(new BigDecimal("0.0000072"));
        record.finish(200, false, TimeUnit.MILLISECONDS.toNanos(3), null, outcome);
    }

    private static String uuid7(long millis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = millis << 16 | 0x7000L | random.nextInt(0x1000);
        long low = random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static void await(RequestLog log) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (log.queued() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(200);
    }

    private static long writerCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("gateway-log-writer")) {
                return threads.getThreadCpuTime(thread.threadId());
            }
        }
        throw new IllegalStateException("no writer thread");
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
