package io.gateway.server.plugin;

import io.gateway.spi.Plugin;
import java.nio.file.Path;
import java.util.List;

/**
 * A plugin that loaded: where it came from and what it offers.
 *
 * @param id               the plugin's own id
 * @param directory        its folder
 * @param plugin           the entry point
 * @param classLoader      its class loader
 * @param jars             the jar file names in its folder
 * @param providerTypes    provider types it offers
 * @param middlewareTypes  middleware types it offers
 * @param stateStoreTypes  state store types it offers
 */
public record LoadedPlugin(String id, Path directory, Plugin plugin, ClassLoader classLoader, List<String> jars,
                           List<String> providerTypes, List<String> middlewareTypes, List<String> stateStoreTypes) {

    /**
     * Copies the lists.
     */
    public LoadedPlugin {
        jars = List.copyOf(jars);
        providerTypes = List.copyOf(providerTypes);
        middlewareTypes = List.copyOf(middlewareTypes);
        stateStoreTypes = List.copyOf(stateStoreTypes);
    }

    /**
     * The summary line logged at start-up.
     *
     * @return one line
     */
    public String summary() {
        StringBuilder line = new StringBuilder("plugin ").append(id).append(" from ").append(directory.getFileName());
        if (!providerTypes.isEmpty()) {
            line.append(" providers=").append(providerTypes);
        }
        if (!middlewareTypes.isEmpty()) {
            line.append(" middleware=").append(middlewareTypes);
        }
        if (!stateStoreTypes.isEmpty()) {
            line.append(" stores=").append(stateStoreTypes);
        }
        return line.toString();
    }
}
