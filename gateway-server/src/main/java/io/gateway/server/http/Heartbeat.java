package io.gateway.server.http;

import io.gateway.spi.EventStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes a stream's frames and, while the provider is silent, an SSE comment about once a second.
 *
 * <p>A relay only learns that its client left when a write fails, and during a long gap between
 * events it would write nothing; the comment turns a vanished client into a failed write within a
 * couple of seconds, which closes the upstream stream and frees its slot. Comments are part of the
 * SSE format and ignored by clients. Writes from the relay and the heartbeat are serialized.
 *
 * <p>One shared platform thread ("sse-heartbeats") looks at every open stream every
 * {@value #TICK_MILLIS} ms and starts a short-lived virtual thread to write the comment for each stream
 * that has been silent for a second or more; streams that send events get no thread and no timer of
 * their own. (A thread per stream sleeping a second at a time cost every stream a parked virtual
 * thread and its stack, and the machine one wake-up per stream per second.) The shared thread never
 * writes itself, so a slow client cannot hold up the others' heartbeats.
 */
final class Heartbeat {

    private static final byte[] COMMENT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long TICK_MILLIS = 250;

    /** The streams being relayed; the ticker's only view of them. */
    private static final Set<Heartbeat> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean TICKER_STARTED = new AtomicBoolean();

    private final OutputStream out;
    private final EventStream events;
    /** Set while a comment is being written, so the ticker starts at most one writer per stream. */
    private final AtomicBoolean beating = new AtomicBoolean();
    private volatile long lastWrite = System.nanoTime();
    private volatile boolean stopped;
    private volatile boolean clientGone;

    Heartbeat(OutputStream out, EventStream events) {
        this.out = out;
        this.events = events;
        OPEN.add(this);
        if (!TICKER_STARTED.get() && TICKER_STARTED.compareAndSet(false, true)) {
            Thread ticker = new Thread(Heartbeat::tick, "sse-heartbeats");
            ticker.setDaemon(true);
            ticker.start();
        }
    }

    private static void tick() {
        while (true) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Heartbeat heartbeat : OPEN) {
                if (!heartbeat.stopped && now - heartbeat.lastWrite >= INTERVAL_NANOS
                        && heartbeat.beating.compareAndSet(false, true)) {
                    Thread.ofVirtual().name("sse-heartbeat").start(heartbeat::beat);
                }
            }
        }
    }

    /** Writes one comment unless the stream wrote meanwhile; runs on its own virtual thread. */
    private void beat() {
        try {
            if (stopped || System.nanoTime() - lastWrite < INTERVAL_NANOS) {
                return;
            }
            write(COMMENT);
        } catch (IOException | UncheckedIOException e) {
            clientGone = true;
            stop();
            events.close(); // cancels the upstream call the relay is waiting on
        } finally {
            beating.set(false);
        }
    }

    /**
     * Writes and flushes one frame.
     *
     * @param frame the bytes
     * @throws IOException when the client is gone
     */
    void write(byte[] frame) throws IOException {
        synchronized (this) {
            try {
                out.write(frame);
                out.flush();
            } catch (RuntimeException e) {
                // Helidon 4.5 reports a write to a closed connection as SocketWriterException (unchecked)
                throw new IOException("the client connection is closed", e);
            }
            lastWrite = System.nanoTime();
        }
    }

    /** Whether a heartbeat found the client gone. */
    boolean clientGone() {
        return clientGone;
    }

    /** Stops the heartbeat; idempotent. */
    void stop() {
        if (!stopped) {
            stopped = true;
            OPEN.remove(this);
        }
    }

    /** Streams whose heartbeat is running, for tests. */
    static int open() {
        return OPEN.size();
    }
}
