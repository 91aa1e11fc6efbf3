package io.gateway.server.logs;

import io.gateway.spi.GatewayException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * The parameters of {@code GET /admin/stats}. Immutable.
 *
 * @param groupBy    what the rows are
 * @param splitBy    a second dimension each row is split by, or {@code null}
 * @param from       the earliest arrival, inclusive, epoch milliseconds
 * @param to         the latest arrival, exclusive, epoch milliseconds
 * @param provider   only this provider, or {@code null}
 * @param model      only this model (served or requested), or {@code null}
 * @param virtualKey only this virtual key, or {@code null}
 */
public record StatsQuery(Dimension groupBy, Dimension splitBy, long from, long to, String provider, String model,
                         String virtualKey) {

    /** How far back {@code from} goes when not given. */
    public static final Duration DEFAULT_PERIOD = Duration.ofHours(24);
    /** The longest period one query may span. */
    public static final Duration MAX_PERIOD = Duration.ofDays(400);

    /** What a row of the statistics is. */
    public enum Dimension {
        /** The served model. */
        MODEL("model"),
        /** The provider. */
        PROVIDER("provider"),
        /** The virtual key's name. */
        VIRTUAL_KEY("virtual_key"),
        /** The provider key, {@code provider/key}: counts upstream attempts, not requests. */
        KEY("key"),
        /** The hour of arrival (UTC). */
        HOUR("hour"),
        /** The day of arrival (UTC). */
        DAY("day");

        private final String wire;

        Dimension(String wire) {
            this.wire = wire;
        }

        /**
         * The parameter value.
         *
         * @return e.g. {@code virtual_key}
         */
        public String wire() {
            return wire;
        }

        /**
         * Whether the dimension is a time bucket.
         *
         * @return {@code true} for hours and days
         */
        public boolean time() {
            return this == HOUR || this == DAY;
        }

        static Dimension parse(String text, String param) {
            for (Dimension dimension : values()) {
                if (dimension.wire.equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return dimension;
                }
            }
            throw GatewayException.invalidRequest(param + " must be one of model, provider, virtual_key, key, hour, day",
                    param);
        }
    }

    /**
     * Reads the query parameters.
     *
     * @param param a query parameter's value by name, {@code null} when absent
     * @param now   the time now, epoch milliseconds
     * @return the query
     * @throws GatewayException 400 naming the parameter, for a value that does not fit
     */
    public static StatsQuery parse(Function<String, String> param, long now) {
        String group = LogQuery.blankToNull(param.apply("group_by"));
        if (group == null) {
            throw GatewayException.invalidRequest("group_by is required: model, provider, virtual_key, key, hour or day",
                    "group_by");
        }
        Dimension groupBy = Dimension.parse(group, "group_by");
        String split = LogQuery.blankToNull(param.apply("split_by"));
        Dimension splitBy = split == null ? null : Dimension.parse(split, "split_by");
        if (splitBy != null && (splitBy.time() || splitBy == groupBy || splitBy == Dimension.KEY)) {
            throw GatewayException.invalidRequest("split_by must be model, provider or virtual_key, other than group_by",
                    "split_by");
        }
        Long toParam = LogQuery.time(param, "to");
        long to = toParam == null ? now : toParam;
        Long fromParam = LogQuery.time(param, "from");
        long from = fromParam == null ? to - DEFAULT_PERIOD.toMillis() : fromParam;
        if (from >= to) {
            throw GatewayException.invalidRequest("from must be before to", "from");
        }
        if (to - from > MAX_PERIOD.toMillis()) {
            throw GatewayException.invalidRequest("from and to may be at most " + MAX_PERIOD.toDays() + " days apart",
                    "from");
        }
        return new StatsQuery(groupBy, splitBy, from, to, LogQuery.blankToNull(param.apply("provider")),
                LogQuery.blankToNull(param.apply("model")), LogQuery.blankToNull(param.apply("virtual_key")));
    }
}
