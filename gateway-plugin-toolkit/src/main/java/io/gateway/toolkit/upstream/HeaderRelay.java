package io.gateway.toolkit.upstream;

import io.gateway.spi.Headers;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which upstream response headers reach the client, on answers and on errors alike. Everything else
 * (cookies, the vendor's request ids and routing headers) stays behind. Implementations are stateless
 * and thread-safe.
 */
@FunctionalInterface
public interface HeaderRelay {

    /** The names every relay built here lets through: retry hints. */
    Set<String> RETRY_HINTS = Set.of("retry-after", "retry-after-ms");

    /**
     * The headers to pass on.
     *
     * @param upstream the upstream's response headers
     * @return the headers for the client, often {@link Headers#empty()}
     */
    Headers apply(Headers upstream);

    /**
     * Rate limits and retry hints: {@code x-ratelimit-*}, {@code retry-after}, {@code retry-after-ms},
     * and the given names.
     *
     * @param moreNames further headers to pass on, e.g. {@code openai-processing-ms}
     * @return the relay
     */
    static HeaderRelay rateLimits(String... moreNames) {
        return of(List.of("x-ratelimit-"), List.of(moreNames));
    }

    /**
     * Headers by prefix and by name, with the retry hints always included.
     *
     * @param prefixes name prefixes, e.g. {@code anthropic-ratelimit-}
     * @param names    exact names
     * @return the relay
     */
    static HeaderRelay of(List<String> prefixes, List<String> names) {
        List<String> lowerPrefixes = prefixes.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
        String[] exact = java.util.stream.Stream.concat(RETRY_HINTS.stream(), names.stream())
                .map(n -> n.toLowerCase(Locale.ROOT)).distinct().toArray(String[]::new);
        String[] starts = lowerPrefixes.toArray(String[]::new);
        return upstream -> {
            Headers.Builder builder = null;
            for (String name : upstream.names()) {
                if (matches(name, starts, exact)) {
                    if (builder == null) {
                        builder = Headers.builder();
                    }
                    for (String value : upstream.all(name)) {
                        builder.add(name, value);
                    }
                }
            }
            return builder == null ? Headers.empty() : builder.build();
        };
    }

    private static boolean matches(String name, String[] prefixes, String[] names) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        for (String exact : names) {
            if (name.equals(exact)) {
                return true;
            }
        }
        return false;
    }
}
