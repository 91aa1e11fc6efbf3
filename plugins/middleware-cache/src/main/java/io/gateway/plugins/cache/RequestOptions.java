package io.gateway.plugins.cache;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one request asks of the cache through Bifrost's headers: {@code x-bf-cache-ttl} ({@code 30s} or
 * seconds), {@code x-bf-cache-threshold} (0 to 1), {@code x-bf-cache-type} ({@code direct} or
 * {@code semantic}: only that path) and {@code x-bf-cache-no-store} (read, but do not write). A value
 * that cannot be read fails the request with 400 naming the header. Immutable.
 *
 * @param ttl       how long the answer is kept
 * @param threshold the least similarity of a semantic hit
 * @param direct    whether the exact path runs
 * @param semantic  whether the semantic path runs (when configured)
 * @param noStore   whether the answer stays unstored
 */
record RequestOptions(Duration ttl, double threshold, boolean direct, boolean semantic, boolean noStore) {

    static final String KEY = "x-bf-cache-key";
    static final String TTL = "x-bf-cache-ttl";
    static final String THRESHOLD = "x-bf-cache-threshold";
    static final String TYPE = "x-bf-cache-type";
    static final String NO_STORE = "x-bf-cache-no-store";
    /** Set on every answer the cache gave: {@code direct} or {@code semantic}. */
    static final String HIT = "x-bf-cache-hit";
    /** Set on semantic hits: the cosine similarity of the request to the stored one. */
    static final String SIMILARITY = "x-bf-cache-similarity";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)?");

    /**
     * Reads the request's headers over the configured defaults.
     *
     * @param headers          the client's headers
     * @param defaultTtl       {@code ttl}
     * @param defaultThreshold {@code semantic.threshold}, or 1 when there is no semantic path
     * @return the options
     * @throws GatewayException 400 for a value that cannot be read
     */
    static RequestOptions read(Headers headers, Duration defaultTtl, double defaultThreshold) {
        Duration ttl = headers.first(TTL).map(RequestOptions::parseTtl).orElse(defaultTtl);
        double threshold = headers.first(THRESHOLD).map(RequestOptions::parseThreshold).orElse(defaultThreshold);
        boolean direct = true;
        boolean semantic = true;
        String type = headers.first(TYPE).map(value -> value.trim().toLowerCase(Locale.ROOT)).orElse(null);
        if (type != null) {
            switch (type) {
                case "direct" -> semantic = false;
                case "semantic" -> direct = false;
                default -> throw GatewayException.invalidRequest(TYPE + ": '" + printable(type)
                        + "' is neither direct nor semantic; send one of them, or leave the header out for both", TYPE);
            }
        }
        boolean noStore = headers.first(NO_STORE).map(RequestOptions::parseFlag).orElse(false);
        return new RequestOptions(ttl, threshold, direct, semantic, noStore);
    }

    private static Duration parseTtl(String value) {
        Matcher matcher = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            String unit = matcher.group(2) == null ? "s" : matcher.group(2);
            Duration ttl = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> Duration.ofSeconds(amount);
            };
            if (!ttl.isZero()) {
                return ttl;
            }
        }
        throw GatewayException.invalidRequest(TTL + ": '" + printable(value) + "' is not a time to live; send "
                + "seconds (30) or a duration (30s, 5m, 1h), more than 0", TTL);
    }

    private static double parseThreshold(String value) {
        try {
            double threshold = Double.parseDouble(value.trim());
            if (threshold >= 0 && threshold <= 1) {
                return threshold;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw GatewayException.invalidRequest(THRESHOLD + ": '" + printable(value) + "' is not a similarity; send "
                + "a number from 0 to 1, e.g. 0.9", THRESHOLD);
    }

    private static boolean parseFlag(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no", "" -> false;
            default -> throw GatewayException.invalidRequest(NO_STORE + ": '" + printable(value) + "' is not a "
                    + "boolean; send true or false", NO_STORE);
        };
    }

    /** A header value echoed in a message: at most 64 characters, no control characters. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 64));
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            out.append(c < ' ' || c == 127 ? '?' : c);
        }
        return out.toString();
    }
}
