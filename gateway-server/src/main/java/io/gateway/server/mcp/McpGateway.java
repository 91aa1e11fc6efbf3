package io.gateway.server.mcp;

import io.gateway.server.core.ServerOutcome;
import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.telemetry.Telemetry;
import io.gateway.server.telemetry.ToolSpan;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.ToolAccess;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson3.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP gateway: the configured tool servers ({@link ToolServer}, each supervised on its own), their
 * tools under the gateway's names {@code {server}__{tool}}, the calls to them (counted in
 * {@code /metrics}, traced as {@code execute_tool {name}}), and the chain link that serves the MCP
 * operations ({@code /mcp}, {@code mcp/tool/execute}) and the MCP headers of chat requests
 * ({@link #link}).
 *
 * <p>Created once at start-up by {@code GatewayServer}, which closes it on shutdown. Thread-safe: the
 * tool list is read from each server's current connection on every request.
 */
public final class McpGateway implements AutoCloseable {

    /** Separates the server's name from the tool's in the gateway's tool names. */
    public static final String SEPARATOR = "__";

    private static final System.Logger LOG = System.getLogger("gateway.mcp");

    /**
     * The MCP SDK logs every JSON-RPC message it sends and receives at DEBUG, tool arguments and results
     * included, which may hold secrets; its logger is held here (java.util.logging keeps loggers weakly)
     * and capped at INFO, as the gateway caps Helidon's header loggers.
     */
    private static final java.util.logging.Logger SDK_LOGGER = java.util.logging.Logger.getLogger(
            "io.modelcontextprotocol");

    static {
        SDK_LOGGER.setLevel(java.util.logging.Level.INFO);
    }

    private final McpSettings settings;
    private final Map<String, ToolServer> servers;
    private final GatewayMetrics metrics;
    private final Telemetry telemetry;
    private final McpJsonMapper mapper;
    private final McpEndpoint endpoint;
    private final ChatTools chatTools;

    private McpGateway(McpSettings settings, GatewayMetrics metrics, Telemetry telemetry) {
        this.settings = settings;
        this.metrics = metrics;
        this.telemetry = telemetry;
        this.mapper = new JacksonMcpJsonMapper(JsonMapper.shared());
        JsonSchemaValidator validator = new DefaultJsonSchemaValidator();
        Map<String, ToolServer> created = new LinkedHashMap<>();
        for (McpSettings.Server server : settings.servers()) {
            created.put(server.name(), new ToolServer(server, settings, mapper, validator, () -> { }));
        }
        this.servers = java.util.Collections.unmodifiableMap(created);
        this.endpoint = new McpEndpoint(this, mapper);
        this.chatTools = new ChatTools(this, settings.maxSteps(), telemetry);
    }

    /**
     * Starts the gateway's MCP side: each server is connected in the background, so a server that is
     * down delays nothing and stops nothing.
     *
     * @param settings  {@code gateway.mcp}
     * @param metrics   where tool calls are counted
     * @param telemetry where tool calls are traced
     * @return the running gateway
     */
    public static McpGateway start(McpSettings settings, GatewayMetrics metrics, Telemetry telemetry) {
        McpGateway gateway = new McpGateway(settings, metrics, telemetry);
        for (ToolServer server : gateway.servers.values()) {
            server.start();
        }
        if (settings.enabled()) {
            LOG.log(System.Logger.Level.INFO, "mcp: connecting tool servers " + gateway.servers.keySet()
                    + "; their tools are served at /mcp as {server}__{tool}");
        }
        return gateway;
    }

    /**
     * Whether any tool server is configured.
     *
     * @return {@code true} when MCP is on
     */
    public boolean enabled() {
        return settings.enabled();
    }

    McpJsonMapper mapper() {
        return mapper;
    }

    /**
     * A tool as the gateway offers it.
     *
     * @param name   the gateway's name, {@code {server}__{tool}}
     * @param server the configured server
     * @param tool   the tool as its server describes it (its own name inside)
     */
    record GatewayTool(String name, String server, McpSchema.Tool tool) {
    }

    /**
     * The tools of every connected server that an access allows, in configuration order.
     *
     * @param access the caller's tool access
     * @return the tools
     */
    List<GatewayTool> tools(ToolAccess access) {
        List<GatewayTool> tools = new ArrayList<>();
        for (ToolServer server : servers.values()) {
            for (McpSchema.Tool tool : server.tools()) {
                String name = server.name() + SEPARATOR + tool.name();
                if (access.allows(name)) {
                    tools.add(new GatewayTool(name, server.name(), tool));
                }
            }
        }
        return tools;
    }

    /**
     * The tool a gateway name names, if its server is connected and offers it.
     *
     * @param name {@code {server}__{tool}}
     * @return the tool, or empty
     */
    Optional<GatewayTool> tool(String name) {
        int separator = name == null ? -1 : name.indexOf(SEPARATOR);
        if (separator <= 0) {
            return Optional.empty();
        }
        ToolServer server = servers.get(name.substring(0, separator));
        if (server == null) {
            return Optional.empty();
        }
        String own = name.substring(separator + SEPARATOR.length());
        for (McpSchema.Tool tool : server.tools()) {
            if (tool.name().equals(own)) {
                return Optional.of(new GatewayTool(name, server.name(), tool));
            }
        }
        return Optional.empty();
    }

    /**
     * Calls a tool for a client: checks the client may use it, finds its server, calls it, and counts
     * and traces the call.
     *
     * @param name      {@code {server}__{tool}}
     * @param arguments the arguments, or {@code null}
     * @param callId    the model's tool call id, or {@code null}
     * @param access    the client's tool access
     * @return the result, {@code isError} included
     * @throws ToolException when the tool is unknown, not allowed, or its server fails
     */
    McpSchema.CallToolResult call(String name, Map<String, Object> arguments, String callId, ToolAccess access) {
        long started = System.nanoTime();
        String shown = ToolServer.printable(name == null ? "" : name);
        if (!settings.enabled()) {
            throw notConfigured();
        }
        if (!access.allows(name)) {
            metrics.toolCall("_denied", "_denied", ToolException.Kind.FORBIDDEN.label(), System.nanoTime() - started);
            throw new ToolException(ToolException.Kind.FORBIDDEN, "tool '" + shown + "' is not allowed for this "
                    + "virtual key; its allowed-tools name the tools it may call (tools/list shows them)");
        }
        GatewayTool tool = tool(name).orElse(null);
        if (tool == null) {
            metrics.toolCall("_unknown", "_unknown", ToolException.Kind.UNKNOWN.label(), System.nanoTime() - started);
            throw unknown(shown);
        }
        ToolServer server = servers.get(tool.server());
        ToolSpan span = ToolSpan.start(telemetry, tool.name(), callId, tool.server(), tool.tool().description());
        String outcome = "ok";
        String errorType = null;
        try {
            McpSchema.CallToolResult result = server.call(tool.tool().name(), arguments);
            if (Boolean.TRUE.equals(result.isError())) {
                outcome = "tool_error";
                errorType = "tool_error";
            }
            return result;
        } catch (ToolException e) {
            outcome = e.kind().label();
            errorType = e.toGatewayException().errorCode().type();
            throw e;
        } catch (RuntimeException e) {
            outcome = "failed";
            errorType = "tool_server_error";
            throw new ToolException(ToolException.Kind.FAILED, "tool server '" + tool.server() + "' failed the call"
                    + " of '" + tool.tool().name() + "': " + ToolServer.reason(e));
        } finally {
            span.end(errorType);
            metrics.toolCall(tool.server(), tool.tool().name(), outcome, System.nanoTime() - started);
        }
    }

    private ToolException unknown(String name) {
        int separator = name.indexOf(SEPARATOR);
        ToolServer server = separator <= 0 ? null : servers.get(name.substring(0, separator));
        if (server != null && server.state() != ToolServer.State.CONNECTED) {
            return new ToolException(ToolException.Kind.UNAVAILABLE, "tool server '" + server.name()
                    + "' is not connected, so its tool '" + name + "' is absent until it is back (GET /admin/mcp"
                    + " shows its state)");
        }
        return new ToolException(ToolException.Kind.UNKNOWN, "no connected tool server offers a tool named '" + name
                + "'; tools are named {server}__{tool}, and tools/list names those you may call");
    }

    /**
     * The tool access of a request: what authentication middleware set, else every tool.
     *
     * @param exchange the request
     * @return the access
     */
    static ToolAccess access(Exchange exchange) {
        return exchange.attribute(AttributeKey.TOOL_ACCESS).orElse(ToolAccess.all());
    }

    /**
     * The chain link of the MCP gateway, between the middleware and the rest of the chain: it answers
     * {@link Operation#MCP} and {@link Operation#MCP_TOOL_EXECUTE} itself, serves chat requests that carry
     * {@code x-bf-mcp-tools} or {@code x-bf-mcp-agent}, and hands every other request on untouched (one
     * operation check and, for chat, two header look-ups).
     *
     * @param next the rest of the chain (async jobs, the router)
     * @return the link
     */
    public Chain link(Chain next) {
        return exchange -> switch (exchange.operation()) {
            case MCP -> endpoint.handle(identified(exchange));
            case MCP_TOOL_EXECUTE -> chatTools.execute(identified(exchange));
            case CHAT_COMPLETION -> ChatTools.wantsTools(exchange) ? chatTools.chat(exchange, next)
                    : next.proceed(exchange);
            default -> next.proceed(exchange);
        };
    }

    /**
     * Records the client identity on the outcome, for the request log, as {@code AsyncJobs} does for the
     * requests it ends.
     */
    private static Exchange identified(Exchange exchange) {
        exchange.attribute(AttributeKey.CLIENT_IDENTITY)
                .ifPresent(identity -> ServerOutcome.of(exchange).clientIdentity(identity));
        return exchange;
    }

    /** A {@code tool_error} when MCP is off: what to configure. */
    ToolException notConfigured() {
        return new ToolException(ToolException.Kind.UNKNOWN, "no MCP tool servers are configured; add them under "
                + "gateway.mcp.servers (docs/mcp.md)");
    }

    /**
     * Every server's state and tools, for {@code GET /admin/mcp}.
     *
     * @return {@code {"servers": [...]}}
     */
    public JsonObject status() {
        JsonArrayBuilder list = JsonBodies.provider().createArrayBuilder();
        for (ToolServer server : servers.values()) {
            ToolServer.Status status = server.status();
            JsonArrayBuilder tools = JsonBodies.provider().createArrayBuilder();
            for (String tool : status.tools()) {
                tools.add(status.name() + SEPARATOR + tool);
            }
            JsonObjectBuilder entry = JsonBodies.provider().createObjectBuilder()
                    .add("name", status.name())
                    .add("transport", status.transport())
                    .add("target", status.target())
                    .add("state", status.state().name().toLowerCase(java.util.Locale.ROOT))
                    .add("since", status.since().toString())
                    .add("connects", status.connects())
                    .add("tools", tools);
            if (status.serverInfo() == null) {
                entry.addNull("server_info");
            } else {
                entry.add("server_info", status.serverInfo());
            }
            if (status.lastError() == null) {
                entry.addNull("last_error");
            } else {
                entry.add("last_error", status.lastError());
            }
            list.add(entry);
        }
        return JsonBodies.provider().createObjectBuilder()
                .add("servers", list)
                .add("agent", JsonBodies.provider().createObjectBuilder().add("max_steps", settings.maxSteps()))
                .build();
    }

    /**
     * The MCP check of {@code /health/ready}: each server's state and tool count. A server that is down
     * does not make the gateway unready (its other routes serve); the check says which are.
     *
     * @return {@code {"status": "up"|"degraded", "servers": {name: {state, tools}}}}
     */
    public JsonObject readiness() {
        JsonObjectBuilder all = JsonBodies.provider().createObjectBuilder();
        boolean everyConnected = true;
        for (ToolServer server : servers.values()) {
            ToolServer.Status status = server.status();
            everyConnected &= status.state() == ToolServer.State.CONNECTED;
            all.add(status.name(), JsonBodies.provider().createObjectBuilder()
                    .add("state", status.state().name().toLowerCase(java.util.Locale.ROOT))
                    .add("tools", status.tools().size()));
        }
        return JsonBodies.provider().createObjectBuilder()
                .add("status", everyConnected ? "up" : "degraded")
                .add("servers", all)
                .build();
    }

    /** Disconnects every server; stdio processes end. */
    @Override
    public void close() {
        List<Thread> closing = new ArrayList<>();
        for (ToolServer server : servers.values()) {
            closing.add(Thread.ofVirtual().start(server::close));
        }
        for (Thread thread : closing) {
            try {
                thread.join(java.time.Duration.ofSeconds(15));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
