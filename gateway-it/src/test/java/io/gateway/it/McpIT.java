package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.fakes.FakeOpenAi;
import io.gateway.testkit.fakes.ToolCallingModel;
import io.gateway.testkit.http.RecordedRequest;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20's MCP gateway against the real server: three real MCP tool servers started by the test (one
 * over streamable HTTP requiring a bearer token, built with the SDK's servlet transport; one over the
 * older HTTP+SSE transport; one over stdio, a Java main the gateway starts and supervises) and two that
 * never connect (nothing listening; a wrong
 * token). The MCP Java SDK is the client of {@code /mcp}; the execute route, tool injection and the agent
 * loop run against the test kit's OpenAI fake with its tool-calling model. The last test stops and
 * restarts both servers mid-run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class McpIT {

    private static final String CALC_TOKEN = "calc-token-" + random();
    private static final String ALL_KEY = "sk-bf-all-" + random();
    private static final String CALC_KEY = "sk-bf-calc-" + random();
    private static final String MODELS_KEY = "sk-bf-models-" + random();
    private static final String ADMIN_TOKEN = "admin-" + random();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CHAT = "/v1/chat/completions";

    @TempDir
    static Path temp;

    /** Everything logged while the class ran, formatted, with stack traces. */
    static final StringBuffer LOG = new StringBuffer();
    static final java.util.logging.Handler CAPTURE = new java.util.logging.Handler() {
        private final java.util.logging.SimpleFormatter formatter = new java.util.logging.SimpleFormatter();

        @Override
        public void publish(java.util.logging.LogRecord record) {
            LOG.append(formatter.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    /** The gateway's loggers at every level while the class runs; held so the level is kept. */
    static final java.util.logging.Logger GATEWAY_LOGGER = java.util.logging.Logger.getLogger("gateway");

    static FakeOpenAi openai;
    static HttpToolServer calc;
    static HttpToolServer legacy;
    static OtlpReceiver receiver;
    static TestGateway gateway;

    private static String random() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    @BeforeAll
    static void start() {
        CAPTURE.setLevel(java.util.logging.Level.ALL);
        GATEWAY_LOGGER.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Logger.getLogger("").addHandler(CAPTURE);
        openai = FakeOpenAi.start();
        calc = HttpToolServer.start(CALC_TOKEN);
        legacy = HttpToolServer.startSse(CALC_TOKEN);
        receiver = OtlpReceiver.start();
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("java.class.path");
        gateway = TestGateway.start("""
                gateway:
                  admin:
                    token: ${MCP_IT_ADMIN}
                  logs:
                    store: sqlite
                    path: %s
                  telemetry:
                    otlp:
                      endpoint: %s
                  providers:
                    openai:
                      base-url: %s
                      keys:
                        - name: main
                          value: %s
                  middleware:
                    - type: governance
                      require-virtual-key: true
                      virtual-keys:
                        - name: all
                          value: ${MCP_IT_ALL}
                        - name: calc-only
                          value: ${MCP_IT_CALC}
                          allowed-models: ["openai/*"]
                          allowed-tools: ["calc__*"]
                        - name: models-only
                          value: ${MCP_IT_MODELS}
                          allowed-models: ["openai/*"]
                  mcp:
                    reconnect-initial: 200ms
                    reconnect-max: 1s
                    health-interval: 300ms
                    agent:
                      max-steps: 3
                    servers:
                      calc:
                        transport: http
                        url: %s
                        headers:
                          authorization: "Bearer ${MCP_IT_CALC_TOKEN}"
                        timeout: 10s
                      notes:
                        transport: stdio
                        command: "%s"
                        args: ["-cp", "%s", "io.gateway.it.StdioToolServer"]
                        env:
                          NOTES_GREETING: hello from the gateway
                        timeout: 20s
                      legacy:
                        transport: sse
                        url: %s
                        headers:
                          authorization: "Bearer ${MCP_IT_CALC_TOKEN}"
                        timeout: 10s
                      ghost:
                        url: http://127.0.0.1:%d/mcp
                        timeout: 2s
                      locked:
                        url: %s
                        headers:
                          authorization: Bearer not-the-token
                        timeout: 5s
                """.formatted(temp.resolve("requests.db"), receiver.endpoint(), openai.apiBase(), FakeOpenAi.API_KEY, calc.url(), java,
                classPath, legacy.url(), HttpToolServer.freePort(), calc.url()), plugins.root(),
                Map.of("MCP_IT_ADMIN", ADMIN_TOKEN, "MCP_IT_ALL", ALL_KEY, "MCP_IT_CALC", CALC_KEY,
                        "MCP_IT_MODELS", MODELS_KEY, "MCP_IT_CALC_TOKEN", CALC_TOKEN));
        awaitServers(state -> "connected".equals(state.get("calc")) && "connected".equals(state.get("notes"))
                && "connected".equals(state.get("legacy")) && "down".equals(state.get("ghost"))
                && "down".equals(state.get("locked")));
    }

    @AfterAll
    static void stop() {
        java.util.logging.Logger.getLogger("").removeHandler(CAPTURE);
        GATEWAY_LOGGER.setLevel(null);
        for (AutoCloseable closeable : new AutoCloseable[] {gateway, calc, legacy, openai, receiver}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // the next one still closes
            }
        }
    }

    // ---------------------------------------------------------------- connecting

    @Test
    @Order(1)
    void serversThatAreDownStopNothingAndEveryServerIsReported() {
        JsonObject status = admin();
        Map<String, JsonObject> servers = servers(status);
        assertEquals(List.of("calc__add", "calc__fail"), names(servers.get("calc").getJsonArray("tools")));
        assertEquals(List.of("notes__echo", "notes__pid", "notes__env"), names(servers.get("notes").getJsonArray("tools")));
        assertEquals("http", servers.get("calc").getString("transport"));
        assertEquals("stdio", servers.get("notes").getString("transport"));
        assertEquals("calc 1.0.0", servers.get("calc").getString("server_info"));
        assertEquals("sse", servers.get("legacy").getString("transport"));
        assertEquals(List.of("legacy__add", "legacy__fail"), names(servers.get("legacy").getJsonArray("tools")));
        assertEquals("calc-legacy 0.9.0", servers.get("legacy").getString("server_info"));
        for (String down : List.of("ghost", "locked")) {
            assertEquals("down", servers.get(down).getString("state"), down + ": " + servers.get(down));
            assertEquals(0, servers.get(down).getJsonArray("tools").size());
            assertFalse(servers.get(down).isNull("last_error"), down + " says why it is down");
        }
        assertTrue(calc.refused() > 0, "the locked server's wrong token was refused by the tool server");
        assertEquals("connection refused", servers.get("ghost").getString("last_error"));
        assertTrue(servers.get("locked").getString("last_error").contains("refused the gateway's credentials"),
                servers.get("locked").getString("last_error"));
        assertFalse(status.toString().contains(CALC_TOKEN), "no header value in /admin/mcp");

        HttpResponse<String> ready = Http.get(gateway.uri("/health/ready"));
        assertEquals(200, ready.statusCode(), "a tool server that is down does not make the gateway unready");
        JsonObject mcp = JsonBodies.parse(ready.body()).getJsonObject("checks").getJsonObject("mcp");
        assertEquals("degraded", mcp.getString("status"));
        assertEquals("connected", mcp.getJsonObject("servers").getJsonObject("calc").getString("state"));
        assertEquals(2, mcp.getJsonObject("servers").getJsonObject("calc").getInt("tools"));
        assertEquals("down", mcp.getJsonObject("servers").getJsonObject("ghost").getString("state"));

        assertEquals(401, Http.get(gateway.uri("/admin/mcp")).statusCode(), "the admin token guards /admin/mcp");
        assertEquals(401, Http.get(gateway.uri("/admin/mcp"), "authorization", "Bearer " + ALL_KEY).statusCode());
    }

    // ---------------------------------------------------------------- the gateway as an MCP server

    @Test
    @Order(2)
    void anMcpClientListsAndCallsTheToolsOfEveryConnectedServer() {
        try (McpSyncClient client = client("x-bf-vk", ALL_KEY)) {
            McpSchema.InitializeResult init = client.initialize();
            assertTrue(init.capabilities().tools() != null, "the gateway offers tools");

            List<McpSchema.Tool> tools = client.listTools().tools();
            assertEquals(Set.of("calc__add", "calc__fail", "notes__echo", "notes__pid", "notes__env", "legacy__add",
                    "legacy__fail"), tools.stream().map(McpSchema.Tool::name).collect(Collectors.toSet()));
            McpSchema.Tool add = tools.stream().filter(t -> t.name().equals("calc__add")).findFirst().orElseThrow();
            assertEquals("Adds two numbers.", add.description());
            assertEquals(Set.of("a", "b"), ((Map<?, ?>) add.inputSchema().get("properties")).keySet());

            McpSchema.CallToolResult sum = client.callTool(McpSchema.CallToolRequest.builder("calc__add")
                    .arguments(Map.of("a", 2, "b", 3)).build());
            assertEquals("5", text(sum));
            assertFalse(Boolean.TRUE.equals(sum.isError()));

            McpSchema.CallToolResult failed = client.callTool(McpSchema.CallToolRequest.builder("calc__fail").build());
            assertEquals(Boolean.TRUE, failed.isError(), "isError is relayed");
            assertEquals("the disk is full", text(failed));

            McpSchema.CallToolResult echo = client.callTool(McpSchema.CallToolRequest.builder("notes__echo")
                    .arguments(Map.of("text", "héllo ✓")).build());
            assertEquals("héllo ✓", text(echo));

            McpSchema.CallToolResult legacySum = client.callTool(McpSchema.CallToolRequest.builder("legacy__add")
                    .arguments(Map.of("a", 20, "b", 22)).build());
            assertEquals("42", text(legacySum), "a server on the older SSE transport serves as well");
        }
    }

    @Test
    @Order(3)
    void errorsAreJsonRpcErrorsAndNothingCrashes() {
        try (McpSyncClient client = client("x-bf-vk", ALL_KEY)) {
            client.initialize();
            McpError unknown = assertThrows(McpError.class, () -> client.callTool(
                    McpSchema.CallToolRequest.builder("calc__divide").build()));
            assertEquals(McpSchema.ErrorCodes.INVALID_PARAMS, unknown.getJsonRpcError().code());
            assertTrue(unknown.getMessage().contains("calc__divide"), unknown.getMessage());

            McpError down = assertThrows(McpError.class, () -> client.callTool(
                    McpSchema.CallToolRequest.builder("ghost__anything").build()));
            assertTrue(down.getMessage().contains("'ghost' is not connected"), down.getMessage());
        }
        try (McpSyncClient anonymous = client("x-title", "no key")) {
            assertThrows(RuntimeException.class, anonymous::initialize, "governance refuses a client without a key");
        }

        HttpResponse<String> noKey = Http.post(gateway.uri("/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
        assertEquals(401, noKey.statusCode());
        JsonObject error = JsonBodies.parse(noKey.body());
        assertEquals("2.0", error.getString("jsonrpc"));
        assertEquals(JsonValue.NULL, error.get("id"));
        assertEquals("authentication_error", error.getJsonObject("error").getJsonObject("data").getString("type"));

        HttpResponse<String> notRpc = Http.post(gateway.uri("/mcp"), "{\"hello\":1}", "x-bf-vk", ALL_KEY);
        assertEquals(200, notRpc.statusCode());
        assertEquals(McpSchema.ErrorCodes.INVALID_REQUEST, JsonBodies.parse(notRpc.body()).getJsonObject("error")
                .getInt("code"));
        HttpResponse<String> fractionalId = Http.post(gateway.uri("/mcp"),
                "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"tools/list\"}", "x-bf-vk", ALL_KEY);
        assertEquals(McpSchema.ErrorCodes.INVALID_REQUEST, JsonBodies.parse(fractionalId.body()).getJsonObject("error")
                .getInt("code"));
        HttpResponse<String> badParams = Http.post(gateway.uri("/mcp"),
                "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/call\",\"params\":{\"name\":[1]}}", "x-bf-vk", ALL_KEY);
        JsonObject badParamsError = JsonBodies.parse(badParams.body());
        assertEquals("x", badParamsError.getString("id"));
        assertEquals(McpSchema.ErrorCodes.INVALID_PARAMS, badParamsError.getJsonObject("error").getInt("code"));
        HttpResponse<String> method = Http.post(gateway.uri("/mcp"),
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/list\"}", "x-bf-vk", ALL_KEY);
        assertEquals(McpSchema.ErrorCodes.METHOD_NOT_FOUND, JsonBodies.parse(method.body()).getJsonObject("error")
                .getInt("code"));
        HttpResponse<String> notification = Http.post(gateway.uri("/mcp"),
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", "x-bf-vk", ALL_KEY);
        assertEquals(202, notification.statusCode());
        assertEquals("", notification.body());
        assertEquals(405, Http.get(gateway.uri("/mcp"), "x-bf-vk", ALL_KEY).statusCode(),
                "no server-sent stream: clients fall back to plain answers");
        assertEquals(400, Http.post(gateway.uri("/mcp"), "[1,2]", "x-bf-vk", ALL_KEY).statusCode());
    }

    @Test
    @Order(4)
    void eachVirtualKeySeesAndCallsOnlyItsTools() {
        try (McpSyncClient client = client("authorization", "Bearer " + CALC_KEY)) {
            client.initialize();
            assertEquals(List.of("calc__add", "calc__fail"),
                    client.listTools().tools().stream().map(McpSchema.Tool::name).toList());
            McpError refused = assertThrows(McpError.class, () -> client.callTool(
                    McpSchema.CallToolRequest.builder("notes__echo").arguments(Map.of("text", "x")).build()));
            assertTrue(refused.getMessage().contains("not allowed"), refused.getMessage());
            assertEquals("4", text(client.callTool(McpSchema.CallToolRequest.builder("calc__add")
                    .arguments(Map.of("a", 2, "b", 2)).build())));
        }
        try (McpSyncClient client = client("x-bf-vk", MODELS_KEY)) {
            client.initialize();
            assertEquals(List.of(), client.listTools().tools(), "a key listing models but no tools gets none");
        }
    }

    @Test
    @Order(5)
    void aStdioServerGetsItsOwnEnvironmentAndNotTheGateways() {
        assertEquals("hello from the gateway", execute(ALL_KEY, "notes__env", "{\"name\":\"NOTES_GREETING\"}"));
        assertNotEquals("(unset)", execute(ALL_KEY, "notes__env", "{\"name\":\"PATH\"}"), "PATH is passed on");
        assertTrue(System.getenv().containsKey("OPENAI_API_KEY"), "surefire sets it for this module");
        assertEquals("(unset)", execute(ALL_KEY, "notes__env", "{\"name\":\"OPENAI_API_KEY\"}"),
                "the gateway's own variables stay with the gateway");
    }

    // ---------------------------------------------------------------- the execute route

    @Test
    @Order(6)
    void theExecuteRouteAnswersTheToolMessageToAppend() {
        String call = """
                {"id":"call_9","type":"function","function":{"name":"calc__add","arguments":"{\\"a\\":1.5,\\"b\\":2}"}}""";
        for (String prefix : List.of("/v1/", "/openai/v1/", "/openai/")) {
            HttpResponse<String> response = Http.post(gateway.uri(prefix + "mcp/tool/execute"), call, "x-bf-vk", ALL_KEY);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(JsonBodies.parse("{\"role\":\"tool\",\"tool_call_id\":\"call_9\",\"content\":\"3.5\"}"),
                    JsonBodies.parse(response.body()));
        }
        HttpResponse<String> failed = post("/v1/mcp/tool/execute", ALL_KEY,
                "{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"calc__fail\",\"arguments\":\"{}\"}}");
        assertEquals(200, failed.statusCode());
        assertEquals("true", failed.headers().firstValue("x-bf-mcp-tool-error").orElse(null));
        assertEquals("the disk is full", JsonBodies.parse(failed.body()).getString("content"));

        assertError(post("/v1/mcp/tool/execute", CALC_KEY,
                "{\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"notes__echo\",\"arguments\":\"{}\"}}"),
                403, "tool_not_allowed");
        assertError(post("/v1/mcp/tool/execute", ALL_KEY,
                "{\"id\":\"c3\",\"type\":\"function\",\"function\":{\"name\":\"calc__nope\",\"arguments\":\"{}\"}}"),
                404, "tool_not_found");
        assertError(post("/v1/mcp/tool/execute", ALL_KEY,
                "{\"id\":\"c4\",\"type\":\"function\",\"function\":{\"name\":\"calc__add\",\"arguments\":\"{a:\"}}"),
                400, "invalid_request");
        assertError(post("/v1/mcp/tool/execute", ALL_KEY,
                "{\"type\":\"function\",\"function\":{\"name\":\"calc__add\",\"arguments\":\"{}\"}}"),
                400, "invalid_request");
        assertError(post("/v1/mcp/tool/execute", ALL_KEY,
                "{\"id\":\"c5\",\"type\":\"function\",\"function\":{\"name\":\"ghost__x\",\"arguments\":\"{}\"}}"),
                503, "tool_server_unavailable");
        assertEquals(401, post("/v1/mcp/tool/execute", "sk-bf-wrong", "{}").statusCode());
    }

    // ---------------------------------------------------------------- tools in chat requests

    @Test
    @Order(7)
    void chatRequestsGetTheToolsTheirHeaderAndKeyAllow() {
        openai.reset();
        String chat = """
                {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],
                 "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]}""";
        HttpResponse<String> response = Http.post(gateway.uri(CHAT), chat, "x-bf-vk", ALL_KEY,
                "x-bf-mcp-tools", "calc__add, notes__*");
        assertEquals(200, response.statusCode(), response.body());
        JsonArray tools = openai.lastRequest().bodyJson().getJsonArray("tools");
        assertEquals(List.of("lookup", "calc__add", "notes__echo", "notes__pid", "notes__env"), tools.stream()
                .map(t -> t.asJsonObject().getJsonObject("function").getString("name")).toList(),
                "the client's own tools first, then the MCP tools the globs name");
        JsonObject add = tools.getJsonObject(1);
        assertEquals("function", add.getString("type"));
        assertEquals("Adds two numbers.", add.getJsonObject("function").getString("description"));
        assertEquals(JsonBodies.parse("{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}}"),
                add.getJsonObject("function").getJsonObject("parameters").getJsonObject("properties"));

        Http.post(gateway.uri(CHAT), "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}", "x-bf-vk", CALC_KEY, "x-bf-mcp-tools", "*");
        assertEquals(List.of("calc__add", "calc__fail"), openai.lastRequest().bodyJson().getJsonArray("tools").stream()
                .map(t -> t.asJsonObject().getJsonObject("function").getString("name")).toList(),
                "governance filters the globs by the key's allowed-tools");

        assertError(Http.post(gateway.uri(CHAT), "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}", "x-bf-vk", CALC_KEY, "x-bf-mcp-tools", "notes__echo"), 403, "tool_not_allowed");

        HttpResponse<String> absent = Http.post(gateway.uri(CHAT), "{\"model\":\"openai/gpt-4o-mini\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-bf-vk", ALL_KEY, "x-bf-mcp-tools", "ghost__x,calc__add");
        assertEquals(200, absent.statusCode());
        assertEquals("ghost__x", absent.headers().firstValue("x-bf-mcp-tools-absent").orElse(null));

        int before = openai.requests().size();
        HttpResponse<String> plain = Http.post(gateway.uri(CHAT), "{\"model\":\"openai/gpt-4o-mini\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-bf-vk", ALL_KEY);
        assertEquals(200, plain.statusCode());
        assertEquals(before + 1, openai.requests().size());
        assertFalse(openai.lastRequest().bodyJson().containsKey("tools"), "no header, no tools");
    }

    // ---------------------------------------------------------------- the agent loop

    @Test
    @Order(8)
    void theAgentLoopCallsTheToolAndAnswersFromItsResult() {
        openai.reset();
        ToolCallingModel model = ToolCallingModel.calling("calc__add", "{\"a\":2,\"b\":3}");
        openai.answerWith(model);
        HttpResponse<String> response = Http.post(gateway.uri(CHAT), "{\"model\":\"openai/gpt-4o-mini\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"what is 2+3?\"}]}", "x-bf-vk", ALL_KEY, "x-bf-mcp-agent", "true",
                "x-bf-mcp-tools", "calc__add", "x-request-id", "mcp-it-agent");
        assertEquals(200, response.statusCode(), response.body());
        JsonObject answer = JsonBodies.parse(response.body());
        assertEquals("The tool answered: 5", answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content"));
        assertEquals(2, model.answers());
        assertEquals("2", response.headers().firstValue("x-bf-mcp-agent-steps").orElse(null));
        // step 1: one message (10 prompt tokens); step 2: user, assistant with the call, tool result (30)
        assertEquals(JsonBodies.parse("{\"prompt_tokens\":40,\"completion_tokens\":10,\"total_tokens\":50}"),
                answer.getJsonObject("usage"));
        JsonObject agent = answer.getJsonObject("x_bf_mcp_agent");
        assertEquals(2, agent.getInt("model_calls"));
        assertEquals("answer", agent.getString("stopped"));
        assertEquals(JsonBodies.parse("{\"id\":\"call_1\",\"name\":\"calc__add\",\"outcome\":\"ok\"}"),
                agent.getJsonArray("steps").getJsonObject(0).getJsonArray("tool_calls").getJsonObject(0));
        RecordedRequest second = openai.requests().get(1);
        JsonArray messages = second.bodyJson().getJsonArray("messages");
        assertEquals(3, messages.size());
        assertEquals(JsonBodies.parse("{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"5\"}"),
                messages.getJsonObject(2));
    }

    @Test
    @Order(9)
    void parallelToolCallsRunTogetherAndClientToolsEndTheLoop() {
        openai.reset();
        openai.answerWith(ToolCallingModel.callingInParallel("calc__add", List.of("{\"a\":1,\"b\":1}",
                "{\"a\":2,\"b\":2}")));
        HttpResponse<String> parallel = Http.post(gateway.uri(CHAT), "{\"model\":\"openai/gpt-4o-mini\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"add twice\"}]}", "x-bf-vk", CALC_KEY, "x-bf-mcp-agent", "true");
        assertEquals(200, parallel.statusCode(), parallel.body());
        assertEquals("The tool answered: 2 | 4", JsonBodies.parse(parallel.body()).getJsonArray("choices")
                .getJsonObject(0).getJsonObject("message").getString("content"),
                "without x-bf-mcp-tools the agent gets every tool the key allows");

        openai.reset();
        ToolCallingModel lookup = ToolCallingModel.calling("lookup", "{}");
        openai.answerWith(lookup);
        HttpResponse<String> clientTool = Http.post(gateway.uri(CHAT), """
                {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"look it up"}],
                 "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]}""",
                "x-bf-vk", ALL_KEY, "x-bf-mcp-agent", "true", "x-bf-mcp-tools", "calc__*");
        assertEquals(200, clientTool.statusCode(), clientTool.body());
        JsonObject answer = JsonBodies.parse(clientTool.body());
        assertEquals("lookup", answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("name"),
                "a call of the client's own tool goes back to the client");
        assertEquals("client_tools", answer.getJsonObject("x_bf_mcp_agent").getString("stopped"));
        assertEquals(1, lookup.answers());

        openai.reset();
        ToolCallingModel stuck = ToolCallingModel.callingEveryTime("calc__add", "{\"a\":1,\"b\":2}");
        openai.answerWith(stuck);
        HttpResponse<String> limited = Http.post(gateway.uri(CHAT), "{\"model\":\"openai/gpt-4o-mini\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"loop\"}]}", "x-bf-vk", ALL_KEY, "x-bf-mcp-agent", "true",
                "x-bf-mcp-tools", "calc__add");
        assertEquals(200, limited.statusCode(), limited.body());
        assertEquals(3, stuck.answers(), "agent.max-steps: 3 model calls");
        assertEquals("3", limited.headers().firstValue("x-bf-mcp-agent-steps").orElse(null));
        JsonObject last = JsonBodies.parse(limited.body());
        assertEquals("max_steps", last.getJsonObject("x_bf_mcp_agent").getString("stopped"));
        JsonArray steps = last.getJsonObject("x_bf_mcp_agent").getJsonArray("steps");
        assertEquals(List.of(1, 1, 0), steps.stream().map(step -> step.asJsonObject().getJsonArray("tool_calls").size())
                .toList(), "steps 1 and 2 ran their call; the third answer's call goes to the client");
        assertEquals("tool_calls", last.getJsonArray("choices").getJsonObject(0).getString("finish_reason"),
                "the last answer, still asking for a tool, goes to the client");

        assertError(Http.post(gateway.uri(CHAT), "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-bf-vk", ALL_KEY, "x-bf-mcp-agent", "true"),
                400, "invalid_request");
        openai.reset();
    }

    // ---------------------------------------------------------------- metrics and traces

    @Test
    @Order(10)
    void everyToolCallIsCountedAndTraced() {
        String scrape = Http.get(gateway.uri("/metrics")).body();
        assertTrue(scrape.lines().anyMatch(line -> line.startsWith("gateway_mcp_tool_calls_total{")
                && line.contains("outcome=\"ok\"") && line.contains("server=\"calc\"") && line.contains("tool=\"add\"")),
                scrape);
        assertTrue(scrape.lines().anyMatch(line -> line.startsWith("gateway_mcp_tool_calls_total{")
                && line.contains("outcome=\"tool_error\"") && line.contains("tool=\"fail\"")));
        assertTrue(scrape.lines().anyMatch(line -> line.startsWith("gateway_mcp_tool_call_seconds_count{")));

        Predicate<OtlpReceiver.ReceivedSpan> toolSpan = span -> "call_9".equals(span.string("gen_ai.tool.call.id"));
        List<OtlpReceiver.ReceivedSpan> spans = receiver.await("an execute_tool span of call_9 and its parent", WAIT,
                kept -> kept.stream().filter(toolSpan).anyMatch(tool -> kept.stream()
                        .anyMatch(parent -> parent.spanId().equals(tool.parentSpanId()))));
        OtlpReceiver.ReceivedSpan span = spans.stream().filter(toolSpan).findFirst().orElseThrow();
        assertEquals("execute_tool calc__add", span.name());
        assertEquals("execute_tool", span.string("gen_ai.operation.name"));
        assertEquals("calc__add", span.string("gen_ai.tool.name"));
        assertEquals("calc", span.string("gateway.mcp.server"));
        OtlpReceiver.ReceivedSpan parent = spans.stream().filter(s -> s.spanId().equals(span.parentSpanId()))
                .findFirst().orElseThrow();
        assertEquals(span.traceId(), parent.traceId());
        assertTrue(parent.string("http.route").endsWith("mcp/tool/execute"),
                "the tool span is a child of its request's span: " + parent.name());
    }

    @Test
    @Order(11)
    void mcpRequestsAndTheAgentLoopAreInTheRequestLog() {
        Http.post(gateway.uri("/mcp"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                "x-bf-vk", CALC_KEY, "x-request-id", "mcp-it-list");
        Http.post(gateway.uri("/v1/mcp/tool/execute"), "{\"id\":\"c\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"notes__echo\",\"arguments\":\"{\\\"text\\\":\\\"x\\\"}\"}}", "x-bf-vk", ALL_KEY,
                "x-request-id", "mcp-it-execute");

        JsonObject list = awaitLogged("mcp-it-list");
        assertEquals("mcp", list.getString("operation"));
        assertEquals("calc-only", list.getString("virtual_key"));
        assertEquals(200, list.getInt("status"));
        JsonObject execute = awaitLogged("mcp-it-execute");
        assertEquals("mcp_tool_execute", execute.getString("operation"));
        assertEquals("all", execute.getString("virtual_key"));
        JsonObject agent = awaitLogged("mcp-it-agent");
        assertEquals("chat_completion", agent.getString("operation"));
        assertEquals(40, agent.getInt("input_tokens"), "the loop's two model calls, summed");
        assertEquals(10, agent.getInt("output_tokens"));
        assertEquals(2, agent.getJsonArray("attempts").size(), "one attempt per model call");
    }

    private static JsonObject awaitLogged(String requestId) {
        return RequestLogIT.awaitDetail(gateway, ADMIN_TOKEN, requestId);
    }

    @Test
    @Order(12)
    void aServerThatChangesItsToolsIsFollowed() {
        calc.addTool("multiply");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!names(servers(admin()).get("calc").getJsonArray("tools")).contains("calc__multiply")) {
            assertTrue(System.nanoTime() < deadline, "calc__multiply appears after the list-changed notification");
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertEquals("multiply", execute(ALL_KEY, "calc__multiply", "{}"));
    }

    // ---------------------------------------------------------------- restarts

    @Test
    @Order(13)
    void serversThatDropAreReconnectedAndTheirToolsComeBack() {
        long pid = Long.parseLong(execute(ALL_KEY, "notes__pid", "{}"));

        calc.stop();
        awaitServers(state -> "down".equals(state.get("calc")));
        try (McpSyncClient client = client("x-bf-vk", ALL_KEY)) {
            client.initialize();
            assertEquals(Set.of("notes__echo", "notes__pid", "notes__env", "legacy__add", "legacy__fail"),
                    client.listTools().tools().stream()
                    .map(McpSchema.Tool::name).collect(Collectors.toSet()), "a server that is down offers nothing");
        }
        assertError(post("/v1/mcp/tool/execute", ALL_KEY,
                "{\"id\":\"r1\",\"type\":\"function\",\"function\":{\"name\":\"calc__add\",\"arguments\":\"{}\"}}"),
                503, "tool_server_unavailable");
        calc.start();
        awaitServers(state -> "connected".equals(state.get("calc")));
        assertEquals("9", execute(ALL_KEY, "calc__add", "{\"a\":4,\"b\":5}"));

        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitServers(state -> "connected".equals(state.get("notes"))
                && servers(admin()).get("notes").getInt("connects") >= 2);
        long restarted = Long.parseLong(execute(ALL_KEY, "notes__pid", "{}"));
        assertNotEquals(pid, restarted, "the gateway started the stdio server again");
        assertEquals("still here", execute(ALL_KEY, "notes__echo", "{\"text\":\"still here\"}"));
    }

    @Test
    @Order(14)
    void theLogSaysWhatHappenedToEachServerAndHoldsNoSecret() throws java.io.IOException {
        String log = LOG.toString();
        java.nio.file.Files.writeString(Path.of("target", "McpIT.log"), log);
        for (String line : List.of("mcp server calc connected", "mcp server notes connected",
                "mcp server calc dropped", "mcp server notes dropped", "mcp server ghost (http://127.0.0.1:",
                "mcp server locked (")) {
            assertTrue(log.contains(line), "the log names: " + line);
        }
        for (String secret : List.of(CALC_TOKEN, ALL_KEY, CALC_KEY, MODELS_KEY, ADMIN_TOKEN)) {
            assertFalse(log.contains(secret), "a secret in the log");
        }
        assertFalse(log.contains("héllo"), "no tool argument or result in the log");
    }

    // ---------------------------------------------------------------- helpers

    private static McpSyncClient client(String header, String value) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder("http://127.0.0.1:" + gateway.uri("/").getPort())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header(header, value))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
    }

    private static String text(McpSchema.CallToolResult result) {
        return result.content().stream().map(content -> ((McpSchema.TextContent) content).text())
                .collect(Collectors.joining("\n"));
    }

    private static String execute(String key, String tool, String argumentsJson) {
        String body = JsonBodies.provider().createObjectBuilder().add("id", "call_x").add("type", "function")
                .add("function", JsonBodies.provider().createObjectBuilder().add("name", tool)
                        .add("arguments", argumentsJson)).build().toString();
        HttpResponse<String> response = post("/v1/mcp/tool/execute", key, body);
        assertEquals(200, response.statusCode(), response.body());
        return JsonBodies.parse(response.body()).getString("content");
    }

    private static HttpResponse<String> post(String path, String key, String body) {
        return Http.post(gateway.uri(path), body, "x-bf-vk", key);
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject error = JsonBodies.parse(response.body()).getJsonObject("error");
        assertEquals(code, error.getString("code"), response.body());
        assertFalse(error.getString("message").isBlank());
    }

    private static JsonObject admin() {
        HttpResponse<String> response = Http.get(gateway.uri("/admin/mcp"), "authorization", "Bearer " + ADMIN_TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        return JsonBodies.parse(response.body());
    }

    private static Map<String, JsonObject> servers(JsonObject status) {
        return status.getJsonArray("servers").stream().map(JsonValue::asJsonObject)
                .collect(Collectors.toMap(s -> s.getString("name"), s -> s));
    }

    private static List<String> names(JsonArray array) {
        return array.stream().map(v -> ((jakarta.json.JsonString) v).getString()).toList();
    }

    /** Waits until the servers' states (name to state) satisfy {@code done}. */
    private static void awaitServers(Predicate<Map<String, String>> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, String> states = Map.of();
        while (System.nanoTime() < deadline) {
            states = servers(admin()).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getString("state")));
            if (done.test(states)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the tool servers did not reach the expected states within " + WAIT + ": " + states
                + " " + admin());
    }
}
