package io.gateway.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.RequestOutcome;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PricesTest {

    private static final ModelPrice SONNET = ModelPrice.of(new BigDecimal("3"), new BigDecimal("15"),
            new BigDecimal("0.30"), new BigDecimal("3.75"));

    @Test
    void eachKindOfTokenCostsItsOwnPriceRoundedHalfUpToMicroDollars() {
        TokenUsage usage = TokenUsage.builder().inputTokens(1000).cachedInputTokens(200).cacheWriteTokens(100)
                .outputTokens(50).build();
        // 700 uncached * 3 + 200 * 0.30 + 100 * 3.75 + 50 * 15 = 2100 + 60 + 375 + 750 micro-dollars
        assertEquals(new BigDecimal("0.003285"), SONNET.cost(usage));
        // one token at $0.15 per 1M is 0.15 micro-dollars: rounds to 0; three are 0.45: rounds to 0; four 0.6: 1
        ModelPrice mini = ModelPrice.of(new BigDecimal("0.15"), BigDecimal.ZERO, new BigDecimal("0.15"),
                new BigDecimal("0.15"));
        assertEquals(new BigDecimal("0.000000"), mini.cost(TokenUsage.builder().inputTokens(3).build()));
        assertEquals(new BigDecimal("0.000001"), mini.cost(TokenUsage.builder().inputTokens(4).build()));
    }

    @Test
    void theWorstInputPriceIsTheHighestOfTheThree() {
        assertEquals(new BigDecimal("3.75"), SONNET.maxInput(), "a cache write costs more than plain input here");
        assertEquals(new BigDecimal("2.5"), ModelPrice.of(new BigDecimal("2.5"), BigDecimal.TEN, BigDecimal.ONE,
                new BigDecimal("2.5")).maxInput());
    }

    @Test
    void theOutputMaximumIsOptionalAndPositive() {
        assertEquals(OptionalLong.empty(), SONNET.maxOutputTokens());
        ModelPrice capped = SONNET.withMaxOutputTokens(64_000);
        assertEquals(OptionalLong.of(64_000), capped.maxOutputTokens());
        assertNotEquals(SONNET, capped);
        assertEquals(capped, ModelPrice.of(new BigDecimal("3.00"), new BigDecimal("15.0"), new BigDecimal("0.3"),
                new BigDecimal("3.750")).withMaxOutputTokens(64_000), "prices compare by value, not by scale");
        assertEquals(capped.hashCode(), ModelPrice.of(new BigDecimal("3.00"), new BigDecimal("15.0"),
                new BigDecimal("0.3"), new BigDecimal("3.750")).withMaxOutputTokens(64_000).hashCode());
        assertThrows(IllegalArgumentException.class, () -> SONNET.withMaxOutputTokens(0));
        assertThrows(IllegalArgumentException.class, () -> ModelPrice.of(new BigDecimal("-1"), BigDecimal.ONE,
                BigDecimal.ONE, BigDecimal.ONE));
        assertThrows(NullPointerException.class, () -> ModelPrice.of(null, BigDecimal.ONE, BigDecimal.ONE,
                BigDecimal.ONE));
        assertTrue(capped.toString().contains("maxOutputTokens=64000"), capped.toString());
    }

    @Test
    void anEmptyPriceListKnowsNoModelAndTargetsAreTheModelThenTheRequestsFallbacks() {
        PriceList none = PriceList.none();
        assertTrue(none.price("openai", "gpt-4o").isEmpty());
        ModelRef requested = new ModelRef("openai", "gpt-4o-mini");
        assertEquals(List.of(requested), none.targets(requested, List.of()));
        ModelRef fallback = new ModelRef("anthropic", "claude-opus-4");
        assertEquals(List.of(requested, fallback), none.targets(requested, List.of(fallback)));
    }

    @Test
    void aContextWithoutTheServerLendsTheEmptyPriceList() {
        PluginContext bare = new PluginContext() {
        };
        assertTrue(bare.prices().price("openai", "gpt-4o").isEmpty());
    }

    @Test
    void aContextWithoutTheServerOffersNoRouter() {
        PluginContext bare = new PluginContext() {
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, bare::router);
        assertEquals("this plugin context offers no router; only middleware contexts do", e.getMessage());
    }

    @Test
    void anOutcomeWithoutBackgroundWorkNeverRunsTheAction() {
        RequestOutcome outcome = Exchange.create("r", Operation.CHAT_COMPLETION, null, null, Instant.EPOCH).outcome();
        AtomicBoolean ran = new AtomicBoolean();
        assertFalse(outcome.onAsyncJobFinished(finished -> ran.set(true)));
        assertFalse(ran.get());
        assertThrows(NullPointerException.class, () -> outcome.onAsyncJobFinished(null));
    }
}
