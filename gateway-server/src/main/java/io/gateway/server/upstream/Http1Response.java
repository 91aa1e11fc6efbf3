package io.gateway.server.upstream;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * An answer of {@link Http1UpstreamClient}: the head is parsed, the body is read on demand from the
 * connection. Whoever comes first decides what happens to the connection: reading the body to its end
 * returns it to the pool, {@link #close()} before that closes it (from any thread; a read in progress
 * fails at once and the stream reports its end). A gzip body is decoded on the way: {@link #body()},
 * {@link #events()} and {@link #stream()} all give the decoded bytes.
 */
final class Http1Response implements UpstreamResponse {

    /** How the body's end is known. */
    enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private static final int OPEN = 0;
    private static final int DONE = 1;
    private static final int CLOSED = 2;
    private static final int MAX_CHUNK_LINE = 4096;

    private final Http1UpstreamClient client;
    private final Http1Connection connection;
    private final UpstreamRequest request;
    private final int status;
    private final Headers headers;
    private final Framing framing;
    private final long length;
    private final boolean reusable;
    private final boolean gzip;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private Body body;
    private InputStream stream;

    Http1Response(Http1UpstreamClient client, Http1Connection connection, UpstreamRequest request, int status,
                  Headers headers, Framing framing, long length, boolean reusable, boolean gzip) {
        this.client = client;
        this.connection = connection;
        this.request = request;
        this.status = status;
        this.headers = headers;
        this.framing = framing;
        this.length = length;
        this.reusable = reusable;
        this.gzip = gzip && framing != Framing.NONE;
        if (framing == Framing.NONE) {
            finish();
        }
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Headers headers() {
        return headers;
    }

    @Override
    public byte[] body() {
        byte[] raw = rawBody();
        return gzip ? gunzip(raw) : raw;
    }

    private static byte[] gunzip(byte[] compressed) {
        // a single-member gzip body ends with its decoded size (mod 2^32): decode into an array of
        // exactly that size; anything else (several members, a wrong size) takes the general path
        if (compressed.length >= 18) {
            int n = compressed.length;
            long size = (compressed[n - 4] & 0xffL) | (compressed[n - 3] & 0xffL) << 8
                    | (compressed[n - 2] & 0xffL) << 16 | (compressed[n - 1] & 0xffL) << 24;
            // deflate expands at most ~1032:1, so a larger claim is a lie, not an allocation to make
            if (size <= Http1UpstreamClient.MAX_BODY && size <= n * 1032L) {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 512)) {
                    byte[] decoded = new byte[(int) size];
                    if (in.readNBytes(decoded, 0, decoded.length) == decoded.length && in.read() < 0) {
                        return decoded;
                    }
                } catch (IOException e) {
                    throw corrupt();
                }
            }
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 512)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, Math.min(compressed.length * 4,
                    1 << 20)));
            byte[] chunk = new byte[16384];
            int read;
            while ((read = in.read(chunk, 0, chunk.length)) >= 0) {
                out.write(chunk, 0, read);
                if (out.size() > Http1UpstreamClient.MAX_BODY) {
                    throw tooLarge();
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw corrupt();
        }
    }

    private static GatewayException corrupt() {
        return GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider's gzip answer is corrupt");
    }

    /** The body as it came over the wire. */
    private byte[] rawBody() {
        try {
            if (framing == Framing.NONE) {
                return new byte[0];
            }
            if (framing == Framing.LENGTH) {
                if (length > Http1UpstreamClient.MAX_BODY) {
                    close();
                    throw tooLarge();
                }
                byte[] bytes = new byte[(int) length];
                int filled = 0;
                while (filled < bytes.length) {
                    int read = connection.read(bytes, filled, bytes.length - filled);
                    if (read < 0) {
                        throw new EOFException("the body ended before its Content-Length");
                    }
                    filled += read;
                }
                finish();
                return bytes;
            }
            InputStream in = wire();
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            byte[] chunk = new byte[16384];
            int read;
            while ((read = in.read(chunk, 0, chunk.length)) >= 0) {
                out.write(chunk, 0, read);
                if (out.size() > Http1UpstreamClient.MAX_BODY) {
                    close();
                    throw tooLarge();
                }
            }
            return out.toByteArray();
        } catch (SocketTimeoutException e) {
            close();
            throw GatewayException.of(ErrorCode.TIMEOUT, "the provider did not finish its answer within the timeout");
        } catch (IOException e) {
            boolean closedByCaller = state.get() == CLOSED;
            close();
            throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED, closedByCaller
                    ? "the call to the provider was cancelled while its answer arrived"
                    : "the provider broke the connection while sending its answer", null, null, e);
        }
    }

    private static GatewayException tooLarge() {
        return GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider's answer is larger than 512 MB");
    }

    @Override
    public EventStream events() {
        // the body reads from the connection's own buffer, so the reader's can be small (it is held per open stream)
        SseEventReader reader = new SseEventReader(stream(), 1024);
        return new EventStream() {
            @Override
            public StreamEvent next() {
                if (state.get() == CLOSED) {
                    return null;
                }
                try {
                    return reader.next();
                } catch (IOException e) {
                    if (state.get() == CLOSED) {
                        return null; // closed by the caller (client gone, call cancelled)
                    }
                    Http1Response.this.close();
                    if (e instanceof CorruptBody) {
                        throw corrupt();
                    }
                    if (e instanceof SseEventReader.EventTooLargeException) {
                        throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the provider sent " + e.getMessage()
                                + "; the gateway does not relay it");
                    }
                    if (e instanceof SocketTimeoutException) {
                        throw GatewayException.of(ErrorCode.TIMEOUT, "the provider sent no stream event for "
                                + request.idleTimeout().toMillis() + " ms (stream-idle-timeout)");
                    }
                    throw new GatewayException(ErrorCode.PROVIDER_CONNECTION_FAILED,
                            "the provider broke the connection in the middle of the stream", null, null, e);
                }
            }

            @Override
            public void close() {
                Http1Response.this.close();
            }
        };
    }

    @Override
    public InputStream stream() {
        if (stream == null) {
            stream = gzip ? new Gunzip(wire()) : wire();
        }
        return stream;
    }

    /** The body as the framing delimits it, still encoded. */
    private InputStream wire() {
        if (body == null) {
            body = new Body();
        }
        return body;
    }

    /** The body was read to its end: the connection may serve another call. */
    private void finish() {
        if (state.compareAndSet(OPEN, DONE)) {
            if (reusable) {
                client.release(connection);
            } else {
                connection.close();
            }
        }
    }

    @Override
    public void close() {
        if (state.compareAndSet(OPEN, CLOSED)) {
            connection.close();
        }
    }

    /** A gzip body that is not valid gzip. */
    static final class CorruptBody extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptBody(Throwable cause) {
            super("corrupt gzip body", cause);
        }
    }

    /**
     * The decoded view of a gzip body, created on the first read (reading the gzip header blocks). At the
     * end of the gzip data it reads the wire body to its end, so that the connection can be reused.
     */
    private final class Gunzip extends InputStream {
        private final InputStream wire;
        private GZIPInputStream decoded;

        Gunzip(InputStream wire) {
            this.wire = wire;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int count) throws IOException {
            try {
                if (decoded == null) {
                    decoded = new GZIPInputStream(wire, 8192);
                }
                int read = decoded.read(target, offset, count);
                if (read < 0) {
                    byte[] rest = new byte[256];
                    while (wire.read(rest, 0, rest.length) >= 0) {
                        // trailing bytes after the gzip data, if any, until the body's end
                    }
                }
                return read;
            } catch (java.util.zip.ZipException e) {
                throw new CorruptBody(e);
            } catch (EOFException e) {
                if (body != null && body.ended && state.get() != CLOSED) {
                    throw new CorruptBody(e); // the whole body arrived and ended inside the gzip data
                }
                throw e; // the connection ended before the body did
            }
        }

        @Override
        public void close() {
            Http1Response.this.close();
        }
    }

    /** The body as the framing delimits it. */
    private final class Body extends InputStream {
        private long remaining = framing == Framing.LENGTH ? length : 0;
        private boolean firstChunk = true;
        private boolean ended = framing == Framing.NONE;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int count) throws IOException {
            if (ended || state.get() == DONE) {
                return -1;
            }
            if (state.get() == CLOSED) {
                throw new IOException("the upstream response was closed");
            }
            if (count == 0) {
                return 0;
            }
            switch (framing) {
                case LENGTH -> {
                    int read = connection.read(target, offset, (int) Math.min(count, remaining));
                    if (read < 0) {
                        throw new EOFException("the body ended before its Content-Length");
                    }
                    remaining -= read;
                    if (remaining == 0) {
                        end();
                    }
                    return read;
                }
                case CHUNKED -> {
                    if (remaining == 0) {
                        if (!nextChunk()) {
                            end();
                            return -1;
                        }
                    }
                    int read = connection.read(target, offset, (int) Math.min(count, remaining));
                    if (read < 0) {
                        throw new EOFException("the body ended inside a chunk");
                    }
                    remaining -= read;
                    return read;
                }
                case UNTIL_CLOSE -> {
                    int read = connection.read(target, offset, count);
                    if (read < 0) {
                        end();
                    }
                    return read;
                }
                default -> {
                    return -1;
                }
            }
        }

        /** Reads the next chunk's size; false after the last chunk and its trailers. */
        private boolean nextChunk() throws IOException {
            if (!firstChunk) {
                connection.readCrlf();
            }
            firstChunk = false;
            String line = connection.readLine(MAX_CHUNK_LINE);
            if (line == null) {
                throw new EOFException("the body ended before its last chunk");
            }
            long size = 0;
            int digits = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                int digit = Character.digit(c, 16);
                if (digit < 0) {
                    if (c == ';' || c == ' ' || c == '\t') {
                        break;
                    }
                    throw new IOException("invalid chunk size");
                }
                if (++digits > 15) {
                    throw new IOException("chunk size too large");
                }
                size = size * 16 + digit;
            }
            if (digits == 0) {
                throw new IOException("invalid chunk size");
            }
            if (size == 0) {
                // trailers, then the blank line ending the body
                while (true) {
                    String trailer = connection.readLine(MAX_CHUNK_LINE);
                    if (trailer == null) {
                        throw new EOFException("the body ended inside its trailers");
                    }
                    if (trailer.isEmpty()) {
                        return false;
                    }
                }
            }
            remaining = size;
            return true;
        }

        private void end() {
            ended = true;
            finish();
        }

        @Override
        public void close() {
            Http1Response.this.close();
        }
    }
}
