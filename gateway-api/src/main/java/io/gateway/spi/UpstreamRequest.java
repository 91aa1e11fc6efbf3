package io.gateway.spi;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An HTTP request to a provider, performed by {@link UpstreamClient#send}.
 *
 * @param method      HTTP method, e.g. {@code POST}
 * @param uri         absolute {@code http} or {@code https} URI
 * @param headers     request headers, credentials included (the client never logs values)
 * @param body        the body bytes, or {@code null} for none; not copied, do not modify
 * @param stream      whether the answer is expected as server-sent events
 * @param deadline    when the whole exchange must be complete (for streams: until the headers)
 * @param idleTimeout for streams, the longest wait between two reads
 */
public record UpstreamRequest(String method, URI uri, Headers headers, byte[] body, boolean stream,
                              Instant deadline, Duration idleTimeout) {

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException for a relative URI
     */
    public UpstreamRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        if (!uri.isAbsolute()) {
            throw new IllegalArgumentException("upstream URI must be absolute: " + uri);
        }
        headers = headers == null ? Headers.empty() : headers;
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    /**
     * Never shows headers or body.
     *
     * @return method and URI
     */
    @Override
    public String toString() {
        return "UpstreamRequest[" + method + " " + uri + "]";
    }
}
