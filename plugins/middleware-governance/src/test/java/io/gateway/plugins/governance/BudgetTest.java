package io.gateway.plugins.governance;

import static io.gateway.testkit.TestConfig.mapOf;
import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.chatAs;
import static io.gateway.plugins.governance.Harness.config;
import static io.gateway.plugins.governance.Harness.exchange;
import static io.gateway.plugins.governance.Harness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Exchange;
import io.gateway.testkit.TestExchange;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.RouterStandIn;

class BudgetTest {

    // Harness.PRICES: test/model costs $10 per 1M input tokens and $20 per 1M output tokens, so 50k in +
    // 25k out is exactly $1.

    private static Harness withBudget(String usd, String per, String now) {
        return Harness.of(mapOf("type", "governance",
                "virtual-keys", List.of(key("team-a", TEAM_A_SECRET, "budget", mapOf("usd", usd, "per", per)))), now);
    }

    @Test
    void refusesWith402OnceTheBudgetIsSpent() {
        Harness harness = withBudget("1", "1d", "2026-11-24T10:00:00Z");
        RouterStandIn dollar = RouterStandIn.chatUsage(50_000, 25_000);

        harness.send(chatAs(TEAM_A_SECRET, "test/model"), dollar);
        GatewayException e = harness.refused(chatAs(TEAM_A_SECRET, "test/model"), dollar);

        assertEquals(402, e.status());
        assertEquals(ErrorCode.BUDGET_EXCEEDED, e.errorCode());
        assertEquals("budget_exceeded", e.errorCode().type());
        assertFalse(e.errorCode().gatewayError());
        assertTrue(e.getMessage().contains("'team-a'") && e.getMessage().contains("$1")
                && e.getMessage().contains("2026-11-24") && e.getMessage().contains("2026-11-25T00:00:00Z"),
                e.getMessage());
        assertEquals(1, dollar.calls());
        assertEquals(1_000_000, harness.store.counter("gov:usd:team-a:2026-11-24"));
    }

