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
