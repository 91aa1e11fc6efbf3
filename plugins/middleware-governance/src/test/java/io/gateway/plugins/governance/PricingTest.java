package io.gateway.plugins.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gateway.spi.TokenUsage;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PricingTest {

    private final Pricing pricing = Pricing.withOverrides(Map.of());

    @Test
    void shipsPricesForTheWellKnownModels() {
        for (String model : List.of("openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-4.1", "openai/gpt-4.1-mini",
                "openai/gpt-4.1-nano", "openai/o3", "openai/o4-mini", "openai/text-embedding-3-small",
                "openai/text-embedding-3-large", "openai/gpt-image-1", "anthropic/claude-3-5-haiku",
                "anthropic/claude-sonnet-4", "anthropic/claude-opus-4", "gemini/gemini-2.0-flash",
                "gemini/gemini-2.5-flash", "gemini/gemini-2.5-pro")) {
            assertNotNull(pricing.find(model), model);
        }
    }

    @Test
    void snapshotsCostWhatTheirModelCosts() {
        assertEquals(pricing.find("openai/gpt-4o-mini"), pricing.find("openai/gpt-4o-mini-2024-07-18"));
        assertEquals(pricing.find("anthropic/claude-sonnet-4"), pricing.find("anthropic/claude-sonnet-4-20250514"));
        assertEquals(pricing.find("anthropic/claude-sonnet-4"), pricing.find("anthropic/claude-sonnet-4-0"));
        assertEquals(pricing.find("anthropic/claude-3-5-haiku"), pricing.find("anthropic/claude-3-5-haiku-latest"));
        assertEquals(pricing.find("gemini/gemini-2.0-flash"), pricing.find("gemini/gemini-2.0-flash-001"));
    }

    @Test
    void otherVariantsAreNotGuessed() {
        assertNull(pricing.find("openai/o3-pro"), "o3-pro costs ten times o3");
        assertNull(pricing.find("openai/gpt-4o-audio-preview"));
        assertNull(pricing.find("azure/gpt-4o"), "prices are per provider as configured");
    }

    @Test
    void configuredEntriesWinAndExtend() {
        Pricing custom = Pricing.withOverrides(Map.of(
                "openai/gpt-4o", new Pricing.Price(new BigDecimal("1"), new BigDecimal("2")),
                "azure/gpt-4o", new Pricing.Price(new BigDecimal("2.5"), new BigDecimal("10"))));

        assertEquals(new BigDecimal("1"), custom.find("openai/gpt-4o").input());
        assertEquals(new BigDecimal("2.5"), custom.find("azure/gpt-4o").input());
        assertNotNull(custom.find("openai/gpt-4o-mini"));
    }

    @Test
    void costIsExactInMicroDollarsRoundedHalfUp() {
        Pricing.Price nano = new Pricing.Price(new BigDecimal("0.10"), new BigDecimal("0.40"));

        assertEquals(150 + 300, Pricing.costMicros(pricing.find("openai/gpt-4o-mini"),
                TokenUsage.builder().inputTokens(1000).outputTokens(500).build()));
        assertEquals(1, Pricing.costMicros(nano, TokenUsage.builder().inputTokens(5).outputTokens(0).build()), "0.5 rounds up");
        assertEquals(0, Pricing.costMicros(nano, TokenUsage.builder().inputTokens(4).outputTokens(0).build()));
        assertEquals(75_000_000_000L, Pricing.costMicros(pricing.find("anthropic/claude-opus-4"),
                TokenUsage.builder().inputTokens(0).outputTokens(1_000_000_000).build()));
    }
}
