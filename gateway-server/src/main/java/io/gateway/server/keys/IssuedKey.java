package io.gateway.server.keys;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.time.Instant;
import java.util.List;

/**
 * The answer to a creation (201) or a rotation (200): the key's fields and its new {@code value}, the
 * only time the value is ever shown. After a rotation {@code previous_value_expires_at} says until
 * when the old value still works ({@code null} when it stopped at once). Immutable.
 *
 * @param name                   the key's name
 * @param source                 always {@code api}
 * @param value                  the new value: give it to the client now, it cannot be read again
 * @param allowedModels          the model globs
 * @param rateLimit              the limits, or {@code null}
 * @param budget                 the spending cap, or {@code null}
 * @param disabled               whether requests with it are refused
 * @param expiresAt              when it stops working, or {@code null}
 * @param createdAt              when it was created
 * @param updatedAt              its last change
 * @param previousValueExpiresAt after a rotation with a grace: when the old value stops working
 */
@JsonbNillable
@JsonbPropertyOrder({"name", "source", "value", "allowedModels", "rateLimit", "budget", "disabled", "expiresAt",
        "createdAt", "updatedAt", "previousValueExpiresAt"})
public record IssuedKey(String name, String source, String value, List<String> allowedModels,
                        KeyDocument.RateLimit rateLimit, KeyDocument.Budget budget, boolean disabled,
                        Instant expiresAt, Instant createdAt, Instant updatedAt, Instant previousValueExpiresAt) {

    /**
     * Never the value.
     *
     * @return the name
     */
    @Override
    public String toString() {
        return "IssuedKey[" + name + "]";
    }
}
