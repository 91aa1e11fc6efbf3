package io.gateway.it;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;

/**
 * A real MCP tool server over stdio for the tests: a Java main, started by the gateway with the test
 * JVM's {@code java} and class path, built with the MCP SDK's stdio server transport. Tools: {@code echo}
 * (its text back), {@code pid} (the process id, to see a restart) and {@code env} (a variable of its
 * environment, or {@code (unset)}, to see what the gateway passes on). Its log goes to standard error.
 */
public final class StdioToolServer {

    private StdioToolServer() {
    }

    /**
     * Serves until the gateway ends the process.
     *
     * @param args none
     * @throws InterruptedException never, in practice
     */
    public static void main(String[] args) throws InterruptedException {
        StdioServerTransportProvider transport = new StdioServerTransportProvider(McpJsonDefaults.getMapper());
        McpServer.sync(transport)
                .serverInfo("notes", "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(tool("echo", "Says the text back.", Map.of("text", Map.of("type", "string")),
                                arguments -> String.valueOf(arguments.get("text"))),
                        tool("pid", "The server's process id.", Map.of(),
                                arguments -> Long.toString(ProcessHandle.current().pid())),
                        tool("env", "A variable of the server's environment.", Map.of("name", Map.of("type", "string")),
                                arguments -> {
                                    String value = System.getenv(String.valueOf(arguments.get("name")));
                                    return value == null ? "(unset)" : value;
                                }))
                .build();
        Thread.currentThread().join();
    }

    private static McpServerFeatures.SyncToolSpecification tool(String name, String description,
                                                                Map<String, Object> properties,
                                                                java.util.function.Function<Map<String, Object>, String> body) {
        McpSchema.Tool tool = McpSchema.Tool.builder(name, Map.of("type", "object", "properties", properties,
                "required", List.copyOf(properties.keySet()))).description(description).build();
        return McpServerFeatures.SyncToolSpecification.builder().tool(tool)
                .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                        .addTextContent(body.apply(request.arguments() == null ? Map.of() : request.arguments()))
                        .build())
                .build();
    }
}
