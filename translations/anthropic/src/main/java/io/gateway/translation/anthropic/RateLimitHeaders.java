package io.gateway.translation.anthropic;

import io.gateway.spi.Headers;
import io.gateway.toolkit.upstream.HeaderRelay;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Which upstream headers reach the client: {@code retry-after}, Anthropic's
 * {@code anthropic-ratelimit-*} as they are, any {@code x-ratelimit-*}, and OpenAI-style
 * {@code x-ratelimit-{limit,remaining,reset}-{requests,tokens}} derived from Anthropic's
 * request and token limits, so OpenAI clients that read those headers keep working.
 */
final class RateLimitHeaders {

    private static final String PREFIX = "anthropic-ratelimit-";
    private static final HeaderRelay PASSED = HeaderRelay.of(List.of("x-ratelimit-", PREFIX), List.of());

    private RateLimitHeaders() {
    }

    static Headers relayed(Headers upstream, Clock clock) {
        Headers passed = PASSED.apply(upstream);
        if (passed.isEmpty()) {
            return passed;
        }
        Headers.Builder builder = passed.toBuilder();
        for (String kind : new String[] {"requests", "tokens"}) {
            translate(upstream, builder, PREFIX + kind + "-limit", "x-ratelimit-limit-" + kind);
            translate(upstream, builder, PREFIX + kind + "-remaining", "x-ratelimit-remaining-" + kind);
            Optional<String> reset = upstream.first(PREFIX + kind + "-reset");
            String openAiReset = "x-ratelimit-reset-" + kind;
            if (reset.isPresent() && !upstream.contains(openAiReset)) {
                untilReset(reset.get(), clock).ifPresent(value -> builder.set(openAiReset, value));
            }
        }
        return builder.build();
    }

    private static void translate(Headers upstream, Headers.Builder builder, String from, String to) {
        Optional<String> value = upstream.first(from);
        if (value.isPresent() && !upstream.contains(to)) {
            builder.set(to, value.get());
        }
    }

    /** Anthropic gives the reset as an RFC 3339 instant, OpenAI as a duration such as {@code 1m30s}. */
    private static Optional<String> untilReset(String value, Clock clock) {
        Instant reset;
        try {
            reset = OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
        Duration wait = Duration.between(clock.instant(), reset);
        long seconds = wait.isNegative() ? 0 : wait.getSeconds() + (wait.getNano() > 0 ? 1 : 0);
        StringBuilder text = new StringBuilder();
        if (seconds >= 3600) {
            text.append(seconds / 3600).append('h');
        }
        if (seconds >= 60) {
            text.append(seconds % 3600 / 60).append('m');
        }
        text.append(seconds % 60).append('s');
        return Optional.of(text.toString());
    }
}
