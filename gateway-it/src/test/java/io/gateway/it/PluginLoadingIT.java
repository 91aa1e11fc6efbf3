package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.core.StartupException;
import io.gateway.server.plugin.LoadedPlugin;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.SpiVersion;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin folders built at test time, broken in each of the ways the house plan names, and the one
 * start-up line each must produce; plus a working plugin proving its class loader's isolation.
 */
class PluginLoadingIT {

    /** Fresh for every test: each case gets its own plugins directory. */
    @TempDir
    Path temp;

    /** A configuration that needs no provider: plugin loading fails before providers matter. */
    private static final String NO_PROVIDERS = """
            gateway:
              max-request-body: 1MB
            """;

    private Path plugins() {
        return temp.resolve("plugins");
    }

    private PluginJarBuilder jar() {
        return PluginJarBuilder.create(temp.resolve("work"));
    }

    @Test
    void aPortInUseStopsStartUpWithOneLine() throws IOException {
        Files.createDirectories(plugins());
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String yaml = "server:\n  host: 127.0.0.1\n  port: " + taken.getLocalPort() + "\ngateway:\n  plugins-dir: "
                    + plugins().toAbsolutePath().toString().replace("\\", "/") + "\n";
            io.gateway.server.config.GatewayConfig config = io.gateway.server.config.GatewayConfig.parse(yaml,
                    System.getenv(), temp);
            StartupException e = assertThrows(StartupException.class,
                    () -> io.gateway.server.GatewayServer.start(config).close());
            assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** Starts a gateway that must not start and returns its one-line reason. */
    private static String startupFailure(String yaml, Path pluginsDir) {
        StartupException e = assertThrows(StartupException.class, () -> TestGateway.start(yaml, pluginsDir).close());
        String message = e.getMessage();
        assertFalse(message == null || message.isBlank(), "a reason is given");
        assertFalse(message.contains("\n") || message.contains("\r"), "the reason is one line: " + message);
        return message;
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' is missing from: " + message);
        }
    }

    /** A plugin offering nothing. */
    private static String emptyPlugin(String pkg, String className, String id, String extra) {
        return """
                package %s;
                public final class %s implements io.gateway.spi.Plugin {
                    %s
                    public String id() { return "%s"; }
                    public int spiVersion() { return io.gateway.spi.SpiVersion.MAJOR; }
                }
                """.formatted(pkg, className, extra, id);
    }

