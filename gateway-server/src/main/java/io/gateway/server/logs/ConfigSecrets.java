package io.gateway.server.logs;

import io.gateway.server.config.ConfigNode;
import io.gateway.server.config.ReadTracker;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The secret values of the configuration (provider keys, virtual keys, tokens, passwords), which the
 * request log masks wherever they appear in what it stores. A value is secret when it was read as one
 * (every {@code secret(...)} read of the server and the plugins) or when its key's name says so.
 */
final class ConfigSecrets {

    private static final Set<String> SECRET_NAMES = Set.of("value", "token", "password", "secret", "api-key",
            "apikey", "key", "authorization");

    private ConfigSecrets() {
    }

    /**
     * Collects the secrets. Call after every plugin has read its configuration.
     *
     * @param root    the configuration tree
     * @param tracker which keys were read as secrets
     * @return the values, unmodifiable
     */
    static Set<String> collect(ConfigNode.ObjectNode root, ReadTracker tracker) {
        Set<String> values = new HashSet<>();
        walk("", root, tracker, values);
        return Set.copyOf(values);
    }

    private static void walk(String path, ConfigNode node, ReadTracker tracker, Set<String> values) {
        switch (node) {
            case ConfigNode.ObjectNode object -> {
                for (Map.Entry<String, ConfigNode> field : object.fields().entrySet()) {
                    walk(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), tracker,
                            values);
                }
            }
            case ConfigNode.ListNode list -> {
                for (int i = 0; i < list.items().size(); i++) {
                    walk(path + "[" + i + "]", list.items().get(i), tracker, values);
                }
            }
            case ConfigNode.ValueNode value -> {
                String name = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
                boolean secret = tracker.isSecret(path) || SECRET_NAMES.contains(name);
                if (secret && !value.value().isBlank()) {
                    values.add(value.value().trim());
                }
            }
        }
    }
}
