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

    @Test
    void itIsThePriceListLentToPluginsWithOptionalOutputMaximums() {
        TestPrices prices = TestPrices.of("openai/gpt-4o", "2.5", "10").maxOutputTokens("openai/gpt-4o", 16_384);
        io.gateway.spi.ModelPrice price = prices.price("openai", "gpt-4o").orElseThrow();
        assertEquals(new BigDecimal("2.5"), price.maxInput(), "cached input costs the input price here");
        assertEquals(java.util.OptionalLong.of(16_384), price.maxOutputTokens());
        assertTrue(prices.price("openai", "gpt-4o-mini").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> prices.maxOutputTokens("openai/other", 10));
        TestContext context = TestContext.builder().prices(prices).build();
        assertEquals(price, context.prices().price("openai", "gpt-4o").orElseThrow());
        assertTrue(TestContext.create().prices().price("openai", "gpt-4o").isEmpty(), "no price list unless given");
    }

    @Test
    void anOutcomePlaysAnAsyncJobsEnd() {
        TestOutcome outcome = new TestOutcome();
        java.util.List<io.gateway.spi.middleware.RequestOutcome> seen = new java.util.ArrayList<>();
        assertEquals(false, outcome.onAsyncJobFinished(seen::add), "no job, nothing to wait for");
        outcome.startJob();
        assertEquals(io.gateway.spi.middleware.RequestOutcome.AsyncDelivery.SUBMITTED, outcome.asyncDelivery());
        assertTrue(outcome.onAsyncJobFinished(seen::add));
        assertTrue(seen.isEmpty());
        outcome.usage(USAGE).finishJob();
        assertEquals(java.util.List.of(outcome), seen);
        assertTrue(outcome.onAsyncJobFinished(seen::add), "after the end an action runs at once");
        assertEquals(2, seen.size());
        assertThrows(IllegalStateException.class, outcome::finishJob);
    }
}
