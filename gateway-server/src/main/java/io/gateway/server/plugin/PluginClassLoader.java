package io.gateway.server.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The class loader of one plugin folder. The SPI ({@code io.gateway.spi.}) and JSON-P
 * ({@code jakarta.json.}) come from the server so that plugin and server share those types; the
 * JDK comes from the platform loader; everything else comes only from the folder's own jars. A
 * plugin therefore never sees Helidon, the server's libraries or another plugin, and may bring its
 * own versions of any library.
 */
final class PluginClassLoader extends URLClassLoader {

    private static final String[] SHARED = {"io.gateway.spi.", "jakarta.json."};
    private static final String[] SHARED_RESOURCES = {"io/gateway/spi/", "jakarta/json/"};

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader server;

    PluginClassLoader(String id, URL[] jars, ClassLoader server) {
        super("plugin-" + id, jars, ClassLoader.getPlatformClassLoader());
        this.server = server;
    }

    private static boolean shared(String name, String[] prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (shared(name, SHARED)) {
            return server.loadClass(name);
        }
        // Parent is the platform loader, so the default order is: JDK first, then our own jars.
        return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
        if (shared(name, SHARED_RESOURCES)) {
            return server.getResource(name);
        }
        return super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (shared(name, SHARED_RESOURCES)) {
            return server.getResources(name);
        }
        Enumeration<URL> own = findResources(name);
        Enumeration<URL> platform = getParent().getResources(name);
        if (!platform.hasMoreElements()) {
            return own;
        }
        java.util.List<URL> all = Collections.list(platform);
        all.addAll(Collections.list(own));
        return Collections.enumeration(all);
    }
}
