package io.gateway.server.mcp;

import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.ToolAccess;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.ProtocolVersions;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * The gateway's own MCP server, behind {@code POST /mcp}: one JSON-RPC message per request, answered
 * with {@code application/json} (the stateless form of the streamable HTTP transport: no session, no
 * server-sent events, so no server-to-client requests or notifications). It offers tools only:
 * {@code initialize}, {@code ping}, {@code tools/list} (the tools of every connected server that the
 * caller's virtual key allows, named {@code {server}__{tool}}) and {@code tools/call} (forwarded to the
 * owning server, its content and {@code isError} relayed). It is the SDK's stateless server seam
 * ({@link McpStatelessServerHandler}) implemented by the gateway rather than the SDK's
 * {@code McpStatelessAsyncServer}, because that server lists one fixed set of tools to every caller,
 * while the gateway's list depends on the caller and on which servers are connected at the moment.
 *
 * <p>Thread-safe and stateless; the caller's access travels in the {@link McpTransportContext}.
 */
final class McpEndpoint implements McpStatelessServerHandler {

    static final String ACCESS = "gateway.tool-access";
    private static final System.Logger LOG = System.getLogger("gateway.mcp");
    private static final List<String> VERSIONS = List.of(ProtocolVersions.MCP_2024_11_05,
            ProtocolVersions.MCP_2025_03_26, ProtocolVersions.MCP_2025_06_18, ProtocolVersions.MCP_2025_11_25);
    private static final String LATEST = ProtocolVersions.MCP_2025_11_25;

    private final McpGateway gateway;
    private final McpJsonMapper mapper;

    McpEndpoint(McpGateway gateway, McpJsonMapper mapper) {
        this.gateway = gateway;
        this.mapper = mapper;
    }

    /**
     * Answers one message of {@code POST /mcp}.
     *
     * @param exchange the request; its body is the JSON-RPC message
     * @return 200 with the JSON-RPC response for a request, 202 without a body for a notification or a
     *         response
     */
    Response handle(Exchange exchange) {
        JsonObject body = exchange.body();
        McpSchema.JSONRPCMessage message;
        try {
            message = McpSchema.deserializeJsonRpcMessage(mapper, body.toString());
        } catch (IOException | RuntimeException e) {
            return error(idOf(body), McpSchema.ErrorCodes.INVALID_REQUEST, "not a JSON-RPC 2.0 request of MCP: send "
                    + "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/list\"} and the like, with a string or "
                    + "integer id");
        }
        McpTransportContext context = McpTransportContext.create(Map.of(ACCESS, McpGateway.access(exchange)));
        if (message instanceof McpSchema.JSONRPCRequest request) {
            McpSchema.JSONRPCResponse response = handleRequest(context, request).block();
            try {
                return Response.Complete.ofBytes(200, Headers.empty(), mapper.writeValueAsBytes(response));
            } catch (IOException e) {
                return error(request.id(), McpSchema.ErrorCodes.INTERNAL_ERROR, "the answer could not be written: "
                        + ToolServer.reason(e));
            }
        }
        if (message instanceof McpSchema.JSONRPCNotification notification) {
            handleNotification(context, notification).block();
        }
        return Response.Complete.ofBytes(202, Headers.empty(), new byte[0]);
    }

    @Override
    public Mono<McpSchema.JSONRPCResponse> handleRequest(McpTransportContext context, McpSchema.JSONRPCRequest request) {
        return Mono.fromSupplier(() -> {
            try {
                return McpSchema.JSONRPCResponse.result(request.id(), dispatch(context, request));
            } catch (ToolException e) {
                return McpSchema.JSONRPCResponse.error(request.id(),
                        new McpSchema.JSONRPCResponse.JSONRPCError(e.jsonRpcCode(), e.getMessage()));
            } catch (RuntimeException e) {
                // nothing a client sends may fail the gateway: an unexpected failure is this request's error
                LOG.log(System.Logger.Level.ERROR, "mcp: " + ToolServer.printable(request.method())
                        + " failed unexpectedly", e);
                return McpSchema.JSONRPCResponse.error(request.id(), new McpSchema.JSONRPCResponse.JSONRPCError(
                        McpSchema.ErrorCodes.INTERNAL_ERROR, "the gateway failed to answer "
                        + ToolServer.printable(request.method()) + "; its log has the details"));
            }
        });
    }

