package io.gateway.toolkit.upstream;

import io.gateway.spi.Headers;
import java.util.Objects;

/**
 * A successful upstream answer as {@link UpstreamCalls} read it: the status, the headers the provider
 * relays to the client, and the body in the form asked for (bytes, a JSON object, or an
 * {@link io.gateway.spi.EventStream} the caller must read to its end or close).
 *
 * @param status  the 2xx status
 * @param headers the relayed headers, never {@code null}
 * @param body    the body, never {@code null}
 * @param <T>     the body's form
 */
public record Answer<T>(int status, Headers headers, T body) {

    /** Checks the fields. */
    public Answer {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
    }
}
