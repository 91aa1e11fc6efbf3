package io.gateway.it;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletSseServerTransportProvider;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * A real MCP tool server over streamable HTTP (or, made with {@link #startSse}, the older HTTP+SSE
 * transport) for the tests, built with the MCP SDK's server side (its servlet transports on embedded
 * Tomcat) on a loopback port, that answers only requests with
 * {@code Authorization: Bearer <token>} (else 401). Tools: {@code add} (two numbers, their sum as text)
 * and {@code fail} (a result with {@code isError}). It can be stopped and started again on the same port,
 * as a server restarted mid-run.
 */
final class HttpToolServer implements AutoCloseable {

    private final int port;
    private final String token;
    private final boolean sse;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private Tomcat tomcat;
    private McpSyncServer server;
    private Path baseDir;

    private HttpToolServer(int port, String token, boolean sse) {
        this.port = port;
        this.token = token;
        this.sse = sse;
    }

    /** Starts a streamable-HTTP server on a free loopback port. */
    static HttpToolServer start(String token) {
        HttpToolServer server = new HttpToolServer(freePort(), token, false);
        server.start();
        return server;
    }

    /** Starts a server speaking the HTTP+SSE transport of 2024-11-05 on a free loopback port. */
    static HttpToolServer startSse(String token) {
        HttpToolServer server = new HttpToolServer(freePort(), token, true);
        server.start();
        return server;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL to configure: {@code http://127.0.0.1:PORT/mcp}, or {@code …/sse} for the SSE transport. */
    String url() {
        return "http://127.0.0.1:" + port + (sse ? "/sse" : "/mcp");
    }

    /** Tool calls the server ran. */
    int calls() {
        return calls.get();
    }

    /** Requests refused for a missing or wrong bearer token. */
    int refused() {
        return refused.get();
    }

    synchronized void start() {
        if (tomcat != null) {
            return;
        }
        jakarta.servlet.http.HttpServlet transport;
        if (sse) {
            HttpServletSseServerTransportProvider provider = HttpServletSseServerTransportProvider.builder()
                    .messageEndpoint("/mcp/message").sseEndpoint("/sse").build();
            server = McpServer.sync(provider)
                    .serverInfo("calc-legacy", "0.9.0")
                    .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                    .tools(add(), fail())
                    .build();
            transport = provider;
        } else {
            HttpServletStreamableServerTransportProvider provider = HttpServletStreamableServerTransportProvider
                    .builder().mcpEndpoint("/mcp").build();
            server = McpServer.sync(provider)
                    .serverInfo("calc", "1.0.0")
                    .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                    .tools(add(), fail())
                    .build();
            transport = provider;
        }
        try {
            baseDir = Files.createTempDirectory("mcp-http-tool-server");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Tomcat created = new Tomcat();
        created.setHostname("127.0.0.1");
        created.setPort(port);
        created.setBaseDir(baseDir.toString());
        created.getConnector().setProperty("address", "127.0.0.1");
        Context context = created.addContext("", baseDir.toString());
        Wrapper wrapper = context.createWrapper();
        wrapper.setName("mcp");
        wrapper.setServlet(transport);
        wrapper.setLoadOnStartup(1);
        wrapper.setAsyncSupported(true);
        context.addChild(wrapper);
        context.addServletMappingDecoded("/*", "mcp");
        FilterDef filter = new FilterDef();
        filter.setFilterName("bearer");
        filter.setFilter(new BearerFilter());
        filter.setAsyncSupported("true");
        context.addFilterDef(filter);
        FilterMap mapping = new FilterMap();
        mapping.setFilterName("bearer");
        mapping.addURLPattern("/*");
        context.addFilterMap(mapping);
        try {
            created.start();
        } catch (LifecycleException e) {
            throw new IllegalStateException("the HTTP tool server did not start", e);
        }
        tomcat = created;
    }

    /**
     * Adds a tool while the server runs; the SDK tells connected clients its list changed. The tool
     * answers with its own name.
     *
     * @param name the tool's name
     */
    synchronized void addTool(String name) {
        McpSchema.Tool tool = McpSchema.Tool.builder(name, Map.of("type", "object")).description("Added later.")
                .build();
        server.addTool(McpServerFeatures.SyncToolSpecification.builder().tool(tool)
                .callHandler((exchange, request) -> McpSchema.CallToolResult.builder().addTextContent(name).build())
                .build());
    }

    /** Stops the server; its port refuses connections until {@link #start()}. */
    synchronized void stop() {
        if (tomcat == null) {
            return;
        }
        try {
            server.closeGracefully();
        } catch (RuntimeException ignored) {
            // the sessions go with the server either way
        }
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException(e);
        }
        tomcat = null;
    }

    @Override
    public void close() {
        stop();
    }

    private McpServerFeatures.SyncToolSpecification add() {
        McpSchema.Tool tool = McpSchema.Tool.builder("add", Map.of("type", "object",
                        "properties", Map.of("a", Map.of("type", "number"), "b", Map.of("type", "number")),
                        "required", List.of("a", "b")))
                .description("Adds two numbers.")
                .build();
        return McpServerFeatures.SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
            calls.incrementAndGet();
            double sum = ((Number) request.arguments().get("a")).doubleValue()
                    + ((Number) request.arguments().get("b")).doubleValue();
            String text = sum == Math.rint(sum) ? Long.toString((long) sum) : Double.toString(sum);
            return McpSchema.CallToolResult.builder().addTextContent(text).build();
        }).build();
    }

    private McpServerFeatures.SyncToolSpecification fail() {
        McpSchema.Tool tool = McpSchema.Tool.builder("fail", Map.of("type", "object"))
                .description("Always fails, as a tool does that reports an error.")
                .build();
        return McpServerFeatures.SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
            calls.incrementAndGet();
            return McpSchema.CallToolResult.builder().addTextContent("the disk is full").isError(true).build();
        }).build();
    }

    /** Refuses every request without the bearer token, as a protected tool server does. */
    private final class BearerFilter implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            String authorization = ((HttpServletRequest) request).getHeader("Authorization");
            if (!("Bearer " + token).equals(authorization)) {
                refused.incrementAndGet();
                HttpServletResponse http = (HttpServletResponse) response;
                http.setStatus(401);
                http.setHeader("WWW-Authenticate", "Bearer");
                http.getWriter().write("{\"error\":\"unauthorized\"}");
                return;
            }
            chain.doFilter(request, response);
        }
    }
}
