package io.gateway.server.logs;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.config.PropertyNamingStrategy;
import jakarta.json.bind.config.PropertyVisibilityStrategy;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the request log's documents, with JSON-B (Yasson): snake-case names, the field order the
 * types declare, and explicit {@code null}s where a type says so. Two views of {@link LogEntry}: the
 * detail with everything, and the list without attempts and bodies. Holds thread-safe {@link Jsonb}
 * instances, built once.
 */
public final class LogJson {

    private static final JsonbConfig DETAIL_CONFIG = new JsonbConfig()
            .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES);

    private static final Jsonb DETAIL = JsonbBuilder.create(DETAIL_CONFIG);

    private static final Jsonb LIST = JsonbBuilder.create(new JsonbConfig()
            .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES)
            .withPropertyVisibilityStrategy(new PropertyVisibilityStrategy() {
                @Override
                public boolean isVisible(Field field) {
                    return !(field.getDeclaringClass() == LogEntry.class
                            && LogEntry.DETAIL_ONLY.contains(field.getName()));
                }

                @Override
                public boolean isVisible(Method method) {
                    return !(method.getDeclaringClass() == LogEntry.class
                            && LogEntry.DETAIL_ONLY.contains(method.getName()));
                }
            }));

    private LogJson() {
    }

    /**
     * The shared instance for stored columns (the attempts) and the detail view.
     *
     * @return the instance
     */
    static Jsonb detail() {
        return DETAIL;
    }

    /**
     * {@code {"data": [entry, …], "next_cursor": …}}, entries without attempts and bodies.
     *
     * @param page the page
     * @return UTF-8 JSON
     */
    public static byte[] list(LogPage page) {
        return LIST.toJson(page).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One entry with everything.
     *
     * @param entry the entry
     * @return UTF-8 JSON
     */
    public static byte[] detail(LogEntry entry) {
        return DETAIL.toJson(entry).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code {"data": [row, …]}}.
     *
     * @param rows the rows
     * @return UTF-8 JSON
     */
    public static byte[] stats(List<StatsRow> rows) {
        return DETAIL.toJson(Map.of("data", rows)).getBytes(StandardCharsets.UTF_8);
    }
}
