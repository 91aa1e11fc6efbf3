package io.gateway.server.keys;

import io.gateway.spi.middleware.ManagedVirtualKey;
import io.gateway.spi.middleware.VirtualKeyDirectory;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The managed keys as the server lends them to middleware: an immutable snapshot of the database,
 * swapped whole when the version row changed ({@link ManagedKeys} polls it off the request path).
 * A lookup hashes the presented value once (SHA-256), finds the entry by its digest, and confirms the
 * digest with {@link MessageDigest#isEqual}; nothing else is compared, so the time taken says nothing
 * about how close a guess was. Thread-safe: readers see one snapshot or the next, never a mix.
 */
final class KeyDirectory implements VirtualKeyDirectory {

    /** One digest and the key it opens; {@code previous} for the value before a rotation. */
    private record Entry(byte[] digest, StoredKey stored, boolean previous) {
    }

    /** What one version of the database holds. */
    private record Snapshot(long version, Map<ByteBuffer, Entry> byDigest, List<ManagedVirtualKey> keys,
                            List<StoredKey> stored) {
    }

    private final Clock clock;
    private volatile Snapshot snapshot = new Snapshot(-1, Map.of(), List.of(), List.of());

    /**
     * An empty directory, not loaded yet.
     *
     * @param clock the clock the grace of rotations is measured on
     */
    KeyDirectory(Clock clock) {
        this.clock = clock;
    }

    /**
     * Replaces the keys with those of a newer version; an older or equal version is ignored, so a slow
     * poll never undoes what a write on this replica already installed.
     *
     * @param version the version row's value
     * @param keys    every key of that version
     * @return {@code true} when installed
     */
    synchronized boolean install(long version, List<StoredKey> keys) {
        if (snapshot.version() >= version && loaded()) {
            return false;
        }
        Map<ByteBuffer, Entry> byDigest = new HashMap<>();
        for (StoredKey key : keys) {
            byte[] current = KeyValues.fromHex(key.valueHash());
            byDigest.put(ByteBuffer.wrap(current), new Entry(current, key, false));
            if (key.previousHash() != null) {
                byte[] previous = KeyValues.fromHex(key.previousHash());
                byDigest.putIfAbsent(ByteBuffer.wrap(previous), new Entry(previous, key, true));
            }
        }
        snapshot = new Snapshot(version, Map.copyOf(byDigest), keys.stream().map(StoredKey::key).toList(),
                List.copyOf(keys));
        return true;
    }

    @Override
    public Optional<ManagedVirtualKey> find(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        Snapshot current = snapshot;
        if (current.byDigest().isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = KeyValues.digest(presented);
        Entry entry = current.byDigest().get(ByteBuffer.wrap(digest));
        if (entry == null || !MessageDigest.isEqual(entry.digest(), digest)) {
            return Optional.empty();
        }
        if (entry.previous() && !entry.stored().previousValid(clock.millis())) {
            return Optional.empty();
        }
        return Optional.of(entry.stored().key());
    }

    @Override
    public List<ManagedVirtualKey> keys() {
        return snapshot.keys();
    }

    /**
     * The stored keys of the current snapshot (for the admin API's listing).
     *
     * @return the keys in name order
     */
    List<StoredKey> stored() {
        return snapshot.stored();
    }

    @Override
    public long version() {
        return snapshot.version();
    }

    @Override
    public boolean loaded() {
        return snapshot.version() >= 0;
    }
}
