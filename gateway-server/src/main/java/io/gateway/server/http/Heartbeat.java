package io.gateway.server.http;

import io.gateway.spi.EventStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Writes a stream's frames and, while the provider is silent, an SSE comment once a second.
 *
 * <p>A relay only learns that its client left when a write fails, and during a long gap between
 * events it would write nothing; the comment turns a vanished client into a failed write within a
 * couple of seconds, which closes the upstream stream and frees its slot. Comments are part of the
 * SSE format and ignored by clients. Writes from the relay and the heartbeat are serialized.
 */
final class Heartbeat {

    private static final byte[] COMMENT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final OutputStream out;
    private final EventStream events;
    private final Thread thread;
    private volatile long lastWrite = System.nanoTime();
    private volatile boolean stopped;
    private volatile boolean clientGone;

    Heartbeat(OutputStream out, EventStream events) {
        this.out = out;
        this.events = events;
        this.thread = Thread.ofVirtual().name("sse-heartbeat").start(this::run);
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(INTERVAL_NANOS)));
            } catch (InterruptedException e) {
                return;
            }
            if (stopped || System.nanoTime() - lastWrite < INTERVAL_NANOS) {
                continue;
            }
            try {
                write(COMMENT);
            } catch (IOException | UncheckedIOException e) {
                clientGone = true;
                stopped = true;
                events.close(); // cancels the upstream call the relay is waiting on
                return;
            }
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
            thread.interrupt();
        }
    }
}
