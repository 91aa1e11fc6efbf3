package io.gateway.spi.middleware;

import java.util.List;
import java.util.Optional;

/**
 * The virtual keys the gateway manages at run time (through its admin API, kept in its database), as
 * a live, read-only view for authentication middleware: {@link io.gateway.spi.PluginContext#virtualKeys()}.
 * The server keeps it in step with the database (a change made on any replica is seen within about two
 * seconds); middleware only reads it, per request, and never learns a key's value.
 *
 * <p>Keys declared in a middleware's own configuration are not in the directory: the middleware reads
 * those itself. Implementations are thread-safe and cheap to call on the request path (lookups do
 * not touch the database). Owned by the server; do not close. Since SPI 2.1.
 */
public interface VirtualKeyDirectory {

    /**
     * The key whose value a client presented: its current value, or its previous value while the grace
     * period of its last rotation lasts. Values are compared in time independent of where they differ.
     * Disabled and expired keys are found too (so middleware can say why they are refused).
     *
     * @param presented the value the client sent, may be {@code null}
     * @return the key, or empty when no managed key has this value
     */
    Optional<ManagedVirtualKey> find(String presented);

    /**
     * Every managed key, in name order.
     *
     * @return the keys, unmodifiable
     */
    List<ManagedVirtualKey> keys();

    /**
     * A number that changes whenever any key changes, so middleware can rebuild what it derives from
     * {@link #keys()} only when needed.
     *
     * @return the version
     */
    long version();

    /**
     * Whether the keys have been read from the database at least once. Until then {@link #find} finds
     * nothing, and middleware should answer 503 rather than 401 for keys it does not know itself.
     *
     * @return {@code true} once loaded; always {@code true} for {@link #empty()}
     */
    default boolean loaded() {
        return true;
    }

    /**
     * The directory of a gateway without managed keys (no database, or a context outside the server).
     *
     * @return a loaded directory with no keys
     */
    static VirtualKeyDirectory empty() {
        return EmptyDirectory.INSTANCE;
    }
}
