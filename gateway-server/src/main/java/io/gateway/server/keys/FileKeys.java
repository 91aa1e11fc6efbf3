package io.gateway.server.keys;

import io.gateway.server.config.ConfigNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The virtual keys declared in the configuration file ({@code virtual-keys} of the {@code governance}
 * entries of {@code gateway.middleware}), as the admin API lists them: read-only, {@code source:
 * "file"}. Read from the configuration tree as written (governance validated it at start-up); the
 * values are never read. Immutable.
 *
 * @param file the configuration file's name, for the 409 that refuses to change them
 * @param keys the keys by name, in file order
 */
public record FileKeys(String file, Map<String, KeyDocument> keys) {

    /** Copies the map. */
    public FileKeys {
        keys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }

    /**
     * The file keys of a configuration.
     *
     * @param root the configuration tree
     * @param file the file's name, or {@code null} when the configuration came from no file
     * @return the keys
     */
    public static FileKeys read(ConfigNode.ObjectNode root, String file) {
        Map<String, KeyDocument> keys = new LinkedHashMap<>();
        if (root.fields().get("gateway") instanceof ConfigNode.ObjectNode gateway
                && gateway.fields().get("middleware") instanceof ConfigNode.ListNode middleware) {
            for (ConfigNode entry : middleware.items()) {
                if (entry instanceof ConfigNode.ObjectNode block && "governance".equals(text(block, "type"))
                        && block.fields().get("virtual-keys") instanceof ConfigNode.ListNode list) {
                    for (ConfigNode item : list.items()) {
                        if (item instanceof ConfigNode.ObjectNode key && text(key, "name") != null) {
                            keys.putIfAbsent(text(key, "name"), document(key));
                        }
                    }
                }
            }
        }
        return new FileKeys(file == null ? "the configuration file" : file, keys);
    }

    /**
     * Whether a name is a file key's.
     *
     * @param name the name
     * @return {@code true} when declared in the file
     */
    public boolean contains(String name) {
        return keys.containsKey(name);
    }

    private static KeyDocument document(ConfigNode.ObjectNode key) {
        List<String> models = new ArrayList<>();
        if (key.fields().get("allowed-models") instanceof ConfigNode.ListNode list) {
            for (ConfigNode item : list.items()) {
                if (item instanceof ConfigNode.ValueNode value) {
                    models.add(value.value().trim());
                }
            }
        }
        KeyDocument.RateLimit rate = null;
        if (key.fields().get("rate-limit") instanceof ConfigNode.ObjectNode limit) {
            rate = new KeyDocument.RateLimit(number(limit, "requests"), text(limit, "per"), number(limit, "tokens"),
                    text(limit, "tokens-per"));
        }
        KeyDocument.Budget budget = null;
        if (key.fields().get("budget") instanceof ConfigNode.ObjectNode cap && text(cap, "usd") != null) {
            try {
                budget = new KeyDocument.Budget(new BigDecimal(text(cap, "usd").trim()), text(cap, "per"));
            } catch (NumberFormatException e) {
                budget = null;
            }
        }
        return new KeyDocument(text(key, "name"), "file", models, rate, budget, false, null, null, null, null);
    }

    private static String text(ConfigNode.ObjectNode block, String field) {
        return block.fields().get(field) instanceof ConfigNode.ValueNode value ? value.value() : null;
    }

    private static Long number(ConfigNode.ObjectNode block, String field) {
        String text = text(block, field);
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
