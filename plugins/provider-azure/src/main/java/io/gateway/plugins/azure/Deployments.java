package io.gateway.plugins.azure;

import io.gateway.spi.PluginConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one key's {@code deployments}: which Azure deployment serves which model name.
 *
 * <p>Two forms are accepted. The usual one is a block of {@code model: deployment} pairs. The
 * server's YAML loader treats a dot in a key as a path separator, so {@code gpt-4.1: prod-41}
 * arrives as a block {@code gpt-4} holding {@code 1: prod-41}; this reader walks such nested blocks
 * and joins the names with dots again. The loader cannot keep both {@code gpt-5: a} and
 * {@code gpt-5.1: b} (the first becomes a block and loses its value), so the second form exists for
 * that case: a list of blocks, each with {@code model} and {@code deployment}.
 */
final class Deployments {

    private static final String KEY = "deployments";

    private Deployments() {
    }

    /**
     * The model → deployment map of one key block.
     *
     * @param key the key's configuration block ({@code gateway.providers.NAME.keys[i]})
     * @return the map in file order, empty when the key has none
     * @throws IllegalArgumentException naming the key at fault for a malformed block
     */
    static Map<String, String> read(PluginConfig key) {
        Optional<PluginConfig> block;
        try {
            block = key.child(KEY);
        } catch (IllegalArgumentException notABlock) {
            return readList(key);
        }
        if (block.isEmpty()) {
            return Map.of();
        }
        Map<String, String> result = new LinkedHashMap<>();
        readPairs(key, block.get(), "", result);
        return Collections.unmodifiableMap(result);
    }

    private static void readPairs(PluginConfig key, PluginConfig block, String prefix, Map<String, String> result) {
        for (String name : block.keys()) {
            String model = prefix.isEmpty() ? name : prefix + "." + name;
            Optional<String> deployment;
            try {
                deployment = block.string(name);
            } catch (IllegalArgumentException notAValue) {
                PluginConfig nested;
                try {
                    nested = block.child(name).orElseThrow(() -> notAValue);
                } catch (IllegalArgumentException notABlock) {
                    throw key.invalid(KEY + "." + model, "expected a deployment name, e.g. " + model + ": my-deployment");
                }
                readPairs(key, nested, model, result);
                continue;
            }
            if (deployment.isEmpty()) {
                throw key.invalid(KEY + "." + model, "is empty; write the name of the Azure deployment serving "
                        + model);
            }
            result.put(model, checked(key, KEY + "." + model, deployment.get()));
        }
    }

    private static Map<String, String> readList(PluginConfig key) {
        List<PluginConfig> items;
        try {
            items = key.children(KEY);
        } catch (IllegalArgumentException notAList) {
            throw key.invalid(KEY, "expected a block of model: deployment pairs (e.g. gpt-4o: my-gpt4o), "
                    + "or a list of blocks with 'model' and 'deployment'");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (PluginConfig item : items) {
            String model = item.string("model").orElseThrow(() -> item.invalid("model",
                    "is required: the model name clients ask for, e.g. gpt-4o"));
            String deployment = item.string("deployment").orElseThrow(() -> item.invalid("deployment",
                    "is required: the name of the Azure deployment serving " + model));
            if (result.containsKey(model)) {
                throw item.invalid("model", "'" + model + "' is mapped twice in this key's deployments");
            }
            result.put(model, checked(item, "deployment", deployment));
        }
        return Collections.unmodifiableMap(result);
    }

    private static String checked(PluginConfig block, String key, String deployment) {
        String trimmed = deployment.trim();
        if (!validName(trimmed)) {
            throw block.invalid(key, "'" + trimmed + "' is not a deployment name; Azure deployment names use "
                    + "letters, digits, '-', '_' and '.'");
        }
        return trimmed;
    }

    /**
     * Whether a name can stand in a URL path segment as an Azure deployment: not blank, not
     * {@code .} or {@code ..}, and no {@code /}, {@code ?}, {@code #}, {@code %}, whitespace or
     * control characters.
     *
     * @param name the name
     * @return {@code true} if usable
     */
    static boolean validName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '/' || c == '\\' || c == '?' || c == '#' || c == '%') {
                return false;
            }
        }
        return true;
    }
}
