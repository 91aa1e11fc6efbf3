package io.gateway.server.http;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes connections whose request head does not arrive in time (slowloris): once a request line has
 * been read, its header block must follow within {@code server.request-head-timeout}.
 *
 * <p>Helidon reads each connection on its own virtual thread and tells this listener when the request
 * line and when the headers were read, on that thread. A watchdog interrupts the thread of a request
 * whose headers are late; interrupting a virtual thread blocked reading a socket closes the socket,
 * which ends the connection. A connection that has not sent a complete request line at all is
 * Helidon's idle-connection check's to close ({@code server.idle-connection-timeout}).
 */
public final class RequestHeadGuard implements Http1ConnectionListener, AutoCloseable {

    private static final System.Logger LOG = System.getLogger("gateway.http");

    private final long timeoutNanos;
    private final Map<Thread, Long> reading = new ConcurrentHashMap<>();
    private final AtomicLong closed = new AtomicLong();
    private final Thread watchdog;
    private volatile boolean running = true;

    /**
     * Starts the guard.
     *
     * @param timeout how long a request's header block may take after its request line
     */
    public RequestHeadGuard(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        long tick = Math.max(20, Math.min(1000, timeout.toMillis() / 10));
        this.watchdog = Thread.ofPlatform().daemon().name("gateway-request-head-guard")
                .start(() -> watch(tick));
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        reading.put(Thread.currentThread(), System.nanoTime());
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        reading.remove(Thread.currentThread());
    }

    private void watch(long tickMillis) {
        while (running) {
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Iterator<Map.Entry<Thread, Long>> it = reading.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Thread, Long> entry = it.next();
                Thread thread = entry.getKey();
                if (!thread.isAlive()) {
                    it.remove();
                } else if (now - entry.getValue() > timeoutNanos) {
                    it.remove();
                    closed.incrementAndGet();
                    LOG.log(System.Logger.Level.DEBUG, "closing a connection whose request headers did not arrive "
                            + "within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                    thread.interrupt();
                }
            }
        }
    }

    /**
     * Connections closed because their headers were late.
     *
     * @return the count since start
     */
    public long closedConnections() {
        return closed.get();
    }

    @Override
    public void close() {
        running = false;
        watchdog.interrupt();
    }
}
