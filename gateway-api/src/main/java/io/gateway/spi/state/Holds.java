package io.gateway.spi.state;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The holds of one counter as {@link StateStore}'s default implementation keeps them: one line per
 * hold, {@code id amount expiresAtMillis}. Immutable; only live holds are kept when parsed.
 */
final class Holds {

    /** Appended to a counter's key for the key of its holds. */
    static final String SUFFIX = "#holds";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private record Hold(String id, long amount, long expiresAt) {
    }

    private final List<Hold> holds;

    private Holds(List<Hold> holds) {
        this.holds = holds;
    }

    static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a hold's id is 1 to 128 letters, digits, '-', '_', '.' or ':': " + id);
        }
    }

    static void check(String id, long amount, long limit, Duration holdTtl) {
        checkId(id);
        if (amount < 0) {
            throw new IllegalArgumentException("a hold's amount must not be negative: " + amount);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("a limit must not be negative: " + limit);
        }
        if (holdTtl == null || holdTtl.isZero() || holdTtl.isNegative()) {
            throw new IllegalArgumentException("a hold needs a positive time to live: " + holdTtl);
        }
    }

    /** Whether settled + held + amount stays within limit, without overflowing. */
    static boolean fits(long settled, long held, long amount, long limit) {
        try {
            return Math.addExact(Math.addExact(settled, held), amount) <= limit;
        } catch (ArithmeticException overflow) {
            return false;
        }
    }

    /** A counter's value; absent is 0. */
    static long counter(Optional<byte[]> value) {
        if (value.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(new String(value.get(), StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw GatewayException.of(ErrorCode.INTERNAL, "a state entry used as a counter is not a number");
        }
    }

    static Holds parse(Optional<byte[]> stored, long now) {
        List<Hold> live = new ArrayList<>();
        if (stored.isPresent()) {
            for (String line : new String(stored.get(), StandardCharsets.US_ASCII).split("\n")) {
                String[] parts = line.split(" ");
                if (parts.length != 3) {
                    continue;
                }
                try {
                    Hold hold = new Hold(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]));
                    if (hold.expiresAt() > now) {
                        live.add(hold);
                    }
                } catch (NumberFormatException e) {
                    // a damaged line holds nothing
                }
            }
        }
        return new Holds(live);
    }

    boolean has(String id) {
        return holds.stream().anyMatch(hold -> hold.id().equals(id));
    }

    long total() {
        long total = 0;
        for (Hold hold : holds) {
            total += hold.amount();
        }
        return total;
    }

    Holds with(String id, long amount, long expiresAt) {
        List<Hold> copy = new ArrayList<>(holds);
        copy.add(new Hold(id, amount, expiresAt));
        return new Holds(copy);
    }

    Holds renewed(String id, long expiresAt) {
        List<Hold> copy = new ArrayList<>(holds.size());
        for (Hold hold : holds) {
            copy.add(hold.id().equals(id) ? new Hold(id, hold.amount(), Math.max(expiresAt, hold.expiresAt())) : hold);
        }
        return new Holds(copy);
    }

    Holds without(String id) {
        List<Hold> copy = new ArrayList<>(holds.size());
        for (Hold hold : holds) {
            if (!hold.id().equals(id)) {
                copy.add(hold);
            }
        }
        return new Holds(copy);
    }

    /**
     * Writes these holds in place of {@code stored}, if it is still there: with a time to live until
     * the last of them expires; none left is written as an entry that expires at once.
     *
     * @return {@code false} when someone else changed the holds first
     */
    boolean write(StateStore store, String holdsKey, Optional<byte[]> stored, long now) {
        long latest = now + 1;
        StringBuilder text = new StringBuilder();
        for (Hold hold : holds) {
            text.append(hold.id()).append(' ').append(hold.amount()).append(' ').append(hold.expiresAt()).append('\n');
            latest = Math.max(latest, hold.expiresAt());
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
        Duration ttl = Duration.ofMillis(latest - now);
        if (stored.isEmpty()) {
            return holds.isEmpty() || store.putIfAbsent(holdsKey, bytes, ttl);
        }
        return store.compareAndSet(holdsKey, stored.get(), bytes, holds.isEmpty() ? Duration.ofMillis(1) : ttl);
    }
}
