package io.gateway.server.logs;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/**
 * One page of {@code GET /admin/logs}: entries newest first, and where the next page starts. Immutable.
 *
 * @param data       the entries (without attempts and bodies)
 * @param nextCursor the cursor of the next page, or {@code null} on the last one
 */
@JsonbNillable
@JsonbPropertyOrder({"data", "nextCursor"})
public record LogPage(List<LogEntry> data, String nextCursor) {
}
