package io.gateway.server.mcp;

import io.gateway.server.config.ConfigBlock;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code gateway.mcp} block: the tool servers to connect, how to reconnect them, and the agent
 * loop's bound. Read once at start-up; immutable and thread-safe. Lists and maps are never {@code null}
 * (empty when not configured).
 *
 * @param servers          the configured servers, in file order
 * @param maxSteps         {@code agent.max-steps}: model calls one agent request may make
 * @param reconnectInitial the first pause before reconnecting a server that is down
 * @param reconnectMax     the longest pause (the pause doubles up to it)
 * @param healthInterval   how often a connected server is pinged
 */
public record McpSettings(List<Server> servers, int maxSteps, Duration reconnectInitial, Duration reconnectMax,
                          Duration healthInterval) {

    /** Server names: letters, digits, '-' and single '_' (two underscores separate server and tool). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*(?:_[A-Za-z0-9-]+)*");

    /** Copies the list. */
    public McpSettings {
        servers = List.copyOf(servers);
    }

    /** How the gateway talks to a tool server. */
    public enum Transport {
        /** Streamable HTTP (the MCP transport since 2025-03-26). */
        HTTP,
        /** Server-sent events with a POST endpoint (the 2024-11-05 transport, for older servers). */
        SSE,
        /** A child process speaking JSON-RPC on its standard input and output. */
        STDIO
    }

    /**
     * One configured tool server. Header and environment values may hold secrets: they are read as
     * secrets (redacted in {@code /admin/config}, masked in the request log) and never logged.
     *
     * @param name       the configured name: the {@code {server}} of {@code {server}__{tool}}
     * @param transport  the transport
     * @param url        the endpoint for {@code http} and {@code sse}, else {@code null}
     * @param headers    headers sent with every HTTP request
     * @param timeout    the bound of every request to the server (initialize, list, call)
     * @param command    the program for {@code stdio}, else {@code null}
     * @param args       its arguments
     * @param env        variables added to its environment
     * @param workingDir its working directory, or {@code null} for the gateway's
     */
    public record Server(String name, Transport transport, URI url, Map<String, String> headers, Duration timeout,
                         String command, List<String> args, Map<String, String> env, Path workingDir) {

        /** Copies the collections. */
        public Server {
            headers = Map.copyOf(headers);
            args = List.copyOf(args);
            env = Map.copyOf(env);
        }

        /**
         * What the logs and {@code /admin/mcp} may show of where the server is: the URL without its
         * query and user info, or the command without arguments (arguments and URLs may hold tokens).
         *
         * @return e.g. {@code http://tools.internal:8080/mcp} or {@code stdio: node}
         */
        public String target() {
            if (transport == Transport.STDIO) {
                return "stdio: " + command;
            }
            return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                    + (url.getRawPath() == null ? "" : url.getRawPath());
        }

        @Override
        public String toString() {
            return "Server[" + name + " " + transport + " " + target() + "]";
        }
    }

    /**
     * No tool servers: MCP is off.
     *
     * @return the settings
     */
    public static McpSettings none() {
        return new McpSettings(List.of(), 5, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    /**
     * Whether any tool server is configured.
     *
     * @return {@code true} when MCP is on
     */
    public boolean enabled() {
        return !servers.isEmpty();
    }

    /**
     * Reads {@code gateway.mcp}.
     *
     * @param block    the block, or {@code null} when absent
     * @param baseDir  the folder relative working directories are read against
     * @return the settings
     * @throws IllegalArgumentException naming the key and the fix
     */
    public static McpSettings read(ConfigBlock block, Path baseDir) {
        if (block == null) {
            return none();
        }
        Duration initial = positive(block, "reconnect-initial", Duration.ofSeconds(1));
        Duration max = positive(block, "reconnect-max", Duration.ofSeconds(30));
        if (max.compareTo(initial) < 0) {
            throw block.invalid("reconnect-max", "must not be smaller than reconnect-initial");
        }
        Duration health = positive(block, "health-interval", Duration.ofSeconds(10));
        int maxSteps = 5;
        Optional<ConfigBlock> agent = block.block("agent");
        if (agent.isPresent()) {
            maxSteps = agent.get().integer("max-steps", 5);
            if (maxSteps < 1 || maxSteps > 50) {
                throw agent.get().invalid("max-steps", "must be from 1 to 50, e.g. 5");
            }
        }
        List<Server> servers = new ArrayList<>();
        Optional<ConfigBlock> serversBlock = block.block("servers");
        if (serversBlock.isPresent()) {
            ConfigBlock all = serversBlock.get();
            for (String name : all.keys()) {
                ConfigBlock server = all.block(name).orElseThrow(() -> all.invalid(name,
                        "expected a block with transport and url, or transport: stdio and command"));
                servers.add(server(name, server, baseDir));
            }
        }
        return new McpSettings(servers, maxSteps, initial, max, health);
    }

    private static Server server(String name, ConfigBlock block, Path baseDir) {
        if (!NAME.matcher(name).matches() || name.length() > 48) {
            throw new IllegalArgumentException(block.path() + ": server name '" + name + "' must be 1 to 48 letters,"
                    + " digits, '-' or single '_' (two underscores separate server and tool in tool names)");
        }
        String transportText = block.string("transport").orElse("http").toLowerCase(java.util.Locale.ROOT);
        Transport transport = switch (transportText) {
            case "http", "streamable-http", "streamable_http" -> Transport.HTTP;
            case "sse" -> Transport.SSE;
            case "stdio" -> Transport.STDIO;
            default -> throw block.invalid("transport", "'" + transportText + "' is not a transport; write http,"
                    + " sse or stdio");
        };
        Duration timeout = positive(block, "timeout", Duration.ofSeconds(30));
        if (transport == Transport.STDIO) {
            String command = block.string("command").orElseThrow(() -> block.invalid("command",
                    "is required for transport stdio: the program to start, e.g. node or python3"));
            List<String> args = block.strings("args");
            Map<String, String> env = secrets(block, "env");
            Path dir = block.string("working-dir").map(baseDir::resolve).orElse(null);
            if (block.has("url")) {
                throw block.invalid("url", "is for transport http or sse; a stdio server is started with command");
            }
            if (block.has("headers")) {
                throw block.invalid("headers", "are for transport http or sse; give a stdio server env instead");
            }
            return new Server(name, transport, null, Map.of(), timeout, command, args, env, dir);
        }
        String url = block.string("url").orElseThrow(() -> block.invalid("url",
                "is required for transport " + transportText + ", e.g. http://tools.internal:8080/mcp"));
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw block.invalid("url", "is not a URL; write e.g. http://tools.internal:8080/mcp");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw block.invalid("url", "must be an http:// or https:// URL with a host, e.g. http://tools.internal:8080/mcp");
        }
        for (String key : List.of("command", "args", "env", "working-dir")) {
            if (block.has(key)) {
                throw block.invalid(key, "is for transport stdio; an " + transportText + " server is reached at its url");
            }
        }
        Map<String, String> headers = secrets(block, "headers");
        for (String header : headers.keySet()) {
            String lower = header.toLowerCase(java.util.Locale.ROOT);
            if (lower.equals("host") || lower.equals("content-length") || lower.equals("connection")
                    || lower.equals("upgrade") || lower.equals("expect") || lower.isBlank()) {
                throw block.invalid("headers", "'" + header + "' is set by the HTTP client itself; remove it");
            }
        }
        return new Server(name, transport, uri, headers, timeout, null, List.of(), Map.of(), null);
    }

    /** A block of name: value pairs, each value read as a secret. */
    private static Map<String, String> secrets(ConfigBlock block, String key) {
        Optional<ConfigBlock> pairs = block.block(key);
        if (pairs.isEmpty()) {
            return Map.of();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : pairs.get().keys()) {
            values.put(name, pairs.get().secret(name).reveal());
        }
        return values;
    }

    private static Duration positive(ConfigBlock block, String key, Duration dflt) {
        Duration value = block.duration(key, dflt);
        if (value.isZero() || value.isNegative()) {
            throw block.invalid(key, "must be greater than zero, e.g. " + dflt.toSeconds() + "s");
        }
        return value;
    }
}
