package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Plugin;
import io.gateway.spi.SpiVersion;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginJarBuilderTest {

    private static final String PLUGIN_SERVICE = "io.gateway.spi.Plugin";

    @TempDir
    Path temp;

    private static String plugin(String packageName, String className, String id, String constructorBody) {
        return """
                package %s;

                import io.gateway.spi.Plugin;
                import io.gateway.spi.SpiVersion;

                public final class %s implements Plugin {
                    public %s() {
                        %s
                    }

                    @Override
                    public String id() {
                        return "%s";
                    }

                    @Override
                    public int spiVersion() {
                        return SpiVersion.MAJOR;
                    }
                }
                """.formatted(packageName, className, className, constructorBody, id);
    }

    private static URLClassLoader loader(Path... jars) throws Exception {
        URL[] urls = new URL[jars.length];
        for (int i = 0; i < jars.length; i++) {
            urls[i] = jars[i].toUri().toURL();
        }
        return new URLClassLoader(urls, SPI_ONLY);
    }

    /**
     * Like the gateway's plugin loaders: the SPI and JSON-P come from the test's class path, everything
     * else only from the platform and the jars themselves (the test class path also holds real plugins,
     * whose services files must not be seen here).
     */
    private static final ClassLoader SPI_ONLY = new ClassLoader("spi-only", ClassLoader.getPlatformClassLoader()) {
        private final ClassLoader test = PluginJarBuilderTest.class.getClassLoader();

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.gateway.spi.") || name.startsWith("jakarta.json.")) {
                return test.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    };

    private static List<Plugin> load(ClassLoader loader) {
        return ServiceLoader.load(Plugin.class, loader).stream().map(ServiceLoader.Provider::get).toList();
    }

    @Test
    void buildsALoadablePluginIntoThePluginsLayout() throws Exception {
        Path pluginsDir = temp.resolve("plugins");

        Path jar = PluginJarBuilder.create(temp.resolve("work"))
                .source("com.example.echo.EchoPlugin", plugin("com.example.echo", "EchoPlugin", "echo", ""))
                .service(PLUGIN_SERVICE, "com.example.echo.EchoPlugin")
                .resource("com/example/echo/settings.properties", "greeting=hello\n")
                .buildInto(pluginsDir, "echo");

        assertEquals(pluginsDir.resolve("echo").resolve("echo.jar"), jar);
        assertTrue(Files.isRegularFile(jar));
        try (URLClassLoader loader = loader(jar)) {
            List<Plugin> plugins = load(loader);
            assertEquals(1, plugins.size());
            Plugin plugin = plugins.get(0);
            assertEquals("echo", plugin.id());
            assertEquals(SpiVersion.MAJOR, plugin.spiVersion());
            assertSame(loader, plugin.getClass().getClassLoader());
            assertSame(Plugin.class, loader.loadClass(Plugin.class.getName()), "the SPI is shared with the test");
            try (InputStream in = loader.getResourceAsStream("com/example/echo/settings.properties")) {
                assertNotNull(in);
                assertEquals("greeting=hello\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void jarHasAManifestAndOnlyItsOwnClassesCompiledForRelease21() throws Exception {
        Path jar = PluginJarBuilder.create(temp)
                .source("com.example.A", "package com.example; public class A { Runnable r = () -> {}; }")
                .source("com.example.B", "package com.example; public class B extends A { }")
                .manifestAttribute("Implementation-Version", "1.2.3")
                .build(temp.resolve("out/a.jar"));

        try (JarFile file = new JarFile(jar.toFile())) {
            assertEquals("1.2.3", file.getManifest().getMainAttributes().getValue("Implementation-Version"));
            List<String> classes = file.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class")).toList();
            assertEquals(List.of("com/example/A.class", "com/example/B.class"), classes);
            try (InputStream in = file.getInputStream(file.getEntry("com/example/A.class"))) {
                byte[] header = in.readNBytes(8);
                assertEquals(65, ((header[6] & 0xff) << 8) | (header[7] & 0xff), "class file major version 65 = Java 21");
            }
        }
    }

    @Test
    void buildIsReproducible() throws Exception {
        PluginJarBuilder builder = PluginJarBuilder.create(temp)
                .source("com.example.A", "package com.example; public class A { }")
                .resource("x.txt", "x");

        byte[] first = Files.readAllBytes(builder.build(temp.resolve("1.jar")));
        byte[] second = Files.readAllBytes(builder.build(temp.resolve("2.jar")));

        assertArrayEquals(first, second);
    }

    @Test
    void pluginWithoutServicesFileIsNotFound() throws Exception {
        Path jar = PluginJarBuilder.create(temp)
                .source("com.example.Hidden", plugin("com.example", "Hidden", "hidden", ""))
                .buildInto(temp.resolve("plugins"), "hidden");

        try (URLClassLoader loader = loader(jar)) {
            assertTrue(load(loader).isEmpty());
            assertNotNull(loader.loadClass("com.example.Hidden"), "the class is there, just not registered");
        }
    }

    @Test
    void throwingConstructorFailsWhenTheServiceIsInstantiated() throws Exception {
        Path jar = PluginJarBuilder.create(temp)
                .source("com.example.Broken", plugin("com.example", "Broken", "broken",
                        "throw new IllegalStateException(\"constructor failed on purpose\");"))
                .service(PLUGIN_SERVICE, "com.example.Broken")
                .buildInto(temp.resolve("plugins"), "broken");

        try (URLClassLoader loader = loader(jar)) {
            Iterator<Plugin> plugins = ServiceLoader.load(Plugin.class, loader).iterator();
            ServiceConfigurationError error = assertThrows(ServiceConfigurationError.class, plugins::next);
            assertInstanceOf(IllegalStateException.class, error.getCause());
            assertEquals("constructor failed on purpose", error.getCause().getMessage());
        }
    }

    @Test
    void missingDependencyClassFailsAtLoadTimeButNotWithTheLibrary() throws Exception {
        Path lib = PluginJarBuilder.create(temp)
                .source("com.example.lib.Greeter", """
                        package com.example.lib;
                        public final class Greeter {
                            public static String id() { return "needs-lib"; }
                        }
                        """)
                .build(temp.resolve("lib/greeter.jar"));
        Path jar = PluginJarBuilder.create(temp)
                .source("com.example.NeedsLib", """
                        package com.example;
                        import com.example.lib.Greeter;
                        public final class NeedsLib implements io.gateway.spi.Plugin {
                            private final String id = Greeter.id();
                            public String id() { return id; }
                            public int spiVersion() { return io.gateway.spi.SpiVersion.MAJOR; }
                        }
                        """)
                .service(PLUGIN_SERVICE, "com.example.NeedsLib")
                .classpath(lib)
                .buildInto(temp.resolve("plugins"), "needs-lib");

        try (JarFile file = new JarFile(jar.toFile())) {
            assertTrue(file.stream().noneMatch(e -> e.getName().contains("Greeter")), "the library is not bundled");
        }
        try (URLClassLoader loader = loader(jar)) {
            ServiceConfigurationError error = assertThrows(ServiceConfigurationError.class, () -> load(loader));
            Throwable cause = error.getCause();
            assertInstanceOf(NoClassDefFoundError.class, cause);
            assertTrue(cause.getMessage().contains("com/example/lib/Greeter"), cause.getMessage());
        }
        try (URLClassLoader loader = loader(jar, lib)) {
            assertEquals("needs-lib", load(loader).get(0).id());
        }
    }

    @Test
    void sameTypeInTwoPluginsLoadsSeparatelyPerClassLoader() throws Exception {
        Path pluginsDir = temp.resolve("plugins");
        Path first = PluginJarBuilder.create(temp)
                .source("com.example.Dup", plugin("com.example", "Dup", "dup-one", ""))
                .service(PLUGIN_SERVICE, "com.example.Dup")
                .buildInto(pluginsDir, "one");
        Path second = PluginJarBuilder.create(temp)
                .source("com.example.Dup", plugin("com.example", "Dup", "dup-two", ""))
                .service(PLUGIN_SERVICE, "com.example.Dup")
                .buildInto(pluginsDir, "two");

        try (URLClassLoader one = loader(first); URLClassLoader two = loader(second)) {
            Plugin a = load(one).get(0);
            Plugin b = load(two).get(0);
            assertEquals("dup-one", a.id());
            assertEquals("dup-two", b.id());
            assertEquals(a.getClass().getName(), b.getClass().getName());
            assertNotSame(a.getClass(), b.getClass());
        }
    }

    @Test
    void severalImplementationsInOneServicesFile() throws Exception {
        Path jar = PluginJarBuilder.create(temp)
                .source("com.example.P1", plugin("com.example", "P1", "p1", ""))
                .source("com.example.P2", plugin("com.example", "P2", "p2", ""))
                .service(PLUGIN_SERVICE, "com.example.P1")
                .service(PLUGIN_SERVICE, "com.example.P2")
                .build(temp.resolve("two.jar"));

        try (URLClassLoader loader = loader(jar)) {
            assertEquals(List.of("p1", "p2"), load(loader).stream().map(Plugin::id).toList());
        }
    }

    @Test
    void servicesFileCanBeWrittenAsAPlainResource() throws Exception {
        Path jar = PluginJarBuilder.create(temp)
                .source("com.example.P", plugin("com.example", "P", "p", ""))
                .resource("META-INF/services/" + PLUGIN_SERVICE, "# comment\ncom.example.P\n")
                .build(temp.resolve("p.jar"));

        try (URLClassLoader loader = loader(jar)) {
            assertEquals("p", load(loader).get(0).id());
        }
    }

    @Test
    void compileErrorsThrowWithDiagnostics() {
        PluginJarBuilder builder = PluginJarBuilder.create(temp)
                .source("com.example.Bad", """
                        package com.example;
                        public class Bad {
                            int x = "not an int";
                        }
                        """);

        PluginJarBuilder.CompilationException e = assertThrows(PluginJarBuilder.CompilationException.class,
                () -> builder.build(temp.resolve("bad.jar")));

        assertEquals(1, e.diagnostics().size());
        String diagnostic = e.diagnostics().get(0);
        assertTrue(diagnostic.startsWith("Bad.java:3:"), diagnostic);
        assertTrue(diagnostic.contains("error"), diagnostic);
        assertTrue(e.getMessage().contains(diagnostic));
        assertTrue(Files.notExists(temp.resolve("bad.jar")));
    }

    @Test
    void classpathCanBeLimitedToExplicitEntries() throws Exception {
        String source = plugin("com.example", "P", "p", "");
        PluginJarBuilder isolated = PluginJarBuilder.create(temp)
                .source("com.example.P", source)
                .inheritClasspath(false);

        PluginJarBuilder.CompilationException e = assertThrows(PluginJarBuilder.CompilationException.class,
                () -> isolated.build(temp.resolve("p.jar")));
        assertTrue(e.getMessage().contains("io.gateway.spi"), e.getMessage());

        Path spi = Path.of(Plugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = PluginJarBuilder.create(temp)
                .source("com.example.P", source)
                .inheritClasspath(false)
                .classpath(spi)
                .build(temp.resolve("p.jar"));
        assertTrue(Files.isRegularFile(jar));
    }

    @Test
    void resourceOnlyJar() throws Exception {
        Path jar = PluginJarBuilder.create(temp).resource("/data/a.json", "{}").build(temp.resolve("r.jar"));

        try (JarFile file = new JarFile(jar.toFile())) {
            assertNotNull(file.getEntry("data/a.json"));
        }
    }

    @Test
    void invalidInputIsRejected() {
        PluginJarBuilder builder = PluginJarBuilder.create(temp).source("a.B", "package a; class B {}");

        assertThrows(IllegalArgumentException.class, () -> builder.source("a.B", "package a; class B {}"));
        assertThrows(IllegalArgumentException.class, () -> builder.source("not a name", "class X {}"));
        assertThrows(IllegalArgumentException.class, () -> builder.resource("../escape", "x"));
        assertThrows(IllegalArgumentException.class, () -> builder.resource("dir/", "x"));
        assertThrows(IllegalArgumentException.class, () -> builder.buildInto(temp, "../x"));
        builder.resource("a/B.class", "clash");
        assertThrows(IllegalArgumentException.class, () -> builder.build(temp.resolve("clash.jar")));
    }
}
