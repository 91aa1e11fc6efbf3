package io.gateway.server.plugin;

import io.gateway.server.core.StartupException;
import io.gateway.spi.middleware.MiddlewareFactory;
import io.gateway.spi.Plugin;
import io.gateway.spi.provider.ProviderFactory;
import io.gateway.spi.SpiVersion;
import io.gateway.spi.state.StateStoreFactory;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Loads every plugin folder below the plugins directory, each with its own class loader, and indexes
 * their factories by type. Any broken plugin stops start-up with one line naming its folder and the
 * reason.
 */
public final class PluginRegistry {

    /**
     * A factory and the plugin that offers it.
     *
     * @param factory the factory
     * @param plugin  its plugin
     * @param <F>     the factory type
     */
    public record Offered<F>(F factory, LoadedPlugin plugin) {
    }

    private final List<LoadedPlugin> plugins;
    private final Map<String, Offered<ProviderFactory>> providers;
    private final Map<String, Offered<MiddlewareFactory>> middleware;
    private final Map<String, Offered<StateStoreFactory>> stores;

    private PluginRegistry(List<LoadedPlugin> plugins, Map<String, Offered<ProviderFactory>> providers,
                           Map<String, Offered<MiddlewareFactory>> middleware,
                           Map<String, Offered<StateStoreFactory>> stores) {
        this.plugins = List.copyOf(plugins);
        this.providers = Map.copyOf(providers);
        this.middleware = Map.copyOf(middleware);
        this.stores = Map.copyOf(stores);
    }

    /**
     * Loads all plugin folders of a directory. A missing directory loads nothing.
     *
     * @param pluginsDir the directory
     * @return the registry
     * @throws StartupException for the first broken plugin
     */
    public static PluginRegistry load(Path pluginsDir) {
        List<LoadedPlugin> loaded = new ArrayList<>();
        Map<String, Offered<ProviderFactory>> providers = new LinkedHashMap<>();
        Map<String, Offered<MiddlewareFactory>> middleware = new LinkedHashMap<>();
        Map<String, Offered<StateStoreFactory>> stores = new LinkedHashMap<>();
        if (Files.isDirectory(pluginsDir)) {
            List<Path> folders;
            try (Stream<Path> list = Files.list(pluginsDir)) {
                folders = list.filter(Files::isDirectory).sorted().toList();
            } catch (IOException e) {
                throw new StartupException("cannot list plugins directory " + pluginsDir + ": " + e.getMessage());
            }
            for (Path folder : folders) {
                LoadedPlugin plugin = loadFolder(folder);
                loaded.add(plugin);
                index(plugin, "provider", plugin.plugin().providerFactories(), ProviderFactory::type, providers);
                index(plugin, "middleware", plugin.plugin().middlewareFactories(), MiddlewareFactory::type,
                        middleware);
                index(plugin, "state store", plugin.plugin().stateStoreFactories(), StateStoreFactory::type, stores);
            }
        }
        return new PluginRegistry(loaded, providers, middleware, stores);
    }

    private static <F> void index(LoadedPlugin plugin, String kind, List<F> factories, Function<F, String> type,
                                  Map<String, Offered<F>> into) {
        for (F factory : factories) {
            String name = type.apply(factory);
            Offered<F> earlier = into.get(name);
            if (earlier != null) {
                throw new StartupException(kind + " type '" + name + "' is offered by both plugins/"
                        + earlier.plugin().directory().getFileName() + " and plugins/"
                        + plugin.directory().getFileName() + "; remove one of the two folders");
            }
            into.put(name, new Offered<>(factory, plugin));
        }
    }

