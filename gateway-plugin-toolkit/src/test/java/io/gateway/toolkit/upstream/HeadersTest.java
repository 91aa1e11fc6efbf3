package io.gateway.toolkit.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.gateway.spi.Headers;
import io.gateway.spi.Secret;
import io.gateway.spi.provider.ApiKey;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link HeaderRelay} and {@link KeyHeader}. */
class HeadersTest {

    private static final Headers UPSTREAM = Headers.builder()
            .add("x-ratelimit-remaining-tokens", "10")
            .add("retry-after", "1")
            .add("retry-after-ms", "1000")
            .add("set-cookie", "session")
            .add("openai-processing-ms", "12")
            .add("anthropic-ratelimit-requests-limit", "50")
            .add("content-type", "application/json")
            .add("x-ratelimit-limit-requests", "a")
            .add("x-ratelimit-limit-requests", "b")
            .build();

    @Test
    void rateLimitsPassRetryHintsRateLimitsAndNamedHeadersOnly() {
        Headers relayed = HeaderRelay.rateLimits("OpenAI-Processing-Ms").apply(UPSTREAM);
        assertEquals(Set.of("x-ratelimit-remaining-tokens", "retry-after", "retry-after-ms", "openai-processing-ms",
                "x-ratelimit-limit-requests"), relayed.names());
        assertEquals(List.of("a", "b"), relayed.all("x-ratelimit-limit-requests"), "every value passes");
        assertEquals(Set.of("retry-after", "retry-after-ms", "anthropic-ratelimit-requests-limit"),
                HeaderRelay.of(List.of("anthropic-ratelimit-"), List.of()).apply(UPSTREAM).names());
        assertSame(Headers.empty(), HeaderRelay.rateLimits().apply(Headers.of("content-type", "text/plain")));
    }

    @Test
    void keysTravelInTheirHeaderAndKeylessProvidersSendNone() {
        ApiKey key = ApiKey.of("main", Secret.of("sk-1"));
        Headers.Builder bearer = Headers.builder();
        KeyHeader.bearer().apply(bearer, key);
        assertEquals("Bearer sk-1", bearer.build().first("authorization").orElseThrow());
        Headers.Builder named = Headers.builder();
        KeyHeader.named("X-Api-Key").apply(named, key);
        assertEquals("sk-1", named.build().first("x-api-key").orElseThrow());
        Headers.Builder none = Headers.builder();
        KeyHeader.bearer().apply(none, ApiKey.of("none", Secret.empty()));
        assertFalse(none.build().contains("authorization"));
        assertEquals("KeyHeader[x-api-key]", KeyHeader.named("X-Api-Key").toString());
    }
}
