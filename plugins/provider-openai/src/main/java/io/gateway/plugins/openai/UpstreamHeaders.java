package io.gateway.plugins.openai;

import io.gateway.spi.Headers;

/** Which upstream response headers reach the client: rate limits, retry hints and processing time. */
final class UpstreamHeaders {

    private UpstreamHeaders() {
    }

    static Headers relayed(Headers upstream) {
        Headers.Builder builder = null;
        for (String name : upstream.names()) {
            if (name.startsWith("x-ratelimit-") || name.equals("retry-after") || name.equals("retry-after-ms")
                    || name.equals("openai-processing-ms") || name.equals("openai-version")) {
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
