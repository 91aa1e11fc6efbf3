package io.gateway.server.upstream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HTTP/1.1 connection to an upstream: a connected (possibly TLS) socket, a read buffer, and the
 * timeouts of the call that currently uses it. Used by one call at a time; {@link #close()} may come
 * from any thread and unblocks a read in progress.
 *
 * <p>Every socket read is bounded: by the call's deadline (non-streaming calls: the read timeout is
 * set to the time left before each read, so no read can outlast the deadline however the body
 * trickles) or by the idle timeout (streams: the longest wait for the next bytes).
 */
final class Http1Connection {

    private static final int STATE_IN_USE = 0;
    private static final int STATE_IDLE = 1;
    private static final int STATE_CLOSED = 2;

    final Http1UpstreamClient.Route route;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;
    private final AtomicInteger state = new AtomicInteger(STATE_IN_USE);
    /** Calls served on this connection; 0 while its first call runs. */
    int served;
    /** When it went back to the pool ({@link System#nanoTime()}). */
    long idleSince;

    /** Absolute deadline ({@link System#nanoTime()}) or 0 when reads are bounded by {@link #idleMillis}. */
    private long deadlineNanos;
    private int idleMillis;
    private int currentTimeout = -1;

    Http1Connection(Http1UpstreamClient.Route route, Socket socket) throws IOException {
        this.route = route;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Bounds the reads of the next call: by a deadline, or by an idle timeout when deadline is 0. */
    void bound(long deadlineNanos, int idleMillis) {
        this.deadlineNanos = deadlineNanos;
        this.idleMillis = Math.max(1, idleMillis);
    }

    void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
    }

    /**
     * Reads more bytes into the buffer.
     *
     * @return false at the end of the stream
     */
    private boolean fill() throws IOException {
        boundRead();
        if (position == limit) {
            position = 0;
            limit = 0;
        }
        int read = in.read(buffer, limit, buffer.length - limit);
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
     * @param max the longest line accepted, at most the buffer's size
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
                    throw new LineTooLongException();
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
                boundRead();
                return in.read(target, offset, length);
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

    private void boundRead() throws IOException {
        int timeout;
        if (deadlineNanos != 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            timeout = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
        } else {
            timeout = idleMillis;
        }
        if (timeout != currentTimeout) {
            socket.setSoTimeout(timeout);
            currentTimeout = timeout;
        }
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
            try {
                socket.close();
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