    private static LoadedPlugin loadFolder(Path folder) {
        String where = "plugins/" + folder.getFileName();
        List<Path> jars;
        try (Stream<Path> list = Files.list(folder)) {
            jars = list.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new StartupException(where + ": cannot list the folder: " + e.getMessage());
        }
        if (jars.isEmpty()) {
            throw new StartupException(where + ": no .jar file in the folder; put the plugin jar and its "
                    + "dependencies there, or remove the folder");
        }
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new StartupException(where + ": bad jar path " + jars.get(i));
            }
        }
        PluginClassLoader loader = new PluginClassLoader(folder.getFileName().toString(), urls,
                Plugin.class.getClassLoader());
        return io.gateway.server.core.PluginCalls.call(loader, () -> {
            Plugin plugin = instantiate(where, loader);
            int version;
            String id;
            List<String> providerTypes = new ArrayList<>();
            List<String> middlewareTypes = new ArrayList<>();
            List<String> storeTypes = new ArrayList<>();
            try {
                version = plugin.spiVersion();
                if (version != SpiVersion.MAJOR) {
                    throw new StartupException(where + ": " + plugin.getClass().getName() + " was built for SPI major "
                            + "version " + version + ", this gateway has " + SpiVersion.MAJOR
                            + "; rebuild it against gateway-api " + SpiVersion.MAJOR + ".x or remove the folder");
                }
                checkManifestVersion(where, plugin);
                id = plugin.id();
                if (id == null || id.isBlank()) {
                    throw new StartupException(where + ": " + plugin.getClass().getName() + ".id() is blank");
                }
                plugin.providerFactories().forEach(f -> providerTypes.add(checkedType(where, f.type())));
                plugin.middlewareFactories().forEach(f -> middlewareTypes.add(checkedType(where, f.type())));
                plugin.stateStoreFactories().forEach(f -> storeTypes.add(checkedType(where, f.type())));
            } catch (StartupException e) {
                throw e;
            } catch (LinkageError e) {
                throw new StartupException(where + ": " + missing(e));
            } catch (RuntimeException e) {
                throw new StartupException(where + ": the plugin failed while listing its factories: " + describe(e));
            }
            return new LoadedPlugin(id, folder, plugin, loader,
                    jars.stream().map(p -> p.getFileName().toString()).toList(),
                    providerTypes, middlewareTypes, storeTypes);
        });
    }

    /**
     * Plugins built with the project's plugin parent name the SPI version they were compiled against
     * in their jar's manifest; one that needs a newer minor version than this gateway offers would fail
     * later with a linkage error, so it is refused now. Jars without the attribute are accepted on the
     * strength of {@link Plugin#spiVersion()}.
     */
    private static void checkManifestVersion(String where, Plugin plugin) {
        String declared;
        try {
            java.security.CodeSource source = plugin.getClass().getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return;
            }
            Path jar = Path.of(source.getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                return;
            }
            try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
                java.util.jar.Manifest manifest = file.getManifest();
                declared = manifest == null ? null
                        : manifest.getMainAttributes().getValue(SpiVersion.MANIFEST_ATTRIBUTE);
            }
        } catch (IOException | java.net.URISyntaxException | IllegalArgumentException | SecurityException e) {
            return;
        }
        if (declared == null) {
            return;
        }
        String[] parts = declared.trim().split("\\.");
        int major;
        int minor;
        try {
            major = Integer.parseInt(parts[0]);
            minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        } catch (NumberFormatException e) {
            throw new StartupException(where + ": its jar's manifest has " + SpiVersion.MANIFEST_ATTRIBUTE + ": '"
                    + declared + "', which is not MAJOR.MINOR; rebuild the plugin");
        }
        if (major != SpiVersion.MAJOR) {
            throw new StartupException(where + ": the plugin was built for SPI " + declared + ", this gateway has "
                    + SpiVersion.text() + "; rebuild it against gateway-api " + SpiVersion.MAJOR + ".x or remove the folder");
        }
        if (minor > SpiVersion.MINOR) {
            throw new StartupException(where + ": the plugin needs SPI " + declared + ", this gateway offers "
                    + SpiVersion.text() + "; upgrade the gateway or use an older build of the plugin");
        }
    }

    private static String checkedType(String where, String type) {
        if (type == null || type.isBlank()) {
            throw new StartupException(where + ": a factory returns a blank type()");
        }
        return type;
    }

    private static Plugin instantiate(String where, PluginClassLoader loader) {
        Plugin found = null;
        try {
            Iterator<ServiceLoader.Provider<Plugin>> it = ServiceLoader.load(Plugin.class, loader).stream().iterator();
            while (it.hasNext()) {
                ServiceLoader.Provider<Plugin> candidate = it.next();
                if (candidate.type().getClassLoader() != loader) {
                    continue; // visible through the platform loader, not this folder's own
                }
                if (found != null) {
                    throw new StartupException(where + ": more than one Plugin is listed in "
                            + "META-INF/services/io.gateway.spi.Plugin; a folder holds one plugin");
                }
                found = candidate.get();
            }
        } catch (ServiceConfigurationError e) {
            throw new StartupException(where + ": cannot create the plugin: " + describe(e));
        } catch (LinkageError e) {
            throw new StartupException(where + ": " + missing(e));
        }
        if (found == null) {
            throw new StartupException(where + ": no plugin found; its jar needs a file "
                    + "META-INF/services/io.gateway.spi.Plugin naming the class that implements io.gateway.spi.Plugin");
        }
        return found;
    }

    private static String missing(LinkageError e) {
        if (e instanceof NoClassDefFoundError) {
            return "class " + String.valueOf(e.getMessage()).replace('/', '.') + " is missing; put the jar that "
                    + "contains it into the plugin's folder";
        }
        return "the plugin does not link against this gateway (" + e.getClass().getSimpleName() + ": "
                + e.getMessage() + "); rebuild it against this gateway-api";
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        StringBuilder chain = new StringBuilder();
        while (root != null) {
            if (root instanceof NoClassDefFoundError missing) {
                return missing(missing);
            }
            if (!chain.isEmpty()) {
                chain.append(" <- ");
            }
            chain.append(root.getClass().getSimpleName());
            if (root.getMessage() != null) {
                chain.append(": ").append(root.getMessage().lines().findFirst().orElse(""));
            }
            root = root.getCause() == root ? null : root.getCause();
        }
        return chain.toString();
    }

    /**
     * The loaded plugins, in folder order.
     *
     * @return the plugins
     */
    public List<LoadedPlugin> plugins() {
        return plugins;
    }

    /**
     * The provider factory for a type.
     *
     * @param type the type
     * @return the factory and its plugin, or {@code null}
     */
    public Offered<ProviderFactory> provider(String type) {
        return providers.get(type);
    }

    /**
     * The middleware factory for a type.
     *
     * @param type the type
     * @return the factory and its plugin, or {@code null}
     */
    public Offered<MiddlewareFactory> middleware(String type) {
        return middleware.get(type);
    }

    /**
     * The state store factory for a type.
     *
     * @param type the type
     * @return the factory and its plugin, or {@code null}
     */
    public Offered<StateStoreFactory> store(String type) {
        return stores.get(type);
    }

    /**
     * Provider types on offer, for messages.
     *
     * @return sorted types
     */
    public List<String> providerTypes() {
        return providers.keySet().stream().sorted().toList();
    }

    /**
     * Middleware types on offer, for messages.
     *
     * @return sorted types
     */
    public List<String> middlewareTypes() {
        return middleware.keySet().stream().sorted().toList();
    }

    /**
     * State store types on offer, for messages.
     *
     * @return sorted types
     */
    public List<String> storeTypes() {
        return stores.keySet().stream().sorted().toList();
    }
}
