package io.gateway.server.keys;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.json.bind.annotation.JsonbTransient;
import java.time.Instant;

/**
 * One admin write, as {@code GET /admin/audit} shows it (JSON-B, snake case). Immutable.
 *
 * @param seq      the entry's position in the trail (the cursor of the next page); not shown
 * @param time     when the write was made
 * @param action   what was done, e.g. {@code virtual_key.create}
 * @param target   what it was done to, e.g. the key's name
 * @param clientIp the address the admin request came from, or {@code null}
 */
@JsonbNillable
@JsonbPropertyOrder({"time", "action", "target", "clientIp"})
public record AuditEntry(@JsonbTransient long seq, Instant time, String action, String target, String clientIp) {
}
