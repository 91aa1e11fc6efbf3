package io.gateway.server.config;

import io.helidon.config.Config;
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
     * Copies a Helidon config node.
     *
     * @param config     the node
     * @param substitute replaces placeholders in scalar values
     * @return the copy
     */
    static ConfigNode from(Config config, EnvSubstitution substitute) {
        return switch (config.type()) {
            case OBJECT -> {
                Map<String, ConfigNode> fields = new LinkedHashMap<>();
                for (Config child : config.asNodeList().orElse(List.of())) {
                    fields.put(child.name(), from(child, substitute));
                }
                yield new ObjectNode(fields);
            }
            case LIST -> {
                List<ConfigNode> items = new ArrayList<>();
                for (Config child : config.asNodeList().orElse(List.of())) {
                    items.add(from(child, substitute));
                }
                yield new ListNode(items);
            }
            case VALUE -> {
                String raw = config.asString().orElse("");
                String value = substitute.apply(raw);
                yield new ValueNode(value, raw, substitute.firstUnset(raw));
            }
            case MISSING -> EMPTY;
        };
    }
}
