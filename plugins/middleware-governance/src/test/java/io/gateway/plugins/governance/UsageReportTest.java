package io.gateway.plugins.governance;

import static io.gateway.testkit.TestConfig.mapOf;
import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.TEAM_B_SECRET;
import static io.gateway.plugins.governance.Harness.chat;
import static io.gateway.plugins.governance.Harness.chatAs;
import static io.gateway.plugins.governance.Harness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import io.gateway.testkit.RouterStandIn;

class UsageReportTest {

    private final Harness harness = Harness.of(mapOf("type", "governance",
            "virtual-keys", List.of(
                    key("team-a", TEAM_A_SECRET, "allowed-models", List.of("openai/*", "test/*"),
                            "rate-limit", mapOf("requests", "3", "per", "1m", "tokens", "100000", "tokens-per", "1h"),
                            "budget", mapOf("usd", "50", "per", "1M")),
                    key("team-b", TEAM_B_SECRET))));

    @Test
    void reportsTheCurrentWindowsAndPeriodPerKey() {
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(1000, 500));
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(1, 1));

        JsonObject report = harness.reporter().usage();

        assertEquals(JsonBodies.parse("""
                {"virtual_keys":[
                  {"name":"team-a",
                   "requests":{"count":2,"limit":3,"window_seconds":60},
                   "tokens":{"count":1502,"reserved":0,"limit":100000,"window_seconds":3600},
                   "spend":{"usd":0.02003,"reserved_usd":0,"budget_usd":50,"period":"1M","period_id":"2026-11"},
                   "allowed_models":["openai/*","test/*"],"allowed_tools":[]},
                  {"name":"team-b",
                   "requests":{"count":0,"limit":null,"window_seconds":null,"period":"1M","period_id":"2026-11"},
                   "tokens":{"count":0,"reserved":0,"limit":null,"window_seconds":null,"period":"1M","period_id":"2026-11"},
                   "spend":{"usd":0,"reserved_usd":0,"budget_usd":null,"period":"1M","period_id":"2026-11"},
                   "allowed_models":["*"],"allowed_tools":["*"]}
                ]}"""), report);
    }

    @Test
    void aKeyWithoutLimitsOrBudgetReportsItsRequestsTokensAndSpendThisMonth() {
        harness.send(chatAs(TEAM_B_SECRET, "test/model"), RouterStandIn.chatUsage(1000, 500));
        harness.send(chatAs(TEAM_B_SECRET, "test/model"), RouterStandIn.chatUsage(1, 1));
        harness.send(Harness.exchange(Operation.LIST_MODELS, "{}", "x-bf-vk", TEAM_B_SECRET),
                RouterStandIn.completing("{\"object\":\"list\",\"data\":[]}"));
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(7, 7));

        JsonObject teamB = harness.reporter().usage().getJsonArray("virtual_keys").getJsonObject(1);

        assertEquals(JsonBodies.parse("""
                {"name":"team-b",
                 "requests":{"count":3,"limit":null,"window_seconds":null,"period":"1M","period_id":"2026-11"},
                 "tokens":{"count":1502,"reserved":0,"limit":null,"window_seconds":null,"period":"1M","period_id":"2026-11"},
                 "spend":{"usd":0.02003,"reserved_usd":0,"budget_usd":null,"period":"1M","period_id":"2026-11"},
                 "allowed_models":["*"],"allowed_tools":["*"]}"""), teamB, "a model list is a request; team-a's usage is its own");
    }

    @Test
    void countsWithoutALimitFollowTheBudgetPeriodAndMoveWithIt() {
        Harness daily = Harness.of(mapOf("type", "governance", "virtual-keys", List.of(key("team-a", TEAM_A_SECRET,
                "budget", mapOf("usd", "5", "per", "1d")))), "2026-11-24T23:59:00Z");
        daily.send(chatAs(TEAM_A_SECRET, "openai/unpriced"), RouterStandIn.chatUsage(2, 3));

        JsonObject before = daily.reporter().usage().getJsonArray("virtual_keys").getJsonObject(0);
        daily.clock.set("2026-11-25T00:00:00Z");
        JsonObject after = daily.reporter().usage().getJsonArray("virtual_keys").getJsonObject(0);

        assertEquals(JsonBodies.parse("""
                {"count":1,"limit":null,"window_seconds":null,"period":"1d","period_id":"2026-11-24"}"""),
                before.getJsonObject("requests"));
        assertEquals(5, before.getJsonObject("tokens").getInt("count"));
        assertEquals(JsonBodies.parse("""
                {"count":0,"limit":null,"window_seconds":null,"period":"1d","period_id":"2026-11-25"}"""),
                after.getJsonObject("requests"));
        assertEquals(0, after.getJsonObject("tokens").getInt("count"));
    }

    @Test
    void windowsInTheReportMoveWithTheClock() {
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(1000, 500));
        harness.clock.advance(java.time.Duration.ofMinutes(1));

        JsonObject teamA = harness.reporter().usage().getJsonArray("virtual_keys").getJsonObject(0);

        assertEquals(0, teamA.getJsonObject("requests").getInt("count"));
        assertEquals(1500, teamA.getJsonObject("tokens").getInt("count"), "still the same hour");
    }

    @Test
    void secretsNeverAppearInMessagesLogsOrTheReport() {
        List<String> seen = new ArrayList<>();
        Executable[] attempts = {
            () -> harness.send(chat("test/model", "x-bf-vk", "sk-bf-wrong-SECRET-1"), RouterStandIn.chatUsage(1, 1)),
            () -> harness.send(chat("test/model", "authorization", "Bearer sk-provider-SECRET-2"), RouterStandIn.chatUsage(1, 1)),
            () -> harness.send(chat("test/model"), RouterStandIn.chatUsage(1, 1)),
            () -> harness.send(chatAs(TEAM_A_SECRET, "anthropic/claude-opus-4"), RouterStandIn.chatUsage(1, 1)),
            () -> harness.send(chatAs(TEAM_A_SECRET, "openai/unpriced"), RouterStandIn.chatUsage(1, 1)),
            () -> harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(1, 1)),
            () -> harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(1, 1)),
            () -> harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(1, 1)),
        };
        for (Executable attempt : attempts) {
            try {
                attempt.execute();
            } catch (GatewayException e) {
                seen.add(e.getMessage());
                seen.add(e.headers().toString());
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }
        harness.store.failing(true);
        harness.send(chatAs(TEAM_B_SECRET, "test/model"), RouterStandIn.chatUsage(1, 1));
        seen.add(assertThrows(GatewayException.class, () -> harness.send(chatAs(TEAM_A_SECRET, "test/model"),
                RouterStandIn.chatUsage(1, 1))).getMessage());
        harness.store.failing(false);
        seen.add(harness.reporter().usage().toString());
        seen.addAll(harness.logger.lines());
        seen.addAll(harness.metrics.counts());
        Exchange forwarded = forwardedOnce();
        seen.add(forwarded.toString());
        seen.add(forwarded.headers().toString());

        assertTrue(seen.stream().anyMatch(text -> text.contains("'team-a'")), "names do appear");
        for (String text : seen) {
            for (String secret : List.of(TEAM_A_SECRET, TEAM_B_SECRET, "SECRET")) {
                assertFalse(text.contains(secret), text);
            }
        }
    }

    private Exchange forwardedOnce() {
        RouterStandIn chain = RouterStandIn.completing("{\"object\":\"list\",\"data\":[]}");
        harness.send(Harness.exchange(Operation.LIST_MODELS, "{}", "x-bf-vk", TEAM_B_SECRET), chain);
        return chain.last();
    }

    @Test
    void theReportFailsWith503WhenTheStoreIsDown() {
        harness.store.failing(true);

        GatewayException e = assertThrows(GatewayException.class, () -> harness.reporter().usage());

        assertEquals(503, e.status());
    }

    @Test
    void modelListResponsesAreNotChargedEvenWithUsageFields() {
        harness.send(Harness.exchange(Operation.LIST_MODELS, "{}", "x-bf-vk", TEAM_A_SECRET),
                RouterStandIn.answering(exchange -> Response.Complete.ok(JsonBodies.parse(
                        "{\"object\":\"list\",\"data\":[],\"usage\":{\"prompt_tokens\":999}}"))));

        JsonObject teamA = harness.reporter().usage().getJsonArray("virtual_keys").getJsonObject(0);
        assertEquals(0, teamA.getJsonObject("tokens").getInt("count"));
        assertEquals(1, teamA.getJsonObject("requests").getInt("count"));
    }
}
