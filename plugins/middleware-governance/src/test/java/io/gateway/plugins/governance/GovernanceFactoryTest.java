package io.gateway.plugins.governance;

import static io.gateway.testkit.TestConfig.mapOf;
import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.TEAM_B_SECRET;
import static io.gateway.plugins.governance.Harness.chatAs;
import static io.gateway.plugins.governance.Harness.config;
import static io.gateway.plugins.governance.Harness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.middleware.MiddlewareFactory;
import io.gateway.spi.Plugin;
import io.gateway.spi.SpiVersion;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.RouterStandIn;

class GovernanceFactoryTest {

    @Test
    void isFoundByServiceLoader() {
        List<Plugin> plugins = ServiceLoader.load(Plugin.class).stream().map(ServiceLoader.Provider::get).toList();

        assertEquals(1, plugins.size());
        Plugin plugin = plugins.getFirst();
        assertEquals("middleware-governance", plugin.id());
        assertEquals(SpiVersion.MAJOR, plugin.spiVersion());
        assertEquals(List.of("governance"), plugin.middlewareFactories().stream().map(MiddlewareFactory::type).toList());
        assertTrue(plugin.providerFactories().isEmpty());
        assertTrue(plugin.stateStoreFactories().isEmpty());
    }

    @Test
    void readsEveryKeyOfAFullConfiguration() {
        Map<String, Object> full = mapOf(
                "type", "governance",
                "require-virtual-key", "true",
                "virtual-keys", List.of(key("team-a", TEAM_A_SECRET,
                        "allowed-models", List.of("openai/*", "anthropic/claude-*"),
                        "rate-limit", mapOf("requests", "600", "per", "1m", "tokens", "200000", "tokens-per", "1h"),
                        "budget", mapOf("usd", "50.0", "per", "1M"))));
        Harness harness = Harness.of(full);

        assertEquals(List.of(), harness.config.unreadKeys());
        assertEquals("governance", harness.reporter().name());
    }

    @Test
    void warnsAboutAKeyWithoutValueWhichNeverMatches() {
        Harness harness = Harness.of(config(key("unset", ""), key("team-b", TEAM_B_SECRET)));

        assertTrue(harness.logger.warnings().stream().anyMatch(line -> line.contains("'unset'")
                && line.contains("no value")), harness.logger.lines().toString());
        GatewayException e = harness.refused(chatAs(" ", "openai/gpt-4o"), RouterStandIn.chatUsage(1, 1));
        assertEquals(ErrorCode.AUTHENTICATION, e.errorCode());
        assertEquals(GovernanceMiddleware.missingKeyMessage("sk-bf-"), e.getMessage());
    }

    @Test
    void refusesDuplicateNames() {
        IllegalArgumentException e = invalid(config(key("team-a", TEAM_A_SECRET), key("team-a", TEAM_B_SECRET)));

        assertTrue(e.getMessage().startsWith("gateway.middleware[0].virtual-keys[1].name:"), e.getMessage());
    }

    @Test
    void refusesDuplicateValuesWithoutShowingThem() {
        IllegalArgumentException e = invalid(config(key("team-a", TEAM_A_SECRET), key("team-b", TEAM_A_SECRET)));

        assertTrue(e.getMessage().startsWith("gateway.middleware[0].virtual-keys[1].value:"), e.getMessage());
        assertTrue(e.getMessage().contains("'team-a'"), e.getMessage());
        assertFalse(e.getMessage().contains(TEAM_A_SECRET), e.getMessage());
    }

    @Test
    void refusesKeysWithoutOrWithOddNames() {
        assertTrue(invalid(config(mapOf("value", TEAM_A_SECRET))).getMessage()
                .startsWith("gateway.middleware[0].virtual-keys[0].name:"));
        assertTrue(invalid(config(key("team a", TEAM_A_SECRET))).getMessage()
                .startsWith("gateway.middleware[0].virtual-keys[0].name:"));
        assertTrue(invalid(config(key("a:b", TEAM_A_SECRET))).getMessage()
                .startsWith("gateway.middleware[0].virtual-keys[0].name:"));
    }

