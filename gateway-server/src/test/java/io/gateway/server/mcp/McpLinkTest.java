package io.gateway.server.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.telemetry.Telemetry;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The MCP link at the chain's end, with no tool server connected: what passes, what it answers itself. */
class McpLinkTest {

    private final McpGateway off = McpGateway.start(McpSettings.none(), new GatewayMetrics(), Telemetry.off());
    private final List<Exchange> passed = new ArrayList<>();
    private final Chain next = exchange -> {
        passed.add(exchange);
        return Response.Complete.ok(JsonBodies.parse("{\"ok\":true}"));
    };
    private final Chain link = off.link(next);

    @AfterEach
    void close() {
        off.close();
    }

    private static Exchange exchange(Operation operation, String body, String... headers) {
        return Exchange.create("r1", operation, JsonBodies.parse(body), Headers.of(headers), Instant.EPOCH);
    }

    @Test
    void ordinaryRequestsPassUntouched() {
        Exchange chat = exchange(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"messages\":[]}");
        Exchange embedding = exchange(Operation.EMBEDDING, "{\"model\":\"openai/e\",\"input\":\"x\"}");
        link.proceed(chat);
        link.proceed(embedding);
        assertSame(chat, passed.get(0), "the very exchange, not a copy");
        assertSame(embedding, passed.get(1));
        link.proceed(exchange(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"messages\":[]}",
                "x-bf-mcp-agent", "false"));
        assertEquals(3, passed.size(), "x-bf-mcp-agent: false asks for nothing");
    }

    @Test
    void mcpRequestsAreAnsweredHereAndNeverReachTheRouter() {
        Response.Complete init = (Response.Complete) link.proceed(exchange(Operation.MCP,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
        assertEquals(200, init.status());
        assertEquals("2025-06-18", init.body().getJsonObject("result").getString("protocolVersion"));
        assertTrue(init.body().getJsonObject("result").getJsonObject("capabilities").containsKey("tools"));

        Response.Complete unknownVersion = (Response.Complete) link.proceed(exchange(Operation.MCP,
                "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"1999-01-01\"}}"));
        assertEquals("2025-11-25", unknownVersion.body().getJsonObject("result").getString("protocolVersion"));

        Response.Complete list = (Response.Complete) link.proceed(exchange(Operation.MCP,
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"));
        assertEquals(JsonBodies.parse("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[]}}"), list.body());

        Response.Complete call = (Response.Complete) link.proceed(exchange(Operation.MCP,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"calc__add\"}}"));
        assertTrue(call.body().getJsonObject("error").getString("message").contains("gateway.mcp.servers"),
                call.body().toString());

        GatewayException execute = assertThrows(GatewayException.class, () -> link.proceed(exchange(
                Operation.MCP_TOOL_EXECUTE, "{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"calc__add\","
                        + "\"arguments\":\"{}\"}}")));
        assertEquals(404, execute.status());
        assertTrue(passed.isEmpty());
    }

    @Test
    void mcpHeadersWithoutToolServersSayWhatToConfigure() {
        GatewayException tools = assertThrows(GatewayException.class, () -> link.proceed(exchange(
                Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"messages\":[]}", "x-bf-mcp-tools", "calc__*")));
        assertEquals(400, tools.status());
        assertTrue(tools.getMessage().contains("gateway.mcp.servers"), tools.getMessage());
        GatewayException agent = assertThrows(GatewayException.class, () -> link.proceed(exchange(
                Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"messages\":[]}", "x-bf-mcp-agent", "yes")));
        assertEquals(400, agent.status());
        assertTrue(passed.isEmpty());
    }
}
