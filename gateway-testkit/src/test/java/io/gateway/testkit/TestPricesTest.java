package io.gateway.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.RoutingAttempt;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class TestPricesTest {

    private static final TokenUsage USAGE = TokenUsage.builder().inputTokens(1000).outputTokens(500).build();

    @Test
    void pricesInputAndOutputPerMillionRoundedHalfUpToMicroDollars() {
        TestPrices prices = TestPrices.of("openai/gpt-4o-mini", "0.15", "0.60").and("openai/nano", "0.1", "0");

        assertEquals(new BigDecimal("0.000450"), prices.cost("openai", "gpt-4o-mini", USAGE));
        assertEquals(new BigDecimal("0.000001"), prices.cost("openai", "nano",
                TokenUsage.builder().inputTokens(5).build()), "half a micro-dollar rounds up");
        assertEquals(new BigDecimal("0.000000"), prices.cost("openai", "unknown", USAGE), "no entry costs 0");
    }

    @Test
    void anOutcomePricesItsUsageAtTheServingModel() {
        TestOutcome outcome = new TestOutcome().prices(TestPrices.of("anthropic/claude", "3", "15"));
        assertTrue(outcome.costUsd().isEmpty(), "nothing served yet");

        outcome.attempt(new RoutingAttempt("anthropic", "claude", "k", 200, 0, 1)).usage(USAGE);

        assertEquals(new BigDecimal("0.010500"), outcome.costUsd().orElseThrow());
        assertTrue(new TestOutcome().usage(USAGE).costUsd().isEmpty(), "without a price list there is no cost");
    }

    @Test
    void refusesUnqualifiedModelsAndNegativePrices() {
        assertThrows(IllegalArgumentException.class, () -> TestPrices.of("gpt-4o", "1", "1"));
        assertThrows(IllegalArgumentException.class, () -> TestPrices.of("openai/x", "-1", "1"));
        assertThrows(NumberFormatException.class, () -> TestPrices.of("openai/x", "cheap", "1"));
    }
}
