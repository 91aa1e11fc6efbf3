package io.gateway.server.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable copy of a configuration tree, taken once from Helidon Config at start-up, with
 * environment placeholders already replaced. Everything after loading reads this tree, which keeps
 * the typed views simple and lets the server tell which keys were never read.
 */
public sealed interface ConfigNode {

    /** A mapping of keys to nodes, in file order. */
    record ObjectNode(Map<String, ConfigNode> fields) implements ConfigNode {
        /** Copies the fields. */
        public ObjectNode {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }
    }

    /** A sequence of nodes. */
    record ListNode(List<ConfigNode> items) implements ConfigNode {
        /** Copies the items. */
        public ListNode {
            items = List.copyOf(items);
        }
    }

    /**
     * A scalar.
     *
     * @param value    the value after substitution
     * @param raw      the value as written in the file (placeholders kept), for redacted output
     * @param unsetVar the first referenced environment variable that was unset, or {@code null}
     */
    record ValueNode(String value, String raw, String unsetVar) implements ConfigNode {
    }

    /** An empty object. */
    ObjectNode EMPTY = new ObjectNode(Map.of());

    /**
     * Builds the tree from YAML text. Keys are kept as written: {@code gpt-4.1} is one key, not a path.
     *
     * @param yaml       the text
     * @param substitute replaces placeholders in scalar values
     * @return the tree
     * @throws org.yaml.snakeyaml.error.YAMLException if the text is not YAML
     */
    static ConfigNode fromYaml(String yaml, EnvSubstitution substitute) {
        org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object document = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(options))
                .load(yaml);
        return fromObject(document == null ? Map.of() : document, substitute);
    }

    private static ConfigNode fromObject(Object value, EnvSubstitution substitute) {
        if (value instanceof Map<?, ?> map) {
            Map<String, ConfigNode> fields = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                fields.put(String.valueOf(entry.getKey()), entry.getValue() == null
                        ? new ValueNode("", "", null) : fromObject(entry.getValue(), substitute));
            }
            return new ObjectNode(fields);
        }
        if (value instanceof List<?> list) {
            List<ConfigNode> items = new ArrayList<>(list.size());
            for (Object item : list) {
                items.add(item == null ? new ValueNode("", "", null) : fromObject(item, substitute));
            }
            return new ListNode(items);
        }
        String raw = String.valueOf(value);
        return new ValueNode(substitute.apply(raw), raw, substitute.firstUnset(raw));
    }
}
