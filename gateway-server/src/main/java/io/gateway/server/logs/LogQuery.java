package io.gateway.server.logs;

import io.gateway.spi.GatewayException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.function.Function;

/**
 * The filters of {@code GET /admin/logs} (and, without paging, of {@code GET /admin/stats}). Immutable;
 * every filter is {@code null} when not given.
 *
 * @param limit       entries per page, 1 to {@value #MAX_LIMIT}
 * @param cursor      where the previous page ended, or {@code null} for the newest entries
 * @param provider    the provider's name
 * @param model       the model, served (bare) or requested ({@code provider/model})
 * @param statusFrom  the lowest status, inclusive
 * @param statusTo    the highest status, inclusive
 * @param virtualKey  the virtual key's name
 * @param from        the earliest arrival, inclusive, epoch milliseconds
 * @param to          the latest arrival, exclusive, epoch milliseconds
 * @param q           a substring of the request id, the models, the error message, or the bodies
 */
public record LogQuery(int limit, LogCursor cursor, String provider, String model, Integer statusFrom,
                       Integer statusTo, String virtualKey, Long from, Long to, String q) {

    /** The default page size. */
    public static final int DEFAULT_LIMIT = 50;
    /** The largest page size. */
    public static final int MAX_LIMIT = 500;

    /**
     * Reads the query parameters.
     *
     * @param param a query parameter's value by name, {@code null} when absent
     * @return the query
     * @throws GatewayException 400 naming the parameter, for a value that does not fit
     */
    public static LogQuery parse(Function<String, String> param) {
        int limit = DEFAULT_LIMIT;
        String limitText = blankToNull(param.apply("limit"));
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw GatewayException.invalidRequest("limit must be a whole number from 1 to " + MAX_LIMIT, "limit");
            }
        }
        String cursorText = blankToNull(param.apply("cursor"));
        LogCursor cursor = cursorText == null ? null : LogCursor.decode(cursorText);
        Integer statusFrom = null;
        Integer statusTo = null;
        String status = blankToNull(param.apply("status"));
        if (status != null) {
            int[] range = statusRange(status);
            statusFrom = range[0];
            statusTo = range[1];
        }
        Long from = time(param, "from");
        Long to = time(param, "to");
        String q = blankToNull(param.apply("q"));
        if (q != null && q.length() > 200) {
            throw GatewayException.invalidRequest("q must be at most 200 characters", "q");
        }
        return new LogQuery(limit, cursor, blankToNull(param.apply("provider")), blankToNull(param.apply("model")),
                statusFrom, statusTo, blankToNull(param.apply("virtual_key")), from, to, q);
    }

    /**
     * A status filter as a range: {@code 200} exactly, or {@code 4xx} (400–499).
     *
     * @param text the parameter
     * @return {@code [from, to]}
     */
    static int[] statusRange(String text) {
        String value = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (value.length() == 3 && value.endsWith("xx") && value.charAt(0) >= '1' && value.charAt(0) <= '5') {
            int hundreds = (value.charAt(0) - '0') * 100;
            return new int[] {hundreds, hundreds + 99};
        }
        try {
            int exact = Integer.parseInt(value);
            if (exact >= 100 && exact <= 599) {
                return new int[] {exact, exact};
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw GatewayException.invalidRequest("status must be a status such as 200 or 429, or a class such as 4xx "
                + "or 5xx", "status");
    }

    /**
     * Reads an RFC 3339 time parameter.
     *
     * @param param the parameters
     * @param name  the parameter's name
     * @return epoch milliseconds, or {@code null} when absent
     */
    static Long time(Function<String, String> param, String name) {
        String text = blankToNull(param.apply(name));
        if (text == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw GatewayException.invalidRequest(name + " must be an RFC 3339 time such as "
                        + "2025-01-31T09:00:00Z", name);
            }
        }
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
