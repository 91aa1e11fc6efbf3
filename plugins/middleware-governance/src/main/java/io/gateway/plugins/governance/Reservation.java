package io.gateway.plugins.governance;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What one admitted request holds until it is settled: a hold on its key's token window and one on
 * its budget's period (either may be absent), both under one random id, and the counters its usage
 * goes to. A request is charged to the window and period it was admitted in, whenever it ends.
 *
 * <p>Owned by the middleware for the request's life. Thread-safe: {@link #end()} and
 * {@link #renewing} are called from the request's thread, a stream's closer, an async job's worker
 * and the renewal thread; both take this object's lock, so a hold is never renewed after it was settled.
 */
final class Reservation {

    /**
     * One counter this request is charged to.
     *
     * @param counter the store key
     * @param amount  what is held, or 0 when nothing is held (a counter without a limit)
     * @param limit   the limit, or -1 without one (nothing held)
     * @param ttl     the counter's time to live when a settlement creates it
     */
    record Counter(String counter, long amount, long limit, Duration ttl) {
        boolean held() {
            return limit >= 0;
        }
    }

    private final String id;
    private final String key;
    private final Counter tokens;
    private final Counter spend;
    private long renewAt;
    private boolean ended;

    /**
     * A reservation.
     *
     * @param key     the virtual key's name, for log lines
     * @param tokens  where the request's tokens go
     * @param spend   where its cost goes
     * @param renewAt epoch millis of the first renewal of its holds
     */
    Reservation(String key, Counter tokens, Counter spend, long renewAt) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.id = "h" + Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong()
                | Long.MIN_VALUE);
        this.key = key;
        this.tokens = tokens;
        this.spend = spend;
        this.renewAt = renewAt;
    }

    /** The holds' id: random, so client-chosen request ids can never collide. */
    String id() {
        return id;
    }

    String key() {
        return key;
    }

    Counter tokens() {
        return tokens;
    }

    Counter spend() {
        return spend;
    }

    /** Whether anything is held (the renewal thread keeps only such reservations). */
    boolean holds() {
        return tokens.held() || spend.held();
    }

    /**
     * Marks the request as ended, once.
     *
     * @return {@code true} the first time: the caller settles or releases the holds
     */
    synchronized boolean end() {
        if (ended) {
            return false;
        }
        ended = true;
        return true;
    }

    /**
     * Runs a renewal of the holds unless the request ended, holding this object's lock so that an
     * ending waits for a renewal in progress (and then removes what it renewed).
     *
     * @param now   epoch millis
     * @param every the renewal period in millis
     * @param renew renews the holds
     */
    synchronized void renewing(long now, long every, Runnable renew) {
        if (ended || now < renewAt) {
            return;
        }
        renewAt = now + every;
        renew.run();
    }

    @Override
    public String toString() {
        return "Reservation[" + key + " " + id + "]";
    }
}
