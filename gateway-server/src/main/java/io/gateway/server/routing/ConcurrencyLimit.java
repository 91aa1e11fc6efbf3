package io.gateway.server.routing;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds in-flight upstream calls of one provider: at most {@code maxConcurrency} run, at most
 * {@code queueSize} more wait (fairly, for no longer than their deadline), and beyond that requests
 * are dropped at once with 429 {@code request_dropped}.
 */
public final class ConcurrencyLimit {

    /**
     * The heap one open stream holds, rounded up from the measurement (about 74 KB per open stream
     * through the gateway, live heap after a full GC at 1,000 and 3,000 streams with
     * bench/long-streams.sh; docs/performance.md), so that the default leaves room for everything else.
     */
    static final long HEAP_PER_STREAM = 96 * 1024;
    /** Heap kept for everything but streams: start-up state, request bodies, buffers. */
    static final long HEAP_RESERVE = 32L * 1024 * 1024;

    /**
     * {@code max-concurrency} when a provider does not set it: as many calls as this node's heap holds
     * streams ({@link #defaultMaxConcurrency(long)} of the JVM's maximum heap). About 2,300 with the
     * launcher's {@code -Xmx256m}.
     */
    public static final int DEFAULT_MAX_CONCURRENCY = defaultMaxConcurrency(Runtime.getRuntime().maxMemory());

    private final Semaphore permits;
    private final AtomicInteger waiting = new AtomicInteger();
    private final int maxConcurrency;
    private final int queueSize;
    private final String provider;

    /**
     * A limit.
     *
     * @param provider       provider name, for messages
     * @param maxConcurrency calls in flight
     * @param queueSize      calls waiting
     */
    public ConcurrencyLimit(String provider, int maxConcurrency, int queueSize) {
        this.provider = provider;
        this.maxConcurrency = maxConcurrency;
        this.queueSize = queueSize;
        this.permits = new Semaphore(maxConcurrency, true);
    }

    /**
     * Takes a permit, waiting in the queue up to {@code maxWait}.
     *
     * @param maxWait the longest wait
     * @throws GatewayException 429 when the queue is full, 504 when the wait ran out
     */
    public void acquire(Duration maxWait) {
        if (permits.tryAcquire()) {
            return;
        }
        if (waiting.incrementAndGet() > queueSize) {
            waiting.decrementAndGet();
            throw GatewayException.of(ErrorCode.REQUEST_DROPPED, "provider '" + provider + "' has "
                    + maxConcurrency + " calls in flight and " + queueSize + " waiting; the request was dropped, "
                    + "retry later or raise max-concurrency / queue-size");
        }
        try {
            if (!permits.tryAcquire(Math.max(0, maxWait.toNanos()), TimeUnit.NANOSECONDS)) {
                throw GatewayException.of(ErrorCode.TIMEOUT, "the request waited " + maxWait.toMillis()
                        + " ms for one of provider '" + provider + "''s " + maxConcurrency + " call slots");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GatewayException.of(ErrorCode.TIMEOUT, "the request was interrupted while waiting for a call slot");
        } finally {
            waiting.decrementAndGet();
        }
    }

    /**
     * The default in-flight bound for a heap: what is left after {@link #HEAP_RESERVE}, over
     * {@link #HEAP_PER_STREAM}, rounded down to hundreds, at least 100. A stream holds its slot (and its
     * heap) until it ends, and a node that runs out of heap exits ({@code -XX:+ExitOnOutOfMemoryError}),
     * taking every stream with it; measured: with {@code -Xmx256m} 3,000 open streams used 91 % of the
     * heap and 4,000 ended in an OutOfMemoryError. A bound the heap holds refuses or queues the excess
     * instead.
     *
     * @param maxHeapBytes the JVM's maximum heap
     * @return the bound
     */
    static int defaultMaxConcurrency(long maxHeapBytes) {
        long streams = Math.max(0, maxHeapBytes - HEAP_RESERVE) / HEAP_PER_STREAM;
        return (int) Math.min(1_000_000, Math.max(100, streams / 100 * 100));
    }

    /** Returns a permit. */
    public void release() {
        permits.release();
    }

    /**
     * Calls in flight now.
     *
     * @return the count
     */
    public int inFlight() {
        return maxConcurrency - permits.availablePermits();
    }
}
