package io.gateway.spi.state;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;

import java.time.Duration;
import java.util.Optional;

/**
 * Shared key-value state with expiry: async jobs, rate-limit and budget counters, cache entries.
 *
 * <p>On one node the server uses an in-memory store; in a cluster a store plugin (Redis) makes the
 * same state visible to every replica. Keys are plain strings (the store adds its own prefix);
 * values are bytes. A {@code ttl} of {@code null} or zero means no expiry. Implementations are
 * thread-safe, and the operations documented as atomic are atomic across all replicas.
 *
 * <p>Every method throws {@link GatewayException} with {@link ErrorCode#STORE_UNAVAILABLE} (503) when
 * the back end cannot be reached.
 */
public interface StateStore extends AutoCloseable {

    /**
     * Reads a value.
     *
     * @param key the key
     * @return the value, or empty when absent or expired
     */
    Optional<byte[]> get(String key);

    /**
     * Writes a value, replacing any earlier one.
     *
     * @param key   the key
     * @param value the value
     * @param ttl   time to live, or {@code null} for none
     */
    void put(String key, byte[] value, Duration ttl);

    /**
     * Writes a value only if the key is absent. Atomic.
     *
     * @param key   the key
     * @param value the value
     * @param ttl   time to live, or {@code null} for none
     * @return {@code true} if written
     */
    boolean putIfAbsent(String key, byte[] value, Duration ttl);

    /**
     * Replaces the value only if it currently equals {@code expected}. Atomic.
     *
     * @param key      the key
     * @param expected the current value
     * @param value    the new value
     * @param ttl      time to live of the new value, or {@code null} for none
     * @return {@code true} if replaced
     */
    boolean compareAndSet(String key, byte[] expected, byte[] value, Duration ttl);

    /**
     * Adds to a counter, creating it at 0 first. Atomic. {@code ttl} applies when the counter is
     * created, so a window counter expires at the end of its window.
     *
     * @param key   the key
     * @param delta amount to add (may be negative)
     * @param ttl   time to live when created, or {@code null} for none
     * @return the new value
     */
    long increment(String key, long delta, Duration ttl);

    /**
     * Holds {@code amount} against a limited counter if it fits: "reserve, then {@link #settle settle}".
     * Atomically, when the counter's settled value (what {@link #get} and {@link #increment} see at
     * {@code key}) plus every live hold on it plus {@code amount} is at most {@code limit}, records a
     * hold named {@code id} of {@code amount} that expires {@code holdTtl} from now; otherwise changes
     * nothing. A limit holds exactly across replicas when every user of the counter reserves before it
     * adds: the settled value and the holds together never pass the limit by a reservation.
     *
     * <p>Holds are kept beside the counter, never in it: {@code get} and {@code increment} see the
     * settled value only (so a reader that knows nothing of holds reads what was settled). A hold
     * whose holder vanished (its replica stopped) expires after {@code holdTtl} and no longer counts.
     * Reserving an {@code id} that is held already renews it: its expiry moves to {@code holdTtl} from
     * now and its amount stays, whatever the limit; this is how a holder keeps a hold alive while its
     * work runs (call again with the same arguments every fraction of {@code holdTtl}). An {@code id}
     * whose hold expired is reserved anew and must fit.
     *
     * <p>The default implementation keeps the holds under {@code key + "#holds"} and updates them with
     * {@link #putIfAbsent} and {@link #compareAndSet}, measuring expiry with the system clock. It is
     * atomic for holds, but a settlement that adds more than its hold (an estimate that fell short) may
     * be missed by a reservation made at the same moment, by at most that shortfall. Stores should
     * override {@code reserve}, {@link #settle} and {@link #reserved} together (they share a
     * representation) with one atomic operation each; the gateway's stores do. Since SPI 2.1.
     *
     * @param key     the counter
     * @param id      the hold's name, unique among its counter's holds (a random id per request):
     *                1 to 128 letters, digits, {@code -}, {@code _}, {@code .} or {@code :}
     * @param amount  what to hold, 0 or more
     * @param limit   the most the settled value and the holds may reach together, 0 or more
     * @param holdTtl how long the hold lives unless renewed or settled; positive
     * @return {@code true} when held (or renewed), {@code false} when it does not fit
     * @throws IllegalArgumentException for an invalid id, a negative amount or limit, or a
     *                                  {@code holdTtl} that is not positive
     */
    default boolean reserve(String key, String id, long amount, long limit, Duration holdTtl) {
        Holds.check(id, amount, limit, holdTtl);
        String holdsKey = key + Holds.SUFFIX;
        while (true) {
            long now = System.currentTimeMillis();
            Optional<byte[]> stored = get(holdsKey);
            Holds holds = Holds.parse(stored, now);
            long expiresAt = now + holdTtl.toMillis();
            Holds updated;
            if (holds.has(id)) {
                updated = holds.renewed(id, expiresAt);
            } else {
                if (!Holds.fits(Holds.counter(get(key)), holds.total(), amount, limit)) {
                    return false;
                }
                updated = holds.with(id, amount, expiresAt);
            }
            if (updated.write(this, holdsKey, stored, now)) {
                return true;
            }
        }
    }

    /**
     * Replaces a hold with what was used: atomically removes the hold {@code id} from the counter, if it
     * is still there, and adds {@code amount} to the settled value, creating the counter with
     * {@code ttl} as {@link #increment} does. An {@code amount} of 0 only releases the hold (and creates
     * no counter). A hold that expired is simply gone; the amount is added all the same. Since SPI 2.1.
     *
     * <p>The default implementation adds first and removes the hold afterwards, so that for a moment
     * both count (a reservation then may be refused, never admitted wrongly).
     *
     * @param key    the counter
     * @param id     the hold's name, as given to {@link #reserve}
     * @param amount what was used, to add to the settled value (may exceed the hold)
     * @param ttl    time to live when the counter is created, or {@code null} for none
     * @return the settled value afterwards (0 when there is no counter)
     * @throws IllegalArgumentException for an invalid id
     */
    default long settle(String key, String id, long amount, Duration ttl) {
        Holds.checkId(id);
        long settled = amount != 0 ? increment(key, amount, ttl) : Holds.counter(get(key));
        String holdsKey = key + Holds.SUFFIX;
        while (true) {
            long now = System.currentTimeMillis();
            Optional<byte[]> stored = get(holdsKey);
            Holds holds = Holds.parse(stored, now);
            if (!holds.has(id) || holds.without(id).write(this, holdsKey, stored, now)) {
                return settled;
            }
        }
    }

    /**
     * The sum of the live holds on a counter (those not settled and not expired). Since SPI 2.1.
     *
     * @param key the counter
     * @return the amount held, 0 when none
     */
    default long reserved(String key) {
        return Holds.parse(get(key + Holds.SUFFIX), System.currentTimeMillis()).total();
    }

    /**
     * Deletes a key.
     *
     * @param key the key
     * @return {@code true} if it existed
     */
    boolean delete(String key);

    /** Releases connections at shutdown. The default does nothing. */
    @Override
    default void close() {
    }
}
