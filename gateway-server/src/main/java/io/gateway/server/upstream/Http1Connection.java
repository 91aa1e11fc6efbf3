package io.gateway.server.upstream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One HTTP/1.1 connection to an upstream: a connected (possibly TLS) socket, a read buffer, and the
 * timeouts of the call that currently uses it. Used by one call at a time; {@link #close()} may come
 * from any thread and unblocks a read in progress.
 *
 * <p>Every socket read is bounded: by the call's deadline (non-streaming calls: no read can outlast
 * the deadline however the body trickles) or by the idle timeout (streams: the longest wait for the
 * next bytes); writes are bounded by the deadline too. The bound is not a socket
 * read timeout, which would make every read a timed park with a timer to schedule and cancel: each
 * read publishes when it expires, and one shared reaper thread closes a connection whose read or
 * write has expired, which ends that read or write with a {@link SocketTimeoutException}.
 *
 * <p>The reaper sleeps until the earliest expiry it saw (at most a second) rather than looking at
 * every open connection on a fixed tick: with thousands of long streams open, a 20 ms tick walked all
 * of them fifty times a second. A read or write whose expiry comes before the reaper's planned
 * wake-up wakes it early; that is rare, because a stream's idle timeout and a call's deadline lie
 * tens of seconds ahead.
 */
final class Http1Connection {

    private static final int STATE_IN_USE = 0;
    private static final int STATE_IDLE = 1;
    private static final int STATE_CLOSED = 2;

    final Http1UpstreamClient.Route route;
    /** The forward proxy a plain-http connection talks to (requests in absolute form), else null. */
    final UpstreamProxy.Server proxy;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /**
     * The read buffer: {@value #BUFFER_BYTES} bytes, grown once to {@value #MAX_BUFFER_BYTES} when a
     * status, header or chunk-size line needs it (every line must fit in the buffer). Kept small because
     * every open connection holds it, pooled ones and those under a long stream alike.
     */
    private byte[] buffer = new byte[BUFFER_BYTES];
    static final int BUFFER_BYTES = 4 * 1024;
    static final int MAX_BUFFER_BYTES = 16 * 1024;
    private int position;
    private int limit;
    private final AtomicInteger state = new AtomicInteger(STATE_IN_USE);
    /** Calls served on this connection; 0 while its first call runs. */
    int served;
    /** When it went back to the pool ({@link System#nanoTime()}). */
    long idleSince;

    /** Longest time the reaper sleeps between two looks at the open connections. */
    static final long REAPER_MAX_SLEEP_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Every open connection, for the reaper; idle ones have no expiry and are skipped. */
    private static final Set<Http1Connection> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean REAPER_STARTED = new AtomicBoolean();
    /** The reaper thread, once started. */
    private static volatile Thread reaper;
    /**
     * When the reaper looks next ({@link System#nanoTime()}). Published before and after each look,
     * so that a read or write that sets an earlier expiry either is seen by that look or sees a value
     * later than its expiry and unparks the reaper.
     */
    private static volatile long reaperWake;

    /** The TCP socket underneath (the same as {@link #socket} without TLS), closed to abort. */
    private final Socket raw;
    /** Absolute deadline ({@link System#nanoTime()}) or 0 when reads are bounded by {@link #idleNanos}. */
    private long deadlineNanos;
    private long idleNanos;
    /** When the read or write in progress expires ({@link System#nanoTime()}), 0 when none is. */
    private volatile long ioExpiresAt;
    private volatile boolean expired;

    Http1Connection(Http1UpstreamClient.Route route, Socket socket, Socket raw, UpstreamProxy.Server proxy)
            throws IOException {
        this.route = route;
        this.proxy = proxy;
        this.socket = socket;
        this.raw = raw;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        socket.setSoTimeout(0); // bounds come from the reaper (a TLS handshake ran with a timeout)
        OPEN.add(this);
        if (!REAPER_STARTED.get() && REAPER_STARTED.compareAndSet(false, true)) {
            Thread thread = new Thread(Http1Connection::reap, "upstream-timeouts");
            thread.setDaemon(true);
            reaper = thread; // before start: a read that sees null is seen by the first look
            thread.start();
        }
    }

    private static void reap() {
        while (!Thread.currentThread().isInterrupted()) {
            long now = System.nanoTime();
            long next = now + REAPER_MAX_SLEEP_NANOS;
            reaperWake = next;
            for (Http1Connection connection : OPEN) {
                long expiresAt = connection.ioExpiresAt;
                if (expiresAt == 0) {
                    continue;
                }
                if (now - expiresAt >= 0) {
                    connection.expired = true;
                    connection.close();
                } else if (expiresAt - next < 0) {
                    next = expiresAt;
                }
            }
            reaperWake = next;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    /** Publishes when the read or write about to start expires, waking the reaper if it would look too late. */
    private void expiresAt(long at) {
        ioExpiresAt = at == 0 ? 1 : at;
        if (at - reaperWake < 0) {
            Thread thread = reaper;
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        }
    }

    /** Bounds the reads of the next call: by a deadline, or by an idle timeout when deadline is 0. */
    void bound(long deadlineNanos, int idleMillis) {
        this.deadlineNanos = deadlineNanos;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, idleMillis));
    }

