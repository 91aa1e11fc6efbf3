package io.gateway.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers which configuration keys someone read, so keys nobody read can be reported as unknown
 * (a misspelt {@code max-retires} must stop start-up, not be ignored).
 */
public final class ReadTracker {

    private final Set<String> wholeReads = ConcurrentHashMap.newKeySet();
    private final Set<String> blockReads = ConcurrentHashMap.newKeySet();
    private final Set<String> secretReads = ConcurrentHashMap.newKeySet();

    /**
     * Marks a key read as a secret, so it is redacted wherever the configuration is shown.
     *
     * @param path the full key
     */
    void readSecret(String path) {
        secretReads.add(path);
    }

    /**
     * Whether a key was read as a secret.
     *
     * @param path the full key
     * @return {@code true} for secrets
     */
    public boolean isSecret(String path) {
        return secretReads.contains(path);
    }

    /**
     * Marks a key whose value was read entirely (a scalar, a list of strings, a map).
     *
     * @param path the full key
     */
    void readWhole(String path) {
        wholeReads.add(path);
    }

    /**
     * Marks a key read as a block whose own keys are tracked one by one.
     *
     * @param path the full key
     */
    void readBlock(String path) {
        blockReads.add(path);
    }

    /**
     * The keys below {@code path} that nobody read.
     *
     * @param path the block's full key
     * @param node the block
     * @return full keys, in file order
     */
    public List<String> unread(String path, ConfigNode node) {
        List<String> result = new ArrayList<>();
        collect(path, node, result);
        return result;
    }

    private void collect(String path, ConfigNode node, List<String> result) {
        if (node instanceof ConfigNode.ObjectNode object) {
            for (Map.Entry<String, ConfigNode> field : object.fields().entrySet()) {
                String child = path + "." + field.getKey();
                if (wholeReads.contains(child)) {
                    continue;
                }
                if (blockReads.contains(child)) {
                    collect(child, field.getValue(), result);
                } else {
                    result.add(child);
                }
            }
        } else if (node instanceof ConfigNode.ListNode list) {
            for (int i = 0; i < list.items().size(); i++) {
                String child = path + "[" + i + "]";
                if (blockReads.contains(child)) {
                    collect(child, list.items().get(i), result);
                }
            }
        }
    }
}
