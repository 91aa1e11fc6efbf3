package io.gateway.spi.upstream;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;

import java.io.InputStream;

/**
 * The answer of an upstream call: status and headers at once, the body on demand.
 *
 * <p>Read the body exactly once, with one of {@link #body()}, {@link #events()} or
 * {@link #stream()}. {@link #close()} releases the connection; closing before the body was read
 * aborts the call (the connection is not reused). Not thread-safe, except {@link #close()}.
 */
public interface UpstreamResponse extends AutoCloseable {

    /**
     * The HTTP status.
     *
     * @return the status
     */
    int status();

    /**
     * The response headers.
     *
     * @return the headers
     */
    Headers headers();

    /**
     * Reads the whole body, within the request's deadline, and releases the connection.
     *
     * @return the body bytes
     * @throws GatewayException 504 past the deadline, 502 if the connection broke
     */
    byte[] body();

    /**
     * The body parsed as server-sent events (comments skipped, CRLF and multi-line data handled),
     * each returned as soon as its frame is complete. Closing the stream aborts the call.
     *
     * @return the events
     * @throws GatewayException from {@link EventStream#next()}: 504 when no data arrives within the
     *                          idle timeout, 502 if the connection broke
     */
    EventStream events();

    /**
     * The raw body stream, for formats the other methods do not cover.
     *
     * @return the stream; closing it releases the connection
     */
    InputStream stream();

    /** Releases the connection, aborting the call if the body was not read to its end. */
    @Override
    void close();
}
