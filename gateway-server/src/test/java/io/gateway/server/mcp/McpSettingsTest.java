package io.gateway.server.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.config.ConfigBlock;
import io.gateway.server.config.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code gateway.mcp} as configured: transports, secrets, and the mistakes that stop start-up. */
class McpSettingsTest {

    private static GatewayConfig config(String mcp, Map<String, String> env) {
        return GatewayConfig.parse("gateway:\n  mcp:\n" + mcp.indent(4), env, Path.of("/opt/gateway"));
    }

    private static McpSettings read(String mcp) {
        GatewayConfig config = config(mcp, Map.of("CALC_TOKEN", "t0ken"));
        return McpSettings.read(config.gateway().block("mcp").orElseThrow(), Path.of("/opt/gateway"));
    }

    private static String refused(String mcp) {
        return assertThrows(IllegalArgumentException.class, () -> read(mcp)).getMessage();
    }

    @Test
    void readsEveryTransport() {
        McpSettings settings = read("""
                agent:
                  max-steps: 7
                reconnect-initial: 500ms
                reconnect-max: 10s
                servers:
                  calc:
                    transport: http
                    url: https://tools.internal:8443/mcp?tenant=a
                    headers: {authorization: "Bearer ${CALC_TOKEN}"}
                    timeout: 5s
                  legacy:
                    transport: sse
                    url: http://old.internal/sse
                  notes:
                    transport: stdio
                    command: node
                    args: [servers/notes.mjs, --verbose]
                    env: {NOTES_DIR: /var/notes}
                    working-dir: tools
                """);
        assertEquals(7, settings.maxSteps());
        assertEquals(Duration.ofMillis(500), settings.reconnectInitial());
        assertEquals(Duration.ofSeconds(10), settings.reconnectMax());
        assertEquals(Duration.ofSeconds(10), settings.healthInterval());
        McpSettings.Server calc = settings.servers().get(0);
        assertEquals(McpSettings.Transport.HTTP, calc.transport());
        assertEquals(Map.of("authorization", "Bearer t0ken"), calc.headers());
        assertEquals(Duration.ofSeconds(5), calc.timeout());
        assertEquals("https://tools.internal:8443/mcp", calc.target(), "no query: it may hold a token");
        assertFalse(calc.toString().contains("t0ken"));
        assertEquals("https://tools.internal:8443", ToolServer.base(calc.url()));
        assertEquals("/mcp?tenant=a", ToolServer.endpoint(calc.url()));
        McpSettings.Server legacy = settings.servers().get(1);
        assertEquals(McpSettings.Transport.SSE, legacy.transport());
        assertEquals(Duration.ofSeconds(30), legacy.timeout());
        McpSettings.Server notes = settings.servers().get(2);
        assertEquals(McpSettings.Transport.STDIO, notes.transport());
        assertEquals("node", notes.command());
        assertEquals(List.of("servers/notes.mjs", "--verbose"), notes.args());
        assertEquals(Map.of("NOTES_DIR", "/var/notes"), notes.env());
        assertEquals(Path.of("/opt/gateway/tools"), notes.workingDir());
        assertEquals("stdio: node", notes.target());
        assertNull(notes.url());
    }

    @Test
    void headerAndEnvironmentValuesAreSecrets() {
        GatewayConfig config = config("""
                servers:
                  calc:
                    url: http://tools/mcp
                    headers: {authorization: "Bearer ${CALC_TOKEN}"}
                  notes:
                    transport: stdio
                    command: node
                    env: {API_TOKEN: "${CALC_TOKEN}"}
                """, Map.of("CALC_TOKEN", "t0ken"));
        McpSettings.read(config.gateway().block("mcp").orElseThrow(), Path.of("/opt"));
        assertTrue(config.tracker().isSecret("gateway.mcp.servers.calc.headers.authorization"));
        assertTrue(config.tracker().isSecret("gateway.mcp.servers.notes.env.API_TOKEN"));
        assertEquals(List.of(), config.unreadKeys());
    }

    @Test
    void noBlockMeansOff() {
        assertFalse(McpSettings.read((ConfigBlock) null, Path.of("/")).enabled());
        assertTrue(read("servers:\n  a:\n    url: http://x/mcp\n").enabled());
    }

    @Test
    void mistakesStopStartUpNamingTheKey() {
        assertTrue(refused("servers:\n  calc:\n    transport: websocket\n    url: http://x\n")
                .contains("gateway.mcp.servers.calc.transport"));
        assertTrue(refused("servers:\n  calc:\n    transport: http\n").contains("url"));
        assertTrue(refused("servers:\n  calc:\n    url: ftp://x/mcp\n").contains("http:// or https://"));
        assertTrue(refused("servers:\n  notes:\n    transport: stdio\n").contains("command"));
        assertTrue(refused("servers:\n  notes:\n    transport: stdio\n    command: node\n    url: http://x\n")
                .contains("url"));
        assertTrue(refused("servers:\n  calc:\n    url: http://x\n    command: node\n").contains("command"));
        assertTrue(refused("servers:\n  my__calc:\n    url: http://x\n").contains("two underscores"));
        assertTrue(refused("servers:\n  calc:\n    url: http://x\n    headers: {host: evil}\n").contains("host"));
        assertTrue(refused("agent:\n  max-steps: 0\n").contains("max-steps"));
        assertTrue(refused("reconnect-initial: 10s\nreconnect-max: 1s\n").contains("reconnect-max"));
        assertTrue(refused("servers:\n  calc:\n    url: http://x\n    timeout: 0s\n").contains("timeout"));
    }
}
