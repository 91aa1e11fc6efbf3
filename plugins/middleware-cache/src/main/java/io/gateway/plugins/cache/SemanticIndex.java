package io.gateway.plugins.cache;

import io.gateway.spi.PluginMetrics;
import io.gateway.spi.state.StateStore;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The vectors of the semantic path: persisted in the {@link StateStore} so that every replica finds the
 * answers any replica stored, and held in memory per node so that a lookup reads one small token from
 * the store rather than every vector.
 *
 * <p><b>In the store</b>, per scope ({@link RequestKeys#scope}: cache key, operation, model and
 * parameters): {@code <scope>} holds the scope's entries (the exact entry's key, when it expires, the
 * unit vector), at most {@code max-entries-per-key}, the oldest dropped first, replaced with an atomic
 * compare-and-set; {@code <scope>:v} holds a random token written after every change. Both live as long
 * as the scope's longest-lived entry. The answers themselves are the exact entries
 * ({@code cache:d:<hash>}), stored once.
 *
 * <p><b>On this node</b>, scopes are kept in a least-recently-used map bounded by the number of vectors
 * over all scopes ({@code index-max-entries}); a scope is loaded again when its token in the store differs
 * from the one it was loaded with. Memory per entry: 4 bytes per dimension plus about 100 bytes (6.2 KB
 * for 1,536 dimensions). A lookup compares the request's vector with every live entry of its scope (a
 * brute-force scan: {@code max-entries-per-key} dot products). Thread-safe.
 */
final class SemanticIndex {

    private static final byte VERSION = 1;

    /** One stored answer's vector. */
    record Entry(String directKey, long expiresAt, float[] vector) {
    }

    /**
     * The nearest entry above the threshold.
     *
     * @param directKey  the exact entry holding its answer
     * @param similarity the cosine similarity
     */
    record Match(String directKey, double similarity) {
    }

    private record Loaded(String token, List<Entry> entries) {
    }

    private final StateStore store;
    private final Clock clock;
    private final int maxPerScope;
    private final int maxTotal;
    private final PluginMetrics metrics;
    private final LinkedHashMap<String, Loaded> local = new LinkedHashMap<>(64, 0.75f, true);
    private int held;

    SemanticIndex(StateStore store, Clock clock, int maxPerScope, int maxTotal, PluginMetrics metrics) {
        this.store = store;
        this.clock = clock;
        this.maxPerScope = maxPerScope;
        this.maxTotal = maxTotal;
        this.metrics = metrics;
    }

    /**
     * The most similar live entry of a scope, if it reaches the threshold.
     *
     * @param scope     the scope's key
     * @param vector    the request's unit vector
     * @param threshold the least similarity of a hit
     * @return the match, or {@code null}
     */
    Match nearest(String scope, float[] vector, double threshold) {
        Optional<byte[]> token = store.get(scope + ":v");
        if (token.isEmpty()) {
            return null;
        }
        String current = new String(token.get(), StandardCharsets.US_ASCII);
        Loaded loaded;
        synchronized (local) {
            loaded = local.get(scope);
        }
        if (loaded == null || !loaded.token().equals(current)) {
            loaded = new Loaded(current, decode(store.get(scope)));
            remember(scope, loaded);
        }
        long now = clock.millis();
        Entry best = null;
        double bestSimilarity = -2;
        for (Entry entry : loaded.entries()) {
            if (entry.expiresAt() <= now) {
                continue;
            }
            double similarity = Embedder.similarity(vector, entry.vector());
            if (similarity > bestSimilarity) {
                bestSimilarity = similarity;
                best = entry;
            }
        }
        return best != null && bestSimilarity >= threshold ? new Match(best.directKey(), bestSimilarity) : null;
    }

