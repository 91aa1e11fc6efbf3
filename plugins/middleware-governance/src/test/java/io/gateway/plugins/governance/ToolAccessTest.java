package io.gateway.plugins.governance;

import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.TEAM_B_SECRET;
import static io.gateway.plugins.governance.Harness.chatAs;
import static io.gateway.plugins.governance.Harness.config;
import static io.gateway.plugins.governance.Harness.exchange;
import static io.gateway.plugins.governance.Harness.key;
import static io.gateway.testkit.TestConfig.mapOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Response;
import io.gateway.spi.Operation;
import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.ToolAccess;
import io.gateway.testkit.RouterStandIn;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code allowed-tools}: what a virtual key hands the MCP gateway, and the default rule. */
class ToolAccessTest {

    private static final String THIRD_SECRET = "sk-bf-third-555555555SECRET";
    private static final String MCP_LIST = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";

    private final List<Exchange> seen = new ArrayList<>();
    private final RouterStandIn chain = RouterStandIn.answering(exchange -> {
        seen.add(exchange);
        return Response.Complete.ok(JsonBodies.parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}"));
    });

    private ToolAccess accessOf(Harness harness, String secret) {
        seen.clear();
        harness.send(exchange(Operation.MCP, MCP_LIST, "x-bf-vk", secret), chain);
        return seen.get(0).attribute(AttributeKey.TOOL_ACCESS).orElseThrow();
    }

    @Test
    void allowedToolsAreHandedOnAsGlobs() {
        Harness harness = Harness.of(config(
                key("team-a", TEAM_A_SECRET, "allowed-models", List.of("openai/*"),
                        "allowed-tools", List.of("calc__add", "notes__*"))));

        ToolAccess access = accessOf(harness, TEAM_A_SECRET);

        assertEquals(List.of("calc__add", "notes__*"), access.globs());
        assertTrue(access.allows("notes__read"));
        assertFalse(access.allows("calc__sub"));
    }

    @Test
    void aKeyListingModelsButNoToolsGetsNoTools() {
        Harness harness = Harness.of(config(
                key("team-a", TEAM_A_SECRET, "allowed-models", List.of("openai/*")),
                key("team-b", TEAM_B_SECRET),
                key("third", THIRD_SECRET, "allowed-tools", List.of())));

        assertEquals(ToolAccess.none(), accessOf(harness, TEAM_A_SECRET), "models listed, tools not: none");
        assertEquals(ToolAccess.all(), accessOf(harness, TEAM_B_SECRET), "neither listed: every model, every tool");
        assertEquals(ToolAccess.none(), accessOf(harness, THIRD_SECRET), "an empty list allows none");
    }

    @Test
    void chatRequestsCarryTheKeysToolAccessToo() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET, "allowed-tools", List.of("calc__*"))));
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), chain);

        assertEquals(List.of("calc__*"), seen.get(0).attribute(AttributeKey.TOOL_ACCESS).orElseThrow().globs());
    }

    @Test
    void toolCallsCountAgainstTheRequestRateButNotTheBudget() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("requests", "3", "per", "1m"),
                "budget", mapOf("usd", "1", "per", "1M"))));
        // spends the whole budget ($10 per million input tokens): the next chat request is refused, tool calls are not
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(100_000, 0));
        GatewayException spent = harness.refused(chatAs(TEAM_A_SECRET, "test/model"), chain);
        assertEquals(402, spent.status());

        harness.send(exchange(Operation.MCP_TOOL_EXECUTE,
                "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"calc__add\",\"arguments\":\"{}\"}}",
                "x-bf-vk", TEAM_A_SECRET), chain);
        harness.send(exchange(Operation.MCP, MCP_LIST, "x-bf-vk", TEAM_A_SECRET), chain);
        GatewayException limited = harness.refused(exchange(Operation.MCP, MCP_LIST, "x-bf-vk", TEAM_A_SECRET), chain);

        assertEquals(429, limited.status(), "the fourth request of the minute");
        assertEquals(2, seen.size());
    }

    @Test
    void patternsThatCanNeverMatchStopStartUp() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Harness.of(config(key("team-a", TEAM_A_SECRET, "allowed-tools", List.of("add")))));
        assertTrue(e.getMessage().contains("calc__add") || e.getMessage().contains("{server}__{tool}"),
                e.getMessage());
    }
}
