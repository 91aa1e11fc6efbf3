package io.gateway.plugins.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Plugin;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.state.StateStoreFactory;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.RecordingLogger;
import io.gateway.testkit.TestConfig;

/**
 * Loads the built plugin jar and its dependency jars the way the server loads {@code
 * plugins/store-redis/}: a URL class loader whose parent is the platform loader and that takes only
 * the SPI and JSON-P from the application, then uses the store against Redis.
 */
class RedisPluginJarIT {

    /** Like the server's plugin class loader: JDK, then the folder's jars; SPI and JSON-P shared. */
    private static final class PluginLoader extends URLClassLoader {
        private static final String[] SHARED = {"io.gateway.spi.", "jakarta.json."};
        private static final String[] SHARED_RESOURCES = {"io/gateway/spi/", "jakarta/json/"};

        static {
            registerAsParallelCapable();
        }

        private final ClassLoader server;

        PluginLoader(URL[] jars, ClassLoader server) {
            super("plugin-store-redis", jars, ClassLoader.getPlatformClassLoader());
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
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            return shared(name, SHARED_RESOURCES) ? server.getResource(name) : super.getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            if (shared(name, SHARED_RESOURCES)) {
                return server.getResources(name);
            }
            List<URL> all = Collections.list(getParent().getResources(name));
            all.addAll(Collections.list(findResources(name)));
            return Collections.enumeration(all);
        }
    }

    private static Path property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            fail("system property " + name + " is not set; run this test with mvn verify (failsafe)");
        }
        return Path.of(value);
    }

    private static URL[] pluginFolder() throws IOException {
        Path jar = property("store.redis.jar");
        Path deps = property("store.redis.deps");
        assertTrue(Files.isRegularFile(jar), "the plugin jar " + jar + " was not built");
        assertTrue(Files.isDirectory(deps), "the dependency folder " + deps + " was not filled");
        List<Path> jars = new ArrayList<>();
        jars.add(jar);
        try (Stream<Path> list = Files.list(deps)) {
            list.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
        }
        assertTrue(jars.stream().anyMatch(p -> p.getFileName().toString().startsWith("lettuce-core-")), jars.toString());
        assertTrue(jars.stream().noneMatch(p -> p.getFileName().toString().startsWith("gateway-api")),
                "the SPI comes from the server, not the plugin folder: " + jars);
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = jars.get(i).toUri().toURL();
        }
        return urls;
    }

    @Test
    void theBuiltPluginFolderLoadsAndWorksInItsOwnClassLoader() throws Exception {
        try (TestRedis redis = TestRedis.open();
             PluginLoader loader = new PluginLoader(pluginFolder(), RedisPluginJarIT.class.getClassLoader())) {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            Plugin plugin;
            StateStore store;
            // as the server does: the plugin's loader is the context loader while it is created
            thread.setContextClassLoader(loader);
            try {
                List<Plugin> plugins = ServiceLoader.load(Plugin.class, loader).stream()
                        .filter(p -> p.type().getClassLoader() == loader)
                        .map(ServiceLoader.Provider::get)
                        .toList();
                assertEquals(1, plugins.size(), "one plugin in the folder");
                plugin = plugins.get(0);
                assertEquals("store-redis", plugin.id());
                List<StateStoreFactory> factories = plugin.stateStoreFactories();
                assertEquals(1, factories.size());
                assertEquals("redis", factories.get(0).type());
                String prefix = "store-redis-it:" + UUID.randomUUID() + ":";
                TestConfig config = RedisConfigs.state("url", redis.url(), "key-prefix", prefix,
                        "command-timeout", "2s", "connect-timeout", "2s");
                store = factories.get(0).create(config, RedisConfigs.context(new RecordingLogger()));
                assertTrue(config.unreadKeys().isEmpty(), "unread: " + config.unreadKeys());
            } finally {
                thread.setContextClassLoader(previous);
            }

            // the plugin and its Lettuce come from the folder, not from the test's class path
            assertSame(loader, plugin.getClass().getClassLoader());
            assertSame(loader, store.getClass().getClassLoader());
            Class<?> lettuceInPlugin = loader.loadClass("io.lettuce.core.RedisClient");
            assertSame(loader, lettuceInPlugin.getClassLoader());
            assertNotSame(io.lettuce.core.RedisClient.class, lettuceInPlugin);
            assertSame(Plugin.class, loader.loadClass("io.gateway.spi.Plugin"), "the SPI is shared");

            // requests call the store on threads whose context loader is the server's
            try {
                byte[] value = {0, 1, 2, 0, (byte) 255};
                assertTrue(store.get("k").isEmpty());
                store.put("k", value, Duration.ofMinutes(1));
                assertArrayEquals(value, store.get("k").orElseThrow());
                assertTrue(store.putIfAbsent("p", value, null));
                assertTrue(store.compareAndSet("k", value, "x".getBytes(StandardCharsets.UTF_8), null));
                assertEquals(5, store.increment("c", 5, Duration.ofMinutes(1)));
                assertEquals(7, store.increment("c", 2, Duration.ofMinutes(1)));
                assertTrue(store.delete("k"));
                assertTrue(store.delete("p"));
                assertTrue(store.delete("c"));
                GatewayException missing = null;
                try {
                    store.put("counter-text", "abc".getBytes(StandardCharsets.UTF_8), null);
                    store.increment("counter-text", 1, null);
                } catch (GatewayException e) {
                    missing = e;
                } finally {
                    store.delete("counter-text");
                }
                assertEquals(ErrorCode.INTERNAL, missing == null ? null : missing.errorCode(),
                        "GatewayException is the server's class, so the server can render it");
            } finally {
                store.close();
            }
        }
    }
}
