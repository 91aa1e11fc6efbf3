package io.gateway.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * The upstream attempts made for one request, appended by the router as it works.
 *
 * <p>The server puts a fresh log on every exchange under {@link #KEY} before the chain runs. A
 * middleware reads it after {@link Chain#proceed} returned or threw (for streams, once the first
 * event arrived, since retries and fallbacks end there). Thread-safe; {@link #attempts()} returns a
 * snapshot.
 */
public final class AttemptLog {

    /** Where the server puts the log on each exchange. */
    public static final AttributeKey<AttemptLog> KEY = AttributeKey.of("attempt-log", AttemptLog.class);

    private final List<RoutingAttempt> attempts = new ArrayList<>(2);

    /** A new, empty log; created by the server. */
    public AttemptLog() {
    }

    /**
     * Appends an attempt; called by the router.
     *
     * @param attempt the attempt
     */
    public synchronized void add(RoutingAttempt attempt) {
        attempts.add(attempt);
    }

    /**
     * The attempts so far, in order.
     *
     * @return an immutable snapshot
     */
    public synchronized List<RoutingAttempt> attempts() {
        return List.copyOf(attempts);
    }

    /**
     * How many attempts were made.
     *
     * @return the count
     */
    public synchronized int size() {
        return attempts.size();
    }

    @Override
    public synchronized String toString() {
        return attempts.toString();
    }
}
