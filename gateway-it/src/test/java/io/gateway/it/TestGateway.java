package io.gateway.it;

import io.gateway.server.GatewayServer;
import io.gateway.server.config.GatewayConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real gateway, started in-process on a free loopback port from a YAML configuration, for
 * integration tests. The {@code server} section is supplied (127.0.0.1, port 0); write only the
 * {@code gateway} section. Without a {@code logs:} block the request log is off.
 */
public final class TestGateway implements AutoCloseable {

    private final GatewayServer server;

    private TestGateway(GatewayServer server) {
        this.server = server;
    }

    /**
     * Starts a gateway.
     *
     * @param gatewayYaml the {@code gateway:} section (with that top-level key)
     * @param pluginsDir  the plugins directory
     * @return the running gateway
     */
    public static TestGateway start(String gatewayYaml, Path pluginsDir) {
        return start(gatewayYaml, pluginsDir, Map.of());
    }

    /**
     * Starts a gateway with extra environment variables for {@code ${NAME}} placeholders.
     *
     * @param gatewayYaml the {@code gateway:} section (with that top-level key)
     * @param pluginsDir  the plugins directory
     * @param environment variables added to the process environment
     * @return the running gateway
     */
    public static TestGateway start(String gatewayYaml, Path pluginsDir, Map<String, String> environment) {
        return start("", gatewayYaml, pluginsDir, environment);
    }

    /**
     * Starts a gateway with more keys in its {@code server} section.
     *
     * @param serverLines more lines of the {@code server:} section, each indented by two spaces
     *                    (host and port are set already), e.g. {@code "  max-connections: 5\n"}
     * @param gatewayYaml the {@code gateway:} section (with that top-level key)
     * @param pluginsDir  the plugins directory
     * @param environment variables added to the process environment
     * @return the running gateway
     */
    public static TestGateway start(String serverLines, String gatewayYaml, Path pluginsDir,
                                    Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(environment);
        String extra = serverLines.isEmpty() || serverLines.endsWith("\n") ? serverLines : serverLines + "\n";
        String yaml = "server:\n  host: 127.0.0.1\n  port: 0\n" + extra + withoutLogStore(gatewayYaml);
        GatewayConfig config = GatewayConfig.parse(yaml, env, pluginsDir.getParent() == null ? pluginsDir
                : pluginsDir.getParent());
        return new TestGateway(GatewayServer.start(withPluginsDir(config, pluginsDir, yaml, env)));
    }

    /**
     * Starts a gateway from a configuration file, as {@code gateway --config FILE} does: the file must be
     * whole (a {@code server} section with host and port, {@code gateway.plugins-dir}); relative paths in
     * it are relative to the file's folder.
     *
     * @param file        the YAML file
     * @param environment variables added to the process environment
     * @return the running gateway
     */
    public static TestGateway startFile(Path file, Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(environment);
        return new TestGateway(GatewayServer.start(GatewayConfig.load(file, env, file.toAbsolutePath().getParent())));
    }

    /**
     * A configuration that does not mention {@code logs:} gets {@code logs: {store: none}}: the request
     * log's default SQLite file would go below the plugins folder (the base folder here), where the next
     * gateway started on it would take its folder for a plugin. The request log's own tests configure it.
     */
    private static String withoutLogStore(String gatewayYaml) {
        if (gatewayYaml.contains("\n  logs:") || !gatewayYaml.matches("(?s)(?:.*\n)?gateway:[ \t]*\n.*")) {
            return gatewayYaml;
        }
        return gatewayYaml.replaceFirst("(?m)^gateway:[ \t]*$", "gateway:\n  logs:\n    store: none");
    }

    private static GatewayConfig withPluginsDir(GatewayConfig config, Path pluginsDir, String yaml,
                                                Map<String, String> env) {
        if (yaml.contains("plugins-dir:")) {
            return config;
        }
        String withDir = yaml.replaceFirst("(?m)^gateway:\\s*$", "gateway:\n  plugins-dir: "
                + pluginsDir.toAbsolutePath().toString().replace("\\", "/"));
        return GatewayConfig.parse(withDir, env, pluginsDir);
    }

    /**
     * The port.
     *
     * @return the port
     */
    public int port() {
        return server.port();
    }

    /**
     * The base URL, e.g. {@code http://127.0.0.1:PORT}.
     *
     * @return the URL
     */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /**
     * An absolute URI on the gateway.
     *
     * @param path a path starting with {@code /}
     * @return the URI
     */
    public URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    /**
     * The server, for inspection.
     *
     * @return the server
     */
    public GatewayServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