    @Override
    public Mono<Void> handleNotification(McpTransportContext context, McpSchema.JSONRPCNotification notification) {
        // notifications/initialized, cancelled, roots changes: the stateless server keeps nothing to update
        return Mono.empty();
    }

    private Object dispatch(McpTransportContext context, McpSchema.JSONRPCRequest request) {
        ToolAccess access = (ToolAccess) context.get(ACCESS);
        return switch (request.method()) {
            case McpSchema.METHOD_INITIALIZE -> initialize(request.params());
            case McpSchema.METHOD_PING -> Map.of();
            case McpSchema.METHOD_TOOLS_LIST -> McpSchema.ListToolsResult.builder(listed(access)).build();
            case McpSchema.METHOD_TOOLS_CALL -> call(request.params(), access);
            default -> throw new ToolException(ToolException.Kind.INVALID, "method '"
                    + ToolServer.printable(request.method()) + "' is not served: the gateway's MCP server offers tools"
                    + " (initialize, ping, tools/list, tools/call)", McpSchema.ErrorCodes.METHOD_NOT_FOUND);
        };
    }

    private McpSchema.InitializeResult initialize(Object params) {
        String asked = null;
        if (params instanceof Map<?, ?> map && map.get("protocolVersion") instanceof String version) {
            asked = version;
        }
        String version = asked != null && VERSIONS.contains(asked) ? asked : LATEST;
        return McpSchema.InitializeResult.builder(version,
                        McpSchema.ServerCapabilities.builder().tools(false).build(),
                        McpSchema.Implementation.builder("llm-gateway", version()).build())
                .instructions("The tools of the MCP servers connected to this gateway, named {server}__{tool}.")
                .build();
    }

    private List<McpSchema.Tool> listed(ToolAccess access) {
        List<McpSchema.Tool> tools = new ArrayList<>();
        for (McpGateway.GatewayTool tool : gateway.tools(access)) {
            McpSchema.Tool own = tool.tool();
            tools.add(new McpSchema.Tool(tool.name(), own.title(), own.description(), own.inputSchema(),
                    own.outputSchema(), own.annotations(), own.meta(), own.icons()));
        }
        return tools;
    }

    private McpSchema.CallToolResult call(Object params, ToolAccess access) {
        if (!(params instanceof Map<?, ?>)) {
            throw new ToolException(ToolException.Kind.INVALID, "tools/call needs params with the tool's name: "
                    + "{\"name\": \"{server}__{tool}\", \"arguments\": {...}}");
        }
        McpSchema.CallToolRequest request;
        try {
            request = mapper.convertValue(params, McpSchema.CallToolRequest.class);
        } catch (RuntimeException e) {
            throw new ToolException(ToolException.Kind.INVALID, "tools/call params are not a tool call: name must "
                    + "be a string and arguments an object");
        }
        if (request.name() == null || request.name().isBlank()) {
            throw new ToolException(ToolException.Kind.INVALID, "tools/call needs params.name, the tool's name as "
                    + "tools/list gives it ({server}__{tool})");
        }
        return gateway.call(request.name(), request.arguments(), null, access);
    }

    /** A JSON-RPC error the SDK's records cannot carry (their id must not be null). */
    private static Response error(Object id, int code, String message) {
        var builder = JsonBodies.provider().createObjectBuilder().add("jsonrpc", "2.0");
        if (id instanceof String text) {
            builder.add("id", text);
        } else if (id instanceof Number number) {
            builder.add("id", number.longValue());
        } else {
            builder.addNull("id");
        }
        builder.add("error", JsonBodies.provider().createObjectBuilder().add("code", code).add("message", message));
        return Response.Complete.of(200, Headers.empty(), builder.build());
    }

    private static Object idOf(JsonObject body) {
        JsonValue id = body.get("id");
        if (id instanceof JsonString text) {
            return text.getString();
        }
        if (id instanceof JsonNumber number && number.isIntegral()) {
            return number.longValue();
        }
        return null;
    }

    private static String version() {
        String version = McpEndpoint.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
