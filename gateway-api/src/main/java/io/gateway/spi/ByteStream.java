package io.gateway.spi;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The bytes of an answer that is not JSON (audio, a file's content, subtitles), pulled as they
 * arrive by a single consumer: the server writes each read to the client at once, so a 200 MB
 * download passes through in a buffer's worth of memory.
 *
 * <p>{@link #read} blocks until some bytes are there; {@link #close()} ends the stream early and
 * cancels the upstream call, may be called from another thread and more than once. Middleware
 * observes a stream with {@link #onComplete} without buffering it.
 */
public interface ByteStream extends AutoCloseable {

    /**
     * Blocks until at least one byte is there, or the end.
     *
     * @param buffer where the bytes go
     * @param offset the first index to fill
     * @param length the most bytes to read, at least 1
     * @return how many bytes were read (at least 1), or {@code -1} at the end
     * @throws GatewayException if the stream failed: 504 {@link ErrorCode#TIMEOUT} when nothing arrived
     *                          within the idle timeout, 502 when the connection broke
     */
    int read(byte[] buffer, int offset, int length);

    /** Ends the stream and cancels the upstream call; idempotent and thread-safe. */
    @Override
    void close();

    /**
     * A stream over bytes in memory.
     *
     * @param bytes the bytes (kept, not copied)
     * @return the stream
     */
    static ByteStream of(byte[] bytes) {
        return of(new java.io.ByteArrayInputStream(Objects.requireNonNull(bytes, "bytes")));
    }

    /**
     * A stream over an {@link InputStream}, such as
     * {@link io.gateway.spi.upstream.UpstreamResponse#stream()}: its read failures become
     * {@link GatewayException}s (a timeout 504, anything else 502), and closing the stream closes it.
     *
     * @param in the source
     * @return the stream
     */
    static ByteStream of(InputStream in) {
        Objects.requireNonNull(in, "in");
        return new ByteStream() {
            private final AtomicBoolean closed = new AtomicBoolean();

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (closed.get()) {
                    return -1;
                }
                try {
                    int read;
                    do {
                        read = in.read(buffer, offset, length);
                    } while (read == 0);
                    return read;
                } catch (SocketTimeoutException e) {
                    close();
                    throw new GatewayException(ErrorCode.TIMEOUT, "the provider sent no bytes of its answer within "
                            + "the stream idle timeout", null, null, e);
                } catch (IOException e) {
                    if (closed.get()) {
                        return -1; // closed by the consumer (client gone, call cancelled)
                    }
                    close();
                    throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, "the provider broke the "
                            + "connection while sending its answer", null, null, e);
                }
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // closing is abandoning: nothing more to learn from the source
                    }
                }
            }
        };
    }

    /**
     * This stream as an {@link InputStream}, for code that copies it (a test, a translating provider).
     * Failures come as {@link GatewayException}s, which are unchecked.
     *
     * @return the stream; closing it closes this one
     */
    default InputStream asInputStream() {
        ByteStream source = this;
        return new InputStream() {
            @Override
            public int read() {
                byte[] one = new byte[1];
                int read = source.read(one, 0, 1);
                return read < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                Objects.checkFromIndexSize(offset, length, buffer.length);
                return length == 0 ? 0 : source.read(buffer, offset, length);
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    /**
     * A stream that reports how it ended to {@code observer}, exactly once: completed when
     * {@link #read} returns {@code -1}, failed when it throws, cancelled when closed earlier.
     *
     * @param observer receives the outcome; must not block or throw
     * @return the observed stream; closing it closes this one
     */
    default ByteStream onComplete(Consumer<BytesOutcome> observer) {
        Objects.requireNonNull(observer, "observer");
        ByteStream source = this;
        return new ByteStream() {
            private final AtomicBoolean reported = new AtomicBoolean();
            private long bytes;

            private void report(StreamOutcome.Status status, GatewayException error) {
                if (reported.compareAndSet(false, true)) {
                    observer.accept(new BytesOutcome(status, bytes, error));
                }
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                int read;
                try {
                    read = source.read(buffer, offset, length);
                } catch (GatewayException e) {
                    report(StreamOutcome.Status.FAILED, e);
                    throw e;
                } catch (RuntimeException e) {
                    report(StreamOutcome.Status.FAILED, new GatewayException(ErrorCode.INTERNAL,
                            "the answer's bytes failed unexpectedly", null, null, e));
                    throw e;
                }
                if (read < 0) {
                    report(StreamOutcome.Status.COMPLETED, null);
                } else {
                    bytes += read;
                }
                return read;
            }

            @Override
            public void close() {
                report(StreamOutcome.Status.CANCELLED, null);
                source.close();
            }
        };
    }
}