    @Test
    void aRequestUnderBudgetMayCrossIt() {
        Harness harness = withBudget("1", "1d", "2026-11-24T10:00:00Z");

        harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(10_000, 0));
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(500_000, 0));

        assertEquals(5_100_000, harness.store.counter("gov:usd:team-a:2026-11-24"));
        assertEquals(402, harness.refused(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.chatUsage(1, 0)).status());
    }

    @Test
    void aMonthlyBudgetRenewsOnTheFirstOfTheMonth() {
        Harness harness = withBudget("1", "1M", "2026-11-30T23:59:00Z");
        RouterStandIn dollar = RouterStandIn.chatUsage(50_000, 25_000);

        harness.send(chatAs(TEAM_A_SECRET, "test/model"), dollar);
        assertEquals(Duration.ofMinutes(61), harness.store.createdWithTtl("gov:usd:team-a:2026-11").orElseThrow(),
                "the counter lives until the month ends, plus an hour");
        harness.clock.set("2026-11-30T23:59:59.999Z");
        GatewayException e = harness.refused(chatAs(TEAM_A_SECRET, "test/model"), dollar);
        assertTrue(e.getMessage().contains("2026-12-01T00:00:00Z"), e.getMessage());

        harness.clock.set("2026-12-01T00:00:00Z");
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), dollar);

        assertEquals(2, dollar.calls());
        assertEquals(1_000_000, harness.store.counter("gov:usd:team-a:2026-12"));
    }

    @Test
    void aWeeklyBudgetFollowsIsoWeeksAcrossTheNewYear() {
        // Thursday 31 December 2026 and Sunday 3 January 2027 are both in ISO week 2026-W53.
        Harness harness = withBudget("1", "1w", "2026-12-31T12:00:00Z");
        RouterStandIn dollar = RouterStandIn.chatUsage(50_000, 25_000);

        harness.send(chatAs(TEAM_A_SECRET, "test/model"), dollar);
        assertEquals(1_000_000, harness.store.counter("gov:usd:team-a:2026-W53"));
        harness.clock.set("2027-01-03T23:59:59Z");
        assertEquals(402, harness.refused(chatAs(TEAM_A_SECRET, "test/model"), dollar).status());

        harness.clock.set("2027-01-04T00:00:00Z");
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), dollar);

        assertEquals(1_000_000, harness.store.counter("gov:usd:team-a:2027-W01"));
        assertEquals(2, dollar.calls());
    }

    @Test
    void hourlyBudgetsUseTheClockHour() {
        Harness harness = withBudget("1", "1h", "2026-11-24T02:59:00Z");
        RouterStandIn dollar = RouterStandIn.chatUsage(50_000, 25_000);

        harness.send(chatAs(TEAM_A_SECRET, "test/model"), dollar);
        assertEquals(402, harness.refused(chatAs(TEAM_A_SECRET, "test/model"), dollar).status());
        harness.clock.set("2026-11-24T03:00:00Z");
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), dollar);

        assertEquals(1_000_000, harness.store.counter("gov:usd:team-a:2026-11-24T02"));
        assertEquals(1_000_000, harness.store.counter("gov:usd:team-a:2026-11-24T03"));
    }

    @Test
    void theSpendIsWhatTheGatewayPricedTheAnswerAt() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET)));

        // priced by the outcome (gateway.pricing) at $0.15 in, $0.60 out per 1M: 1000 * 0.15 + 500 * 0.60
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o-mini"), RouterStandIn.chatUsage(1000, 500));
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o-mini"), RouterStandIn.chatUsage(1000, 500));

        assertEquals(900, harness.store.counter("gov:usd:team-a:2026-11"), "spend is kept per month without a budget");
    }

    @Test
    void anOutcomeWithoutACostSpendsNothingButCountsTokens() {
        Harness harness = Harness.of(mapOf("type", "governance", "virtual-keys", List.of(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("tokens", "100000", "tokens-per", "1h")))));
        Exchange unpriced = TestExchange.chat("test/model").headers("x-bf-vk", TEAM_A_SECRET).build();

        harness.send(unpriced, RouterStandIn.chatUsage(1000, 500));

        assertEquals(0, harness.store.counter("gov:usd:team-a:2026-11"));
        assertEquals(1500, harness.store.counter("gov:tok:team-a:" + (harness.clock.millis() / 3_600_000)));
    }

    @Test
    void theModelThatServedIsTheOneCharged() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET)));
        RouterStandIn fellBack = RouterStandIn.answering(exchange -> Response.Complete.of(200, Headers.empty(),
                JsonBodies.parse("{\"choices\":[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100}}")))
                .servedBy("anthropic", "claude-sonnet-4-20250514", 1);

        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o-mini"), fellBack);

        // claude-sonnet-4: $3 in, $15 out: 1000 * 3 + 100 * 15
        assertEquals(4500, harness.store.counter("gov:usd:team-a:2026-11"));
    }

    @Test
    void embeddingsAndImagesAreCharged() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET)));

        harness.send(exchange(Operation.EMBEDDING, "{\"model\":\"openai/text-embedding-3-large\",\"input\":\"x\"}",
                "x-bf-vk", TEAM_A_SECRET), RouterStandIn.completing("{\"usage\":{\"prompt_tokens\":1000,\"total_tokens\":1000}}"));
        harness.send(exchange(Operation.IMAGE_GENERATION, "{\"model\":\"openai/gpt-image-1\",\"prompt\":\"x\"}",
                "x-bf-vk", TEAM_A_SECRET), RouterStandIn.completing("{\"data\":[],\"usage\":{\"input_tokens\":10,"
                + "\"output_tokens\":272,\"total_tokens\":282}}"));

        // 1000 * 0.13 + (10 * 5 + 272 * 40)
        assertEquals(130 + 50 + 10_880, harness.store.counter("gov:usd:team-a:2026-11"));
    }

    @Test
    void unpricedModelsCostNothingAndTheGatewayNotGovernanceWarns() {
        Harness harness = withBudget("1", "1d", "2026-11-24T10:00:00Z");

        harness.send(chatAs(TEAM_A_SECRET, "openai/brand-new-model"), RouterStandIn.chatUsage(1_000_000, 1_000_000));
        harness.send(chatAs(TEAM_A_SECRET, "openai/brand-new-model"), RouterStandIn.chatUsage(1_000_000, 1_000_000));

        assertEquals(0, harness.store.counter("gov:usd:team-a:2026-11-24"));
        assertEquals(List.of(), harness.logger.warnings(), "the gateway's price list warns about unpriced models");
    }

    @Test
    void aRequestThatFailsUpstreamCostsNothing() {
        Harness harness = Harness.of(mapOf("type", "governance",
                "virtual-keys", List.of(key("team-a", TEAM_A_SECRET, "budget", mapOf("usd", "1", "per", "1d"),
                        "rate-limit", mapOf("tokens", "100000", "tokens-per", "1h")))));
        GatewayException upstream = GatewayException.upstream(500, "server_error", null, "the model is overloaded",
                null, null);

        GatewayException e = assertThrows(GatewayException.class,
                () -> harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.failing(upstream)));

        assertSame(upstream, e, "the upstream's failure reaches the client as it was");
        assertTrue(harness.store.counters().keySet().stream().noneMatch(k -> k.startsWith("gov:usd:")
                || k.startsWith("gov:tok:")), harness.store.counters().toString());
        assertEquals(Map.of(), harness.store.holds("gov:usd:team-a:2026-11-24"), "the budget's hold was released");
        assertEquals(Map.of(), harness.store.holds("gov:tok:team-a:" + harness.clock.millis() / 3_600_000));
    }

    @Test
    void answersWithoutUsageOrWithErrorsCostNothing() {
        Harness harness = withBudget("1", "1d", "2026-11-24T10:00:00Z");

        harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.completing("{\"choices\":[]}"));
        harness.send(chatAs(TEAM_A_SECRET, "test/model"), RouterStandIn.answering(exchange -> Response.Complete.ofBytes(200,
                null, "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8))));

        assertEquals(Map.of("gov:req:team-a:2026-11-24", 2L), harness.store.counters(),
                "two requests, counted in the budget's period, and nothing charged");
    }
}
