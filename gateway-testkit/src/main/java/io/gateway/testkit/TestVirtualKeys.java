package io.gateway.testkit;

import io.gateway.spi.middleware.ManagedVirtualKey;
import io.gateway.spi.middleware.VirtualKeyDirectory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link VirtualKeyDirectory} a test fills, standing in for the keys the server manages through its
 * admin API: {@link #put} a key with a value, change or {@link #remove} it, mark it
 * {@link #loaded(boolean) not loaded yet}. Like the server's, it keeps only a SHA-256 digest of each
 * value and compares digests in constant time. Thread-safe.
 *
 * <pre>{@code
 * TestVirtualKeys keys = new TestVirtualKeys();
 * keys.put("sk-bf-test-value", ManagedVirtualKey.builder("app-x").allowedModels(List.of("openai/*")).build());
 * TestContext context = TestContext.builder().virtualKeys(keys).build();
 * }</pre>
 */
public final class TestVirtualKeys implements VirtualKeyDirectory {

    private record Entry(byte[] digest, ManagedVirtualKey key) {
    }

    private final Map<String, Entry> byName = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();
    private volatile boolean loaded = true;

    /**
     * Adds a key with a value, or replaces the key of that name (and its value).
     *
     * @param value the value clients send
     * @param key   the key
     * @return this directory
     */
    public TestVirtualKeys put(String value, ManagedVirtualKey key) {
        byName.put(key.name(), new Entry(digest(value), key));
        version.incrementAndGet();
        return this;
    }

    /**
     * Removes a key.
     *
     * @param name the key's name
     * @return this directory
     */
    public TestVirtualKeys remove(String name) {
        byName.remove(name);
        version.incrementAndGet();
        return this;
    }

    /**
     * Whether the directory says it has been loaded (the server's says no until its database answered).
     *
     * @param value {@code false} to stand for a directory still loading
     * @return this directory
     */
    public TestVirtualKeys loaded(boolean value) {
        loaded = value;
        return this;
    }

    @Override
    public Optional<ManagedVirtualKey> find(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] candidate = digest(presented);
        ManagedVirtualKey found = null;
        for (Entry entry : byName.values()) {
            if (MessageDigest.isEqual(entry.digest(), candidate) && found == null) {
                found = entry.key();
            }
        }
        return Optional.ofNullable(found);
    }

    @Override
    public List<ManagedVirtualKey> keys() {
        List<ManagedVirtualKey> keys = new ArrayList<>();
        byName.values().forEach(entry -> keys.add(entry.key()));
        keys.sort(Comparator.comparing(ManagedVirtualKey::name));
        return List.copyOf(keys);
    }

    @Override
    public long version() {
        return version.get();
    }

    @Override
    public boolean loaded() {
        return loaded;
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "TestVirtualKeys" + keys();
    }
}
