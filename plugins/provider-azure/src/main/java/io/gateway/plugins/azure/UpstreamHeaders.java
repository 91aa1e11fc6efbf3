package io.gateway.plugins.azure;

import io.gateway.spi.Headers;

/**
 * Which Azure response headers reach the client: rate limits ({@code x-ratelimit-*}), retry hints
 * ({@code retry-after}, {@code retry-after-ms}) and {@code apim-request-id}, the id Azure support
 * asks for. Everything else (cookies, Azure's own {@code x-request-id}, region and routing headers)
 * stays behind.
 */
final class UpstreamHeaders {

    private UpstreamHeaders() {
    }

    static Headers relayed(Headers upstream) {
        Headers.Builder builder = null;
        for (String name : upstream.names()) {
            if (name.startsWith("x-ratelimit-") || name.equals("retry-after") || name.equals("retry-after-ms")
                    || name.equals("apim-request-id")) {
                if (builder == null) {
                    builder = Headers.builder();
                }
                for (String value : upstream.all(name)) {
                    builder.add(name, value);
                }
            }
        }
        return builder == null ? Headers.empty() : builder.build();
    }
}
