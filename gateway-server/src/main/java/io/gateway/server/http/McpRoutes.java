package io.gateway.server.http;

import io.gateway.server.core.ClientBody;
import io.gateway.server.mcp.McpGateway;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.middleware.Exchange;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import jakarta.json.JsonObject;

/**
 * The MCP gateway's routes: {@code POST /mcp} (the gateway as an MCP server, streamable HTTP without
 * sessions: {@code GET} and {@code DELETE} answer 405, which MCP clients take as "no server-sent
 * stream"), {@code POST mcp/tool/execute} under every OpenAI prefix, and {@code GET /admin/mcp}. The
 * first two run like the inference routes ({@link InferenceRoutes#handle}): read into an exchange, through
 * the middleware (authentication, tool access, rate limits), answered by the MCP link at the chain's
 * end, recorded in the metrics, the span and the request log. Errors on {@code /mcp} are JSON-RPC
 * error objects ({@link ApiFormat#MCP}), on the execute route the error envelope.
 *
 * <p>Created once by {@code GatewayServer}; stateless and thread-safe. No argument may be {@code null}.
 */
public final class McpRoutes {

    /** The path of the gateway's MCP server. */
    public static final String MCP_PATH = "/mcp";
    /** The execute route below each OpenAI prefix. */
    public static final String EXECUTE_PATH = "mcp/tool/execute";

    private final InferenceRoutes routes;
    private final McpGateway gateway;
    private final AdminRoutes admin;
    private final long maxRequestBody;

    /**
     * The routes.
     *
     * @param routes         the inference routes, whose request handling these share
     * @param gateway        the MCP gateway
     * @param admin          the admin routes, whose token guards {@code /admin/mcp}
     * @param maxRequestBody the body size limit
     */
    public McpRoutes(InferenceRoutes routes, McpGateway gateway, AdminRoutes admin, long maxRequestBody) {
        this.routes = routes;
        this.gateway = gateway;
        this.admin = admin;
        this.maxRequestBody = maxRequestBody;
    }

    /**
     * Registers the routes.
     *
     * @param routing the routing builder
     */
    public void register(HttpRouting.Builder routing) {
        routing.post(MCP_PATH, (req, res) -> routes.handle(Operation.MCP, MCP_PATH, req, res, ApiFormat.MCP,
                (requestId, receivedAt, outcome, files) -> read(Operation.MCP, req, requestId, receivedAt, outcome)));
        routing.any(MCP_PATH, (req, res) -> routes.methodNotAllowed(Operation.MCP, "POST", req, res, ApiFormat.MCP));
        for (String prefix : InferenceRoutes.PREFIXES) {
            String path = prefix + EXECUTE_PATH;
            routing.post(path, (req, res) -> routes.handle(Operation.MCP_TOOL_EXECUTE, path, req, res,
                    ApiFormat.OPENAI, (requestId, receivedAt, outcome, files) -> read(Operation.MCP_TOOL_EXECUTE, req,
                            requestId, receivedAt, outcome)));
            routing.any(path, (req, res) -> routes.methodNotAllowed(Operation.MCP_TOOL_EXECUTE, "POST", req, res,
                    ApiFormat.OPENAI));
        }
        routing.get("/admin/mcp", (req, res) -> admin.guardedBytes(req, res, () -> JsonBodies.toBytes(
                gateway.status())));
    }

    private Exchange read(Operation operation, ServerRequest req, String requestId, java.time.Instant receivedAt,
                          io.gateway.server.core.ServerOutcome outcome) throws java.io.IOException {
        byte[] bytes = RequestBodies.read(req.content().inputStream(), req.headers().contentLength().orElse(-1),
                maxRequestBody);
        JsonObject body = RequestBodies.parse(bytes);
        Exchange exchange;
        try {
            exchange = Exchange.create(requestId, operation, body, ExchangeReader.headersOf(req), receivedAt, outcome);
        } catch (IllegalArgumentException e) {
            // a top-level "model" that is not provider/model: not part of either body, and not accepted
            throw GatewayException.of(ErrorCode.INVALID_REQUEST, "the body holds a 'model' that is not provider/model;"
                    + " " + (operation == Operation.MCP ? "a JSON-RPC message has no model" : "a tool call has none"));
        }
        return exchange.withAttribute(ClientBody.KEY, new ClientBody(body, bytes));
    }
}
