package io.gateway.plugins.governance;

import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.chatAs;
import static io.gateway.plugins.governance.Harness.config;
import static io.gateway.plugins.governance.Harness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.middleware.ManagedVirtualKey;
import io.gateway.testkit.RouterStandIn;
import io.gateway.testkit.TestVirtualKeys;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keys managed through the gateway's admin API reach governance through the context's directory and are
 * governed exactly like configured keys: model access, rate limits, budgets, counters by name.
 */
class ManagedKeysTest {

    static final String APP_X = "sk-bf-managed-app-x-0123456789abcdefghijklmnopq";

    static ManagedVirtualKey.Builder appX() {
        return ManagedVirtualKey.builder("app-x").allowedModels(List.of("openai/*"));
    }

    @Test
    void aManagedKeyAuthenticatesAndIsTheClientIdentity() {
        TestVirtualKeys managed = new TestVirtualKeys().put(APP_X, appX().build());
        Harness harness = Harness.withManaged(config(key("team-a", TEAM_A_SECRET)), managed);
        RouterStandIn chain = RouterStandIn.chatUsage(3, 4);
        harness.send(Harness.chat("openai/gpt-4o-mini", "authorization", "Bearer " + APP_X), chain);
        assertEquals(1, chain.calls());
        assertEquals("app-x", chain.received().get(0).attribute(AttributeKey.CLIENT_IDENTITY).orElseThrow());
        assertTrue(chain.received().get(0).headers().first("authorization").isEmpty(), "the key goes no further");
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o-mini"), chain);
        assertEquals(2, chain.calls(), "the configured key works beside it");
    }

    @Test
    void aManagedKeyIsHeldToItsModels() {
        Harness harness = Harness.withManaged(config(), new TestVirtualKeys().put(APP_X, appX().build()));
        GatewayException e = harness.refused(chatAs(APP_X, "anthropic/claude-sonnet-4-20250514"),
                RouterStandIn.chatUsage(1, 1));
        assertEquals(403, e.status());
        assertTrue(e.getMessage().contains("virtual key 'app-x'"), e.getMessage());
    }

    @Test
    void rateLimitCountersSurviveAChangeOfTheLimit() {
        TestVirtualKeys managed = new TestVirtualKeys()
                .put(APP_X, appX().requestLimit(new ManagedVirtualKey.Limit(2, Duration.ofMinutes(1))).build());
        Harness harness = Harness.withManaged(config(), managed);
        RouterStandIn chain = RouterStandIn.chatUsage(1, 1);
        harness.send(chatAs(APP_X, "openai/gpt-4o-mini"), chain);
        harness.send(chatAs(APP_X, "openai/gpt-4o-mini"), chain);
        assertEquals(429, harness.refused(chatAs(APP_X, "openai/gpt-4o-mini"), chain).status());

        managed.put(APP_X, appX().requestLimit(new ManagedVirtualKey.Limit(4, Duration.ofMinutes(1))).build());
        harness.send(chatAs(APP_X, "openai/gpt-4o-mini"), chain);
        GatewayException e = harness.refused(chatAs(APP_X, "openai/gpt-4o-mini"), chain);
        assertEquals(429, e.status(), "three counted before the change, the fourth now: the fifth is refused");
        assertTrue(e.getMessage().contains("4 requests per 1m"), e.getMessage());
        assertEquals(3, chain.calls());
    }

    @Test
    void aManagedBudgetIsSpentLikeAConfiguredOne() {
        TestVirtualKeys managed = new TestVirtualKeys().put(APP_X, appX()
                .budget(new ManagedVirtualKey.Budget(new BigDecimal("0.000001"), "1d")).build());
        Harness harness = Harness.withManaged(config(), managed);
        RouterStandIn chain = RouterStandIn.chatUsage(1000, 1000);
        GatewayException e = harness.refused(chatAs(APP_X, "openai/gpt-4o-mini"), chain);
        assertEquals(ErrorCode.BUDGET_EXCEEDED, e.errorCode(), "its worst case does not fit a budget of $0.000001");
        assertEquals(0, chain.calls());
    }

