package io.gateway.spi;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A body that is not JSON: bytes with a media type, read as a stream and never required to be held
 * whole. It is what a file part of a {@link MultipartForm} holds, what a raw request body is
 * ({@link io.gateway.spi.middleware.Exchange#content()}), and what a provider sends upstream when the
 * body is not JSON ({@link io.gateway.spi.upstream.UpstreamRequest#content()}).
 *
 * <p>A content is either <em>repeatable</em> ({@link #open()} may be called any number of times, each
 * stream starting at the first byte: bytes in memory, a file, a part the server spooled) or
 * <em>one-shot</em> (a client's body streamed through as it arrives: {@link #open()} works once).
 * The router retries and falls back only with repeatable bodies. Implementations are immutable and
 * thread-safe; the streams they open belong to the caller, who closes them.
 */
public interface Content {

    /**
     * The media type, with its parameters, as a {@code Content-Type} header carries it.
     *
     * @return e.g. {@code audio/wav} or {@code multipart/form-data; boundary=...}; never {@code null}
     */
    String contentType();

    /**
     * The number of bytes, when known in advance.
     *
     * @return the length, or {@code -1} when unknown (the upstream request is then sent chunked)
     */
    long length();

    /**
     * Whether {@link #open()} may be called more than once.
     *
     * @return {@code true} for a repeatable content
     */
    boolean repeatable();

    /**
     * A stream over the bytes from the first one. The caller closes it.
     *
     * @return the stream
     * @throws IllegalStateException for a one-shot content opened before
     * @throws UncheckedIOException  when the bytes cannot be read (a spooled file is gone)
     */
    InputStream open();

    /**
     * A repeatable content of bytes in memory.
     *
     * @param bytes       the bytes (kept, not copied: do not change them afterwards)
     * @param contentType the media type
     * @return the content
     */
    static Content of(byte[] bytes, String contentType) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(contentType, "contentType");
        return new Content() {
            @Override
            public String contentType() {
                return contentType;
            }

            @Override
            public long length() {
                return bytes.length;
            }

            @Override
            public boolean repeatable() {
                return true;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public String toString() {
                return "Content[" + contentType + ", " + bytes.length + " bytes]";
            }
        };
    }

    /**
     * A repeatable content read from a file each time it is opened. The file must stay unchanged
     * while the content is in use; its length is read once, here.
     *
     * @param file        the file
     * @param contentType the media type
     * @return the content
     * @throws UncheckedIOException when the file cannot be read
     */
    static Content of(Path file, String contentType) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(contentType, "contentType");
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.getFileName(), e);
        }
        return new Content() {
            @Override
            public String contentType() {
                return contentType;
            }

            @Override
            public long length() {
                return size;
            }

            @Override
            public boolean repeatable() {
                return true;
            }

            @Override
            public InputStream open() {
                try {
                    return Files.newInputStream(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file.getFileName(), e);
                }
            }

            @Override
            public String toString() {
                return "Content[" + contentType + ", " + size + " bytes]";
            }
        };
    }

    /**
     * A one-shot content over a stream that is read as it arrives: a client's body streamed through,
     * for example. {@link #open()} hands out {@code in} itself, once.
     *
     * @param in          the stream
     * @param length      its length, or {@code -1} when unknown
     * @param contentType the media type
     * @return the content
     */
    static Content once(InputStream in, long length, String contentType) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(contentType, "contentType");
        if (length < -1) {
            throw new IllegalArgumentException("length must be -1 or more, was " + length);
        }
        AtomicBoolean opened = new AtomicBoolean();
        return new Content() {
            @Override
            public String contentType() {
                return contentType;
            }

            @Override
            public long length() {
                return length;
            }

            @Override
            public boolean repeatable() {
                return false;
            }

            @Override
            public InputStream open() {
                if (!opened.compareAndSet(false, true)) {
                    throw new IllegalStateException("this body is streamed through once and was read already");
                }
                return in;
            }

            @Override
            public String toString() {
                return "Content[" + contentType + ", " + (length < 0 ? "streamed" : length + " bytes, streamed")
                        + "]";
            }
        };
    }
}