    /** A write, bounded by the call's deadline ({@link System#nanoTime()}) through the reaper. */
    void write(byte[] bytes, int offset, int length, long deadline) throws IOException {
        expiresAt(deadline);
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            throw expiredOr(e, "the upstream did not take the request before the deadline");
        } finally {
            ioExpiresAt = 0;
        }
    }

    /** The failure of a read or write: a timeout when the reaper ended it, else as it came. */
    private IOException expiredOr(IOException e, String timeoutMessage) {
        return expired ? new SocketTimeoutException(timeoutMessage) : e;
    }

    /** One socket read, bounded by the deadline or the idle timeout. */
    private int socketRead(byte[] target, int offset, int length) throws IOException {
        long expiresAt;
        if (deadlineNanos != 0) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            expiresAt = deadlineNanos;
        } else {
            expiresAt = System.nanoTime() + idleNanos;
        }
        expiresAt(expiresAt);
        try {
            return in.read(target, offset, length);
        } catch (IOException e) {
            throw expiredOr(e, "read timed out");
        } finally {
            ioExpiresAt = 0;
        }
    }

    /**
     * Reads more bytes into the buffer.
     *
     * @return false at the end of the stream
     */
    private boolean fill() throws IOException {
        if (position == limit) {
            position = 0;
            limit = 0;
        }
        int read = socketRead(buffer, limit, buffer.length - limit);
        if (read < 0) {
            return false;
        }
        limit += read;
        return true;
    }

    /** Bytes read from the socket and not yet consumed. */
    int buffered() {
        return limit - position;
    }

    /**
     * Reads a line ended by LF (a preceding CR is dropped) as ISO-8859-1 text, for the status line,
     * headers and chunk sizes.
     *
     * @param max the longest line accepted, at most {@link #MAX_BUFFER_BYTES} - 2
     * @return the line, or null if the stream ended before any byte of it
     * @throws EOFException if the stream ended inside the line
     * @throws LineTooLongException if the line is longer than {@code max}
     */
    String readLine(int max) throws IOException {
        int scanned = 0; // bytes after position known to hold no LF
        while (true) {
            for (int i = position + scanned; i < limit; i++) {
                if (buffer[i] == '\n') {
                    int end = i > position && buffer[i - 1] == '\r' ? i - 1 : i;
                    if (end - position > max) {
                        throw new LineTooLongException();
                    }
                    String text = new String(buffer, position, end - position, StandardCharsets.ISO_8859_1);
                    position = i + 1;
                    return text;
                }
            }
            scanned = limit - position;
            if (scanned > max + 1) {
                throw new LineTooLongException();
            }
            if (limit == buffer.length) {
                if (position == 0) {
                    if (buffer.length >= MAX_BUFFER_BYTES) {
                        throw new LineTooLongException();
                    }
                    buffer = Arrays.copyOf(buffer, MAX_BUFFER_BYTES);
                    continue; // scanned stays: the bytes up to limit hold no LF
                }
                System.arraycopy(buffer, position, buffer, 0, scanned);
                limit = scanned;
                position = 0;
            }
            if (!fill()) {
                if (limit == position) {
                    return null;
                }
                throw new EOFException("the stream ended inside a line");
            }
        }
    }

    /**
     * Reads up to {@code length} body bytes.
     *
     * @return bytes read, or -1 at the end of the stream
     */
    int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (position == limit) {
            // large reads bypass the buffer
            if (length >= buffer.length) {
                return socketRead(target, offset, length);
            }
            if (!fill()) {
                return -1;
            }
        }
        int count = Math.min(length, limit - position);
        System.arraycopy(buffer, position, target, offset, count);
        position += count;
        return count;
    }

    /** Reads exactly the two bytes of a CRLF (or a lone LF) after chunk data. */
    void readCrlf() throws IOException {
        String rest = readLine(2);
        if (rest == null) {
            throw new EOFException("the stream ended after chunk data");
        }
        if (!rest.isEmpty()) {
            throw new IOException("chunk data is not followed by CRLF");
        }
    }

    /** Whether it can be used for a next call (checked out of the pool). */
    boolean checkOut() {
        return state.compareAndSet(STATE_IDLE, STATE_IN_USE);
    }

    /**
     * Marks it idle, for the pool; false if it was closed meanwhile or has unread bytes (an upstream that
     * sent more than it announced cannot be trusted with another call).
     */
    boolean markIdle() {
        if (buffered() != 0) {
            close();
            return false;
        }
        served++;
        idleSince = System.nanoTime();
        return state.compareAndSet(STATE_IN_USE, STATE_IDLE);
    }

    boolean isClosed() {
        return state.get() == STATE_CLOSED;
    }

    /** Closes the socket; idempotent, from any thread; a blocked read fails at once. */
    void close() {
        if (state.getAndSet(STATE_CLOSED) != STATE_CLOSED) {
            OPEN.remove(this);
            try {
                // The TCP socket itself, also under TLS: an abort needs no close_notify, and closing
                // an SSLSocket while another thread reads from it may wait for that read.
                raw.close();
            } catch (IOException ignored) {
                // nothing to do: the socket is gone either way
            }
        }
    }

    /** A status line, header line or chunk-size line longer than the limit. */
    static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException() {
            super("line too long", null);
        }
    }
}