    @Test
    void disabledExpiredAndUnknownKeysAnswer401() {
        TestVirtualKeys managed = new TestVirtualKeys()
                .put("sk-bf-disabled-key-0123456789abcdefghijklmnop", ManagedVirtualKey.builder("off").disabled(true)
                        .build())
                .put("sk-bf-expired-key-0123456789abcdefghijklmnopq", ManagedVirtualKey.builder("old")
                        .expiresAt(Instant.parse("2026-11-24T02:00:00Z")).build());
        Harness harness = Harness.withManaged(config(), managed);
        RouterStandIn chain = RouterStandIn.chatUsage(1, 1);
        GatewayException off = harness.refused(chatAs("sk-bf-disabled-key-0123456789abcdefghijklmnop",
                "openai/gpt-4o-mini"), chain);
        assertEquals(401, off.status());
        assertTrue(off.getMessage().contains("'off' is disabled"), off.getMessage());
        GatewayException old = harness.refused(chatAs("sk-bf-expired-key-0123456789abcdefghijklmnopq",
                "openai/gpt-4o-mini"), chain);
        assertEquals(401, old.status());
        assertTrue(old.getMessage().contains("'old' expired at 2026-11-24T02:00:00Z"), old.getMessage());
        GatewayException unknown = harness.refused(chatAs("sk-bf-nobody", "openai/gpt-4o-mini"), chain);
        assertEquals(401, unknown.status());
        assertEquals(GovernanceMiddleware.INVALID_KEY, unknown.getMessage());
        managed.remove("off");
        assertEquals(GovernanceMiddleware.INVALID_KEY, harness.refused(chatAs(
                "sk-bf-disabled-key-0123456789abcdefghijklmnop", "openai/gpt-4o-mini"), chain).getMessage(),
                "a deleted key is unknown");
        assertEquals(0, chain.calls());
    }

    @Test
    void untilTheDirectoryIsLoadedUnknownKeysAnswer503() {
        TestVirtualKeys managed = new TestVirtualKeys().loaded(false);
        Harness harness = Harness.withManaged(config(key("team-a", TEAM_A_SECRET)), managed);
        RouterStandIn chain = RouterStandIn.chatUsage(1, 1);
        GatewayException e = harness.refused(chatAs(APP_X, "openai/gpt-4o-mini"), chain);
        assertEquals(503, e.status());
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o-mini"), chain);
        assertEquals(1, chain.calls(), "configured keys do not wait for the database");
    }

    @Test
    void aManagedKeyNamedLikeAConfiguredOneIsIgnored() {
        TestVirtualKeys managed = new TestVirtualKeys().put(APP_X, ManagedVirtualKey.builder("team-a").build());
        Harness harness = Harness.withManaged(config(key("team-a", TEAM_A_SECRET)), managed);
        assertEquals(401, harness.refused(chatAs(APP_X, "openai/gpt-4o-mini"), RouterStandIn.chatUsage(1, 1))
                .status());
        assertEquals(1, harness.reporter().usage().getJsonArray("virtual_keys").size());
    }

    @Test
    void theUsageReportListsManagedKeysAfterConfiguredOnes() {
        TestVirtualKeys managed = new TestVirtualKeys().put(APP_X, appX()
                .tokenLimit(new ManagedVirtualKey.Limit(100_000, Duration.ofHours(1))).build());
        Harness harness = Harness.withManaged(config(key("team-a", TEAM_A_SECRET)), managed);
        harness.send(chatAs(APP_X, "openai/gpt-4o-mini"), RouterStandIn.chatUsage(3, 4));
        List<JsonObject> keys = harness.reporter().usage().getJsonArray("virtual_keys").stream()
                .map(JsonValue::asJsonObject).toList();
        assertEquals(List.of("team-a", "app-x"), keys.stream().map(k -> k.getString("name")).toList());
        JsonObject tokens = keys.get(1).getJsonObject("tokens");
        assertEquals(7, tokens.getInt("count"));
        assertEquals(100_000, tokens.getInt("limit"));
        assertEquals(1, keys.get(1).getJsonObject("requests").getInt("count"));
    }
}