    /**
     * Adds an answer's vector to its scope in the store (and so, at their next lookup, to every node's
     * index).
     *
     * @param scope     the scope's key
     * @param directKey the exact entry holding the answer
     * @param vector    the unit vector of the request's text
     * @param ttl       how long the answer lives
     * @return whether it was added (compare-and-set lost 8 times in a row: not)
     */
    boolean add(String scope, String directKey, float[] vector, Duration ttl) {
        for (int attempt = 0; attempt < 8; attempt++) {
            long now = clock.millis();
            Optional<byte[]> stored = store.get(scope);
            List<Entry> entries = new ArrayList<>(decode(stored));
            entries.removeIf(entry -> entry.expiresAt() <= now || entry.directKey().equals(directKey));
            entries.add(new Entry(directKey, now + ttl.toMillis(), vector));
            int dropped = 0;
            while (entries.size() > maxPerScope) {
                entries.remove(0);
                dropped++;
            }
            long last = entries.stream().mapToLong(Entry::expiresAt).max().orElse(now + ttl.toMillis());
            Duration scopeTtl = Duration.ofMillis(Math.max(1, last - now));
            byte[] bytes = encode(entries);
            boolean written = stored.isEmpty() ? store.putIfAbsent(scope, bytes, scopeTtl)
                    : store.compareAndSet(scope, stored.get(), bytes, scopeTtl);
            if (written) {
                if (dropped > 0) {
                    metrics.count("gateway.cache.evicted", dropped, "reason", "scope_full");
                }
                store.put(scope + ":v", token().getBytes(StandardCharsets.US_ASCII), scopeTtl);
                return true;
            }
        }
        return false;
    }

    /** The vectors this node holds, for tests and the memory bound. */
    int held() {
        synchronized (local) {
            return held;
        }
    }

    private void remember(String scope, Loaded loaded) {
        int dropped = 0;
        synchronized (local) {
            Loaded previous = local.put(scope, loaded);
            held += loaded.entries().size() - (previous == null ? 0 : previous.entries().size());
            Iterator<Map.Entry<String, Loaded>> eldest = local.entrySet().iterator();
            while (held > maxTotal && eldest.hasNext()) {
                Map.Entry<String, Loaded> next = eldest.next();
                if (next.getKey().equals(scope)) {
                    continue;
                }
                held -= next.getValue().entries().size();
                dropped += next.getValue().entries().size();
                eldest.remove();
            }
        }
        if (dropped > 0) {
            metrics.count("gateway.cache.evicted", dropped, "reason", "index_full");
        }
    }

    private static String token() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(System.nanoTime());
    }

    static byte[] encode(List<Entry> entries) {
        int dimensions = entries.isEmpty() ? 0 : entries.get(0).vector().length;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 + entries.size() * (80 + 4 * dimensions));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeInt(entries.size());
            for (Entry entry : entries) {
                out.writeUTF(entry.directKey());
                out.writeLong(entry.expiresAt());
                out.writeInt(entry.vector().length);
                for (float value : entry.vector()) {
                    out.writeFloat(value);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The entries of a stored scope; none for an absent or unreadable one. */
    static List<Entry> decode(Optional<byte[]> stored) {
        if (stored.isEmpty()) {
            return List.of();
        }
        byte[] bytes = stored.get();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            if (in.readByte() != VERSION) {
                return List.of();
            }
            int count = in.readInt();
            if (count < 0 || count > bytes.length) {
                return List.of();
            }
            List<Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String directKey = in.readUTF();
                long expiresAt = in.readLong();
                int dimensions = in.readInt();
                if (dimensions < 0 || dimensions > bytes.length / 4) {
                    return List.of();
                }
                float[] vector = new float[dimensions];
                for (int d = 0; d < dimensions; d++) {
                    vector[d] = in.readFloat();
                }
                entries.add(new Entry(directKey, expiresAt, vector));
            }
            return List.copyOf(entries);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    @Override
    public String toString() {
        return "SemanticIndex[" + held() + " vectors held, " + Arrays.asList(maxPerScope, maxTotal) + "]";
    }
}