    /** A plugin offering one provider type whose factory fails if it is ever asked for a provider. */
    private static String providerPlugin(String pkg, String className, String id, String type) {
        return """
                package %s;
                import io.gateway.spi.*;
                import io.gateway.spi.provider.*;
                import java.util.List;
                public final class %s implements Plugin {
                    public String id() { return "%s"; }
                    public int spiVersion() { return SpiVersion.MAJOR; }
                    public List<ProviderFactory> providerFactories() {
                        return List.of(new ProviderFactory() {
                            public String type() { return "%s"; }
                            public Provider create(PluginConfig config, PluginContext context) {
                                throw new UnsupportedOperationException("not used by this test");
                            }
                        });
                    }
                }
                """.formatted(pkg, className, id, type);
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    // ---------------------------------------------------------------- broken plugins

    @Test
    void aFolderWithoutAJarStopsStartUp() throws IOException {
        Files.createDirectories(plugins().resolve("hollow"));
        assertMentions(startupFailure(NO_PROVIDERS, plugins()), "plugins/hollow", "no .jar");
    }

    @Test
    void aJarWithoutTheServicesFileStopsStartUp() {
        jar().source("t.quiet.QuietPlugin", emptyPlugin("t.quiet", "QuietPlugin", "quiet", ""))
                .buildInto(plugins(), "quiet");
        assertMentions(startupFailure(NO_PROVIDERS, plugins()), "plugins/quiet",
                "META-INF/services/io.gateway.spi.Plugin");
    }

    @Test
    void aThrowingConstructorStopsStartUp() {
        jar().source("t.boom.BoomPlugin", emptyPlugin("t.boom", "BoomPlugin", "boom",
                        "public BoomPlugin() { throw new IllegalStateException(\"boom in the constructor\"); }"))
                .service("io.gateway.spi.Plugin", "t.boom.BoomPlugin")
                .buildInto(plugins(), "boom");
        assertMentions(startupFailure(NO_PROVIDERS, plugins()), "plugins/boom", "boom in the constructor");
    }

    @Test
    void theSameProviderTypeInTwoFoldersStopsStartUpNamingBoth() {
        jar().source("t.one.OnePlugin", providerPlugin("t.one", "OnePlugin", "dup-one", "twin"))
                .service("io.gateway.spi.Plugin", "t.one.OnePlugin")
                .buildInto(plugins(), "dup-one");
        jar().source("t.two.TwoPlugin", providerPlugin("t.two", "TwoPlugin", "dup-two", "twin"))
                .service("io.gateway.spi.Plugin", "t.two.TwoPlugin")
                .buildInto(plugins(), "dup-two");
        assertMentions(startupFailure(NO_PROVIDERS, plugins()), "plugins/dup-one", "plugins/dup-two", "'twin'");
    }

    /** A library jar outside any plugin folder, for plugins compiled against it. */
    private Path helperLibrary() {
        return jar().source("t.lib.Helper", """
                package t.lib;
                public final class Helper {
                    public String greet() { return "hello from the helper"; }
                }
                """).build(temp.resolve("lib").resolve("helper.jar"));
    }

    @Test
    void aDependencyMissingFromTheFolderStopsStartUp() throws IOException {
        Path helper = helperLibrary();
        Path pluginJar = jar().classpath(helper)
                .source("t.needy.NeedyPlugin", emptyPlugin("t.needy", "NeedyPlugin", "needy",
                        "private final String greeting = new t.lib.Helper().greet();"))
                .service("io.gateway.spi.Plugin", "t.needy.NeedyPlugin")
                .buildInto(plugins(), "needy");
        assertMentions(startupFailure(NO_PROVIDERS, plugins()), "plugins/needy", "t.lib.Helper",
                "is missing; put the jar");

        // the same folder with the dependency beside the plugin starts: the missing jar was the reason
        Files.copy(helper, pluginJar.resolveSibling("helper.jar"));
        try (TestGateway gateway = TestGateway.start(NO_PROVIDERS, plugins())) {
            assertTrue(gateway.server().plugins().stream().anyMatch(p -> p.id().equals("needy")));
        }
    }

    @Test
    void aDependencyMissingWhenTheProviderIsCreatedStopsStartUp() {
        Path helper = helperLibrary();
        jar().classpath(helper).source("t.late.LatePlugin", """
                        package t.late;
                        import io.gateway.spi.*;
                import io.gateway.spi.provider.*;
                        import java.util.List;
                        public final class LatePlugin implements Plugin {
                            public String id() { return "late"; }
                            public int spiVersion() { return SpiVersion.MAJOR; }
                            public List<ProviderFactory> providerFactories() {
                                return List.of(new ProviderFactory() {
                                    public String type() { return "late"; }
                                    public Provider create(PluginConfig config, PluginContext context) {
                                        throw new IllegalStateException(new t.lib.Helper().greet());
                                    }
                                });
                            }
                        }
                        """)
                .service("io.gateway.spi.Plugin", "t.late.LatePlugin")
                .buildInto(plugins(), "late");
        String message = startupFailure("""
                gateway:
                  providers:
                    late:
                      type: late
                """, plugins());
        assertMentions(message, "plugins/late", "t.lib.Helper", "is missing; put the jar");
    }

    @Test
    void aPluginBuiltForAnotherSpiVersionStopsStartUpNamingBothVersions() {
        jar().source("t.future.FuturePlugin", """
                        package t.future;
                        public final class FuturePlugin implements io.gateway.spi.Plugin {
                            public String id() { return "future"; }
                            public int spiVersion() { return 99; }
                        }
                        """)
                .service("io.gateway.spi.Plugin", "t.future.FuturePlugin")
                .buildInto(plugins(), "future");
        assertMentions(startupFailure(NO_PROVIDERS, plugins()), "plugins/future", "version 99",
                "this gateway has " + SpiVersion.MAJOR);
    }

    /** A plugin jar whose manifest names the SPI version it was built against, in its own folder. */
    private void pluginDeclaring(String folder, String spiVersion) {
        String className = "Declares" + folder.replaceAll("[^A-Za-z0-9]", "");
        jar().source("t.manifest." + className, emptyPlugin("t.manifest", className, folder, ""))
                .service("io.gateway.spi.Plugin", "t.manifest." + className)
                .manifestAttribute(SpiVersion.MANIFEST_ATTRIBUTE, spiVersion)
                .buildInto(plugins(), folder);
    }

    @Test
    void aPluginNeedingANewerMinorVersionStopsStartUpNamingBothVersions() {
        pluginDeclaring("newer", SpiVersion.MAJOR + ".99");
        assertMentions(startupFailure(NO_PROVIDERS, plugins()), "plugins/newer", "needs SPI " + SpiVersion.MAJOR
                + ".99", "offers " + SpiVersion.text(), "upgrade the gateway");
    }

    @Test
    void aPluginWhoseManifestNamesAnotherMajorVersionStopsStartUp() {
        pluginDeclaring("major", (SpiVersion.MAJOR + 1) + ".0");
        assertMentions(startupFailure(NO_PROVIDERS, plugins()), "plugins/major", "built for SPI "
                + (SpiVersion.MAJOR + 1) + ".0", "this gateway has " + SpiVersion.text());
    }

    @Test
    void aPluginWhoseManifestNamesThisVersionLoads() {
        pluginDeclaring("current", SpiVersion.MAJOR + ".0");
        try (TestGateway gateway = TestGateway.start(NO_PROVIDERS, plugins())) {
            assertTrue(gateway.server().plugins().stream().anyMatch(p -> p.id().equals("current")),
                    "the plugin built for " + SpiVersion.MAJOR + ".0 is loaded");
        }
    }

    // ---------------------------------------------------------------- configuration against plugins

    private PluginFolders openAiAndMock() {
        return PluginFolders.create(plugins())
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin");
    }

    @Test
    void aProviderTypeNoPluginServesStopsStartUpListingTheInstalledTypes() {
        openAiAndMock();
        String message = startupFailure("""
                gateway:
                  providers:
                    x:
                      type: nosuch
                """, plugins());
        assertMentions(message, "gateway.providers.x.type", "'nosuch'", "openai", "mock");
    }

    @Test
    void anUnknownKeyInAProviderBlockStopsStartUp() {
        openAiAndMock();
        String message = startupFailure("""
                gateway:
                  providers:
                    x:
                      type: mock
                      max-retires: 3
                """, plugins());
        assertMentions(message, "unknown key gateway.providers.x.max-retires");
    }

    @Test
    void aBadValueStopsStartUpNamingTheKey() {
        openAiAndMock();
        String message = startupFailure("""
                gateway:
                  providers:
                    x:
                      type: mock
                      timeout: soon
                """, plugins());
        assertMentions(message, "gateway.providers.x.timeout", "soon");
    }

    // ---------------------------------------------------------------- a working plugin, isolated

    @Test
    void aPluginCompiledAtTestTimeServesFromItsOwnIsolatedClassLoader() throws Exception {
        PluginFolders.create(plugins()).add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin");
        jar().source("t.tiny.TinyPlugin", """
                        package t.tiny;
                        import io.gateway.spi.*;
                import io.gateway.spi.provider.*;
                        import jakarta.json.JsonObject;
                        import java.util.List;
                        import java.util.Set;
                        public final class TinyPlugin implements Plugin {
                            public String id() { return "tiny"; }
                            public int spiVersion() { return SpiVersion.MAJOR; }
                            public List<ProviderFactory> providerFactories() {
                                return List.of(new ProviderFactory() {
                                    public String type() { return "tiny"; }
                                    public Provider create(PluginConfig config, PluginContext context) {
                                        return new TinyProvider(config.string("greeting", "hello"));
                                    }
                                });
                            }
                        }
                        final class TinyProvider implements Provider {
                            private final String greeting;
                            TinyProvider(String greeting) { this.greeting = greeting; }
                            public Set<Operation> operations() { return Set.of(Operation.CHAT_COMPLETION); }
                            static boolean sees(String name) {
                                try {
                                    Class.forName(name, false, TinyProvider.class.getClassLoader());
                                    return true;
                                } catch (ClassNotFoundException | LinkageError e) {
                                    return false;
                                }
                            }
                            public Response call(ProviderCall call) {
                                String json;
                                try {
                                    json = jakarta.json.Json.createObjectBuilder().add("k", 1).build().toString();
                                } catch (RuntimeException | LinkageError e) {
                                    json = "failed: " + e;
                                }
                                JsonObject body = JsonBodies.provider().createObjectBuilder()
                                        .add("id", "tiny-1")
                                        .add("object", "chat.completion")
                                        .add("model", call.model())
                                        .add("greeting", greeting)
                                        .add("sees_webserver", sees("io.helidon.webserver.WebServer"))
                                        .add("sees_gateway_server", sees("io.gateway.server.GatewayServer"))
                                        .add("sees_openai_plugin", sees("io.gateway.plugins.openai.OpenAiPlugin"))
                                        .add("sees_spi", sees("io.gateway.spi.Plugin"))
                                        .add("sees_json", sees("jakarta.json.Json"))
                                        .add("json_api", json)
                                        .add("context_loader_is_own",
                                                Thread.currentThread().getContextClassLoader()
                                                        == TinyProvider.class.getClassLoader())
                                        .add("choices", JsonBodies.provider().createArrayBuilder())
                                        .build();
                                return Response.Complete.ok(body);
                            }
                        }
                        """)
                .service("io.gateway.spi.Plugin", "t.tiny.TinyPlugin")
                .buildInto(plugins(), "tiny");
        try (TestGateway gateway = TestGateway.start("""
                gateway:
                  providers:
                    small:
                      type: tiny
                      greeting: hi there
                """, plugins())) {
            LoadedPlugin tiny = gateway.server().plugins().stream().filter(p -> p.id().equals("tiny")).findFirst()
                    .orElseThrow();
            assertEquals(List.of("tiny"), tiny.providerTypes());
            assertSame(tiny.classLoader(), tiny.plugin().getClass().getClassLoader(),
                    "the plugin comes from its folder's loader");
            assertNotSame(getClass().getClassLoader(), tiny.classLoader());
            LoadedPlugin openAi = gateway.server().plugins().stream().filter(p -> p.providerTypes().contains("openai"))
                    .findFirst().orElseThrow();
            assertNotSame(openAi.classLoader(), tiny.classLoader(), "one loader per folder");
            assertThrows(ClassNotFoundException.class, () -> Class.forName("t.tiny.TinyPlugin"),
                    "the plugin is not on the server's class path");

            HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"),
                    "{\"model\":\"small/m1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
            assertEquals(200, response.statusCode(), response.body());
            JsonObject body = JsonBodies.parse(response.body());
            assertEquals("m1", body.getString("model"));
            assertEquals("hi there", body.getString("greeting"));
            assertFalse(body.getBoolean("sees_webserver"), "a plugin must not see Helidon");
            assertFalse(body.getBoolean("sees_gateway_server"), "a plugin must not see the server");
            assertFalse(body.getBoolean("sees_openai_plugin"), "a plugin must not see another plugin");
            assertTrue(body.getBoolean("sees_spi"));
            assertTrue(body.getBoolean("sees_json"));
            assertEquals("{\"k\":1}", body.getString("json_api"), "jakarta.json.Json works inside a plugin");
            assertTrue(body.getBoolean("context_loader_is_own"), "calls run with the plugin's context loader");
            assertEquals("small", response.headers().firstValue("x-bifrost-provider").orElseThrow());
        }
    }

    @Test
    void removingTheOpenAiFolderRemovesOnlyOpenAi() throws IOException {
        openAiAndMock();
        String both = """
                gateway:
                  providers:
                    openai:
                      base-url: http://127.0.0.1:1/v1
                    mock:
                      type: mock
                """;
        String mockOnly = """
                gateway:
                  providers:
                    mock:
                      type: mock
                """;
        String chatMock = "{\"model\":\"mock/m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        try (TestGateway gateway = TestGateway.start(both, plugins())) {
            assertEquals(200, Http.post(gateway.uri("/v1/chat/completions"), chatMock).statusCode());
        }

        deleteRecursively(plugins().resolve("provider-openai"));

        assertMentions(startupFailure(both, plugins()), "gateway.providers.openai.type", "'openai'", "mock");
        try (TestGateway gateway = TestGateway.start(mockOnly, plugins())) {
            assertTrue(gateway.server().plugins().stream().noneMatch(p -> p.providerTypes().contains("openai")));
            HttpResponse<String> mock = Http.post(gateway.uri("/v1/chat/completions"), chatMock);
            assertEquals(200, mock.statusCode(), mock.body());
            assertEquals("chat.completion", JsonBodies.parse(mock.body()).getString("object"));
            HttpResponse<String> openAi = Http.post(gateway.uri("/v1/chat/completions"),
                    "{\"model\":\"openai/x\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
            assertEquals(400, openAi.statusCode(), openAi.body());
            assertEquals("unknown_provider", JsonBodies.parse(openAi.body()).getJsonObject("error").getString("code"));
        }
    }
}
