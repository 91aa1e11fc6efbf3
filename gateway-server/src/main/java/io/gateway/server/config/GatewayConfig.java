package io.gateway.server.config;

import io.gateway.server.core.StartupException;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loaded configuration file: the Helidon {@code server} block, and the {@code gateway} block as
 * typed views. Only the file is read (no implicit environment or system-property overrides);
 * environment values enter through {@code ${NAME}} placeholders, and the upstream clients read the
 * proxy variables ({@code HTTPS_PROXY}, {@code HTTP_PROXY}, {@code NO_PROXY}) from {@link #environment()}.
 */
public final class GatewayConfig {

    /** Keys of {@code gateway} that the server itself reads; others are unknown unless a plugin reads them. */
    private static final Set<String> GATEWAY_KEYS = Set.of("plugins-dir", "max-request-body", "providers",
            "middleware", "state", "async", "admin", "deployment-routes", "anthropic-routes", "telemetry", "log", "mcp",
            "pricing", "max-request-body-by-route", "spool-dir", "logs");

    private final Config server;
    private final ConfigNode.ObjectNode root;
    private final ReadTracker tracker = new ReadTracker();
    private final ConfigBlock gateway;
    private final Path baseDir;
    private final Map<String, String> environment;
    /** The file it was loaded from; set once by {@link #load} before the configuration is shared. */
    private Path source;

    private GatewayConfig(Config helidon, ConfigNode.ObjectNode root, Path baseDir, Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
        this.server = helidon.get("server");
        this.root = root;
        this.baseDir = baseDir;
        ConfigNode gatewayNode = root.fields().get("gateway");
        if (gatewayNode != null && !(gatewayNode instanceof ConfigNode.ObjectNode)) {
            throw new StartupException("gateway: expected a block of keys; see docs/configuration.md");
        }
        this.gateway = new ConfigBlock("gateway", "gateway",
                gatewayNode == null ? ConfigNode.EMPTY : (ConfigNode.ObjectNode) gatewayNode, tracker);
        for (String key : root.fields().keySet()) {
            if (!key.equals("server") && !key.equals("gateway")) {
                throw new StartupException("unknown top-level key '" + key
                        + "': the file has two sections, server and gateway; see docs/configuration.md");
            }
        }
        for (String key : gateway.keys()) {
            if (!GATEWAY_KEYS.contains(key)) {
                throw new StartupException("unknown key gateway." + key + ": remove it or fix its spelling; known keys: "
                        + String.join(", ", GATEWAY_KEYS.stream().sorted().toList()));
            }
        }
    }

    /**
     * Loads a YAML file.
     *
     * @param file        the file
     * @param environment the environment for {@code ${NAME}} placeholders
     * @param baseDir     what a relative {@code plugins-dir} is relative to
     * @return the configuration
     * @throws StartupException if the file is missing or not valid YAML
     */
    public static GatewayConfig load(Path file, Map<String, String> environment, Path baseDir) {
        if (!Files.isRegularFile(file)) {
            throw new StartupException("config file " + file + " does not exist; pass --config FILE");
        }
        try {
            String text = Files.readString(file);
            GatewayConfig config = parse(text, environment, baseDir);
            config.source = file;
            return config;
        } catch (java.io.IOException e) {
            throw new StartupException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    /**
     * Parses YAML text.
     *
     * @param yaml        the YAML
     * @param environment the environment for {@code ${NAME}} placeholders
     * @param baseDir     what a relative {@code plugins-dir} is relative to
     * @return the configuration
     * @throws StartupException if it is not valid YAML
     */
    public static GatewayConfig parse(String yaml, Map<String, String> environment, Path baseDir) {
        Config helidon;
        try {
            helidon = Config.builder()
                    .sources(ConfigSources.create(yaml.isBlank() ? "{}" : new EnvSubstitution(environment).apply(yaml),
                            MediaTypes.APPLICATION_YAML))
                    .disableEnvironmentVariablesSource()
                    .disableSystemPropertiesSource()
                    .disableValueResolving()
                    .disableKeyResolving()
                    .disableFilterServices()
                    .disableCaching()
                    .build();
        } catch (ConfigException e) {
            throw new StartupException("the config file is not valid YAML: " + firstLine(e));
        }
        ConfigNode node;
        try {
            node = ConfigNode.fromYaml(yaml, new EnvSubstitution(environment));
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            throw new StartupException("the config file is not valid YAML: " + firstLine(e));
        }
        if (!(node instanceof ConfigNode.ObjectNode object)) {
            throw new StartupException("the config file must be a YAML mapping with server and gateway sections");
        }
        return new GatewayConfig(helidon, object, baseDir, environment);
    }

    private static String firstLine(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = String.valueOf(cause.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * The file this configuration was loaded from.
     *
     * @return the file, or empty when it was parsed from text
     */
    public java.util.Optional<Path> source() {
        return java.util.Optional.ofNullable(source);
    }

    /**
     * Helidon's {@code server} section, handed to the WebServer as it is.
     *
     * @return the section
     */
    public Config server() {
        return server;
    }

    /**
     * The {@code gateway} block.
     *
     * @return the block
     */
    public ConfigBlock gateway() {
        return gateway;
    }

    /**
     * Which keys were read as secrets.
     *
     * @return the tracker
     */
    public ReadTracker tracker() {
        return tracker;
    }

    /**
     * The whole tree, for {@code /admin/config} with secrets redacted.
     *
     * @return the root node
     */
    public ConfigNode.ObjectNode root() {
        return root;
    }

    /**
     * The plugin folder: {@code gateway.plugins-dir}, relative to the base directory unless absolute.
     *
     * @return the folder
     */
    public Path pluginsDir() {
        return file(gateway.string("plugins-dir", "plugins"));
    }

    /**
     * A file or folder named in the configuration: relative to the base directory unless absolute.
     *
     * @param name the name as configured
     * @return the path
     */
    public Path file(String name) {
        Path path = Path.of(name);
        return path.isAbsolute() ? path : baseDir.resolve(path).normalize();
    }

    /**
     * What relative paths in the configuration are relative to.
     *
     * @return the base directory
     */
    public Path baseDir() {
        return baseDir;
    }

    /**
     * The environment the configuration was read with (for placeholders, the proxy variables and the {@code OTEL_*} variables).
     *
     * @return the variables, unmodifiable
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * {@code gateway.max-request-body}, default 32 MB.
     *
     * @return bytes
     */
    public long maxRequestBody() {
        long size = gateway.size("max-request-body", 32L * 1024 * 1024);
        if (size <= 0) {
            throw gateway.invalid("max-request-body", "must be positive, e.g. 32MB");
        }
        return size;
    }

    /**
     * {@code gateway.max-request-body-by-route}: body limits of single routes, by their path below the
     * prefix ({@code audio/transcriptions}, {@code files}), each a size. Which routes may be named is
     * the HTTP layer's business.
     *
     * @return route path to bytes, in file order; empty when the block is absent
     */
    public Map<String, Long> maxRequestBodyByRoute() {
        Map<String, Long> limits = new java.util.LinkedHashMap<>();
        gateway.block("max-request-body-by-route").ifPresent(block -> {
            for (String route : block.keys()) {
                long size = block.size(route, -1);
                if (size <= 0) {
                    throw block.invalid(route, "must be a positive size, e.g. 25MB");
                }
                limits.put(route, size);
            }
        });
        return limits;
    }

    /**
     * {@code gateway.spool-dir}: where uploads are spooled while a request runs; relative paths are
     * relative to the distribution folder. Default: the system's temporary directory.
     *
     * @return the directory
     */
    public Path spoolDir() {
        return gateway.string("spool-dir").map(dir -> baseDir.resolve(dir).normalize())
                .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * The provider blocks of {@code gateway.providers}, in file order.
     *
     * @return the blocks
     */
    public List<ConfigBlock> providers() {
        return gateway.block("providers").map(providers -> providers.keys().stream()
                .map(name -> providers.block(name).orElseThrow(() -> providers.invalid(name,
                        "expected a block with at least 'type'")))
                .toList()).orElse(List.of());
    }

    /**
     * The entries of {@code gateway.middleware}, in order (first outermost).
     *
     * @return the blocks
     */
    public List<ConfigBlock> middleware() {
        return gateway.blocks("middleware");
    }

    /**
     * The {@code gateway.async} block (empty for the defaults).
     *
     * @return the block
     */
    public ConfigBlock async() {
        return gateway.block("async").orElseGet(() -> new ConfigBlock("gateway.async", "async", ConfigNode.EMPTY,
                tracker));
    }

    /**
     * The {@code gateway.admin} block (empty: admin endpoints off).
     *
     * @return the block
     */
    public ConfigBlock admin() {
        return gateway.block("admin").orElseGet(() -> new ConfigBlock("gateway.admin", "admin", ConfigNode.EMPTY,
                tracker));
    }

    /**
     * The {@code gateway.state} block (empty for the in-memory default).
     *
     * @return the block
     */
    public ConfigBlock state() {
        return gateway.block("state").orElseGet(() -> new ConfigBlock("gateway.state", "state", ConfigNode.EMPTY,
                tracker));
    }

    /**
     * The keys below {@code gateway} nobody read.
     *
     * @return full keys
     */
    public List<String> unreadKeys() {
        return gateway.unreadKeys();
    }

    /**
     * A duration key of the gateway block.
     *
     * @param key     the key
     * @param dflt    the default
     * @return the duration
     */
    public Duration duration(String key, Duration dflt) {
        return gateway.duration(key, dflt);
    }
}