    @Test
    void refusesModelPatternsThatCanNeverMatch() {
        IllegalArgumentException e = invalid(config(key("team-a", TEAM_A_SECRET, "allowed-models", List.of("gpt-4o"))));

        assertTrue(e.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].allowed-models:"), e.getMessage());
        assertTrue(e.getMessage().contains("openai/gpt-4o"), e.getMessage());
    }

    @Test
    void rateLimitPairsComeWhole() {
        IllegalArgumentException noPer = invalid(config(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("requests", "10"))));
        IllegalArgumentException noTokens = invalid(config(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("tokens-per", "1h"))));
        IllegalArgumentException zero = invalid(config(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("requests", "0", "per", "1m"))));
        IllegalArgumentException subSecond = invalid(config(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("requests", "5", "per", "500ms"))));
        IllegalArgumentException notANumber = invalid(config(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("requests", "many", "per", "1m"))));

        assertTrue(noPer.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].rate-limit.per:"),
                noPer.getMessage());
        assertTrue(noTokens.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].rate-limit.tokens:"),
                noTokens.getMessage());
        assertTrue(zero.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].rate-limit.requests:"),
                zero.getMessage());
        assertTrue(subSecond.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].rate-limit.per:"),
                subSecond.getMessage());
        assertTrue(notANumber.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].rate-limit.requests:"),
                notANumber.getMessage());
    }

    @Test
    void budgetsNeedAnAmountAndACalendarPeriod() {
        IllegalArgumentException minute = invalid(config(key("team-a", TEAM_A_SECRET,
                "budget", mapOf("usd", "5", "per", "1m"))));
        IllegalArgumentException noUsd = invalid(config(key("team-a", TEAM_A_SECRET, "budget", mapOf("per", "1d"))));
        IllegalArgumentException noPer = invalid(config(key("team-a", TEAM_A_SECRET, "budget", mapOf("usd", "5"))));
        IllegalArgumentException negative = invalid(config(key("team-a", TEAM_A_SECRET,
                "budget", mapOf("usd", "-1", "per", "1d"))));

        assertTrue(minute.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].budget.per:"),
                minute.getMessage());
        assertTrue(minute.getMessage().contains("1M"), minute.getMessage());
        assertTrue(noUsd.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].budget.usd:"));
        assertTrue(noPer.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].budget.per:"));
        assertTrue(negative.getMessage().startsWith("gateway.middleware[0].virtual-keys[0].budget.usd:"));
    }

    @Test
    void acceptsEachBudgetPeriod() {
        for (String period : List.of("1h", "1d", "1w", "1M")) {
            Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET, "budget", mapOf("usd", "1", "per", period))));
            assertEquals(List.of(), harness.config.unreadKeys(), period);
        }
    }

    @Test
    void pricesAreTheGatewaysNowAndTheOldBlockSaysWhereTheyWent() {
        IllegalArgumentException moved = invalid(mapOf("type", "governance",
                "pricing", mapOf("openai/gpt-4o", mapOf("input", "1", "output", "2"))));

        assertTrue(moved.getMessage().startsWith("gateway.middleware[0].pricing:"), moved.getMessage());
        assertTrue(moved.getMessage().contains("gateway.pricing"), moved.getMessage());
    }

    @Test
    void refusesANonBooleanRequireFlag() {
        IllegalArgumentException e = invalid(mapOf("type", "governance", "require-virtual-key", "yes"));

        assertTrue(e.getMessage().startsWith("gateway.middleware[0].require-virtual-key:"), e.getMessage());
    }

    @Test
    void warnsWhenKeysAreRequiredButNoneExist() {
        Harness harness = Harness.of(mapOf("type", "governance"));

        assertTrue(harness.logger.warnings().stream().anyMatch(line -> line.contains("every request is refused")));
    }

    private static IllegalArgumentException invalid(Map<String, ?> config) {
        return assertThrows(IllegalArgumentException.class, () -> Harness.of(config));
    }
}
