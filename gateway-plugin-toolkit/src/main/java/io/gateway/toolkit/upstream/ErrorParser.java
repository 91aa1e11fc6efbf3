package io.gateway.toolkit.upstream;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;

/**
 * Turns an upstream answer that is not 2xx into the exception the client sees: the vendor's error format
 * read into status, {@code error.type}, {@code error.code}, message and param. Implementations are
 * stateless and thread-safe; {@link io.gateway.toolkit.openai.OpenAiErrors#parse} is the one for
 * OpenAI-compatible upstreams.
 */
@FunctionalInterface
public interface ErrorParser {

    /**
     * Reads an error answer.
     *
     * @param status  the upstream status, any value other than 2xx (1xx and 3xx included)
     * @param body    the body, possibly empty, not JSON or cut short; never {@code null}
     * @param headers the response headers the provider relays to the client (retry hints, rate limits)
     * @return the exception to throw, never {@code null}
     */
    GatewayException parse(int status, byte[] body, Headers headers);
}
