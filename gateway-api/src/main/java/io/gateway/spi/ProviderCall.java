package io.gateway.spi;

import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One attempt the router asks a {@link Provider} to make.
 *
 * @param requestId         the client request's id, for upstream correlation headers and logs
 * @param operation         the operation
 * @param model             the bare model name for the upstream ({@code gpt-4o-mini}), {@code null} for
 *                          {@link Operation#LIST_MODELS}
 * @param body              the request body with {@code model} already rewritten to the bare name and
 *                          gateway-only fields (such as {@code fallbacks}) removed; every other field
 *                          is as the client sent it
 * @param stream            whether the client asked for a stream
 * @param key               the key chosen for this attempt; {@link Secret#isEmpty()} when the
 *                          provider is configured without keys (local servers)
 * @param headers           the client's request headers (for provider-specific pass-through; never
 *                          forward credentials from them)
 * @param deadline          when a non-streaming call must have completed
 * @param streamIdleTimeout the longest wait for the next event of a stream
 */
public record ProviderCall(String requestId, Operation operation, String model, JsonObject body, boolean stream,
                           ApiKey key, Headers headers, Instant deadline, Duration streamIdleTimeout) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException for missing required fields
     */
    public ProviderCall {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(key, "key");
        headers = headers == null ? Headers.empty() : headers;
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(streamIdleTimeout, "streamIdleTimeout");
    }

    /**
     * An upstream request carrying this call's deadline and stream idle timeout.
     *
     * @param method  HTTP method
     * @param uri     absolute URI
     * @param headers request headers (credentials included)
     * @param body    request body, or {@code null}
     * @return the request
     */
    public UpstreamRequest request(String method, URI uri, Headers headers, byte[] body) {
        return new UpstreamRequest(method, uri, headers, body, stream, deadline, streamIdleTimeout);
    }

    /**
     * A copy with another body (providers that translate the request do not need it; the router uses
     * it for fallbacks).
     *
     * @param newBody the body
     * @return a new call
     */
    public ProviderCall withBody(JsonObject newBody) {
        return new ProviderCall(requestId, operation, model, newBody, stream, key, headers, deadline,
                streamIdleTimeout);
    }
}
