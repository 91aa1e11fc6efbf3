package io.gateway.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.config.GatewayConfig;
import io.gateway.spi.TokenUsage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PricingTest {

    @Test
    void eachKindOfTokenCostsItsOwnPrice() {
        Pricing pricing = Pricing.defaults();
        // claude-sonnet-4: $3 in, $0.30 cache read, $3.75 cache write, $15 out per 1M tokens
        TokenUsage usage = TokenUsage.builder().inputTokens(1_210_000).cachedInputTokens(1_000_000)
                .cacheWriteTokens(200_000).outputTokens(100_000).build();
        // 10k uncached × 3 + 1M × 0.30 + 200k × 3.75 + 100k × 15 = 0.03 + 0.30 + 0.75 + 1.50
        assertEquals(new BigDecimal("2.580000"), pricing.cost("anthropic", "claude-sonnet-4", usage));
        // OpenAI's cached input at half price
        assertEquals(new BigDecimal("0.001875"), pricing.cost("openai", "gpt-4o",
                TokenUsage.builder().inputTokens(1000).cachedInputTokens(500).build()));
    }

    @Test
    void snapshotsCostWhatTheirModelCostsAndUnknownModelsNothing() {
        Pricing pricing = Pricing.defaults();
        TokenUsage usage = TokenUsage.builder().inputTokens(1_000_000).outputTokens(1_000_000).build();
        assertEquals(new BigDecimal("0.750000"), pricing.cost("openai", "gpt-4o-mini-2024-07-18", usage));
        assertEquals(new BigDecimal("18.000000"), pricing.cost("anthropic", "claude-sonnet-4-20250514", usage));
        assertEquals(BigDecimal.ZERO.setScale(6), pricing.cost("openai", "gpt-4o-audio-preview", usage));
        assertTrue(pricing.find("azure", "gpt-4o").isEmpty(), "prices are keyed by the provider's configured name");
    }

    @Test
    void onlyDatedSnapshotsAndAliasesAreMappedOtherVariantsAreNotGuessed() {
        Pricing pricing = Pricing.defaults();
        for (String[] alias : new String[][] {{"anthropic", "claude-sonnet-4-0", "claude-sonnet-4"},
            {"anthropic", "claude-3-5-haiku-latest", "claude-3-5-haiku"}, {"gemini", "gemini-2.0-flash-001",
                "gemini-2.0-flash"}, {"openai", "gpt-4o-2024-08-06", "gpt-4o"}}) {
            assertEquals(pricing.find(alias[0], alias[2]).orElseThrow(), pricing.find(alias[0], alias[1]).orElseThrow(),
                    alias[1]);
        }
        assertTrue(pricing.find("openai", "o3-pro").isEmpty(), "o3-pro costs ten times o3");
        assertTrue(pricing.find("openai", "gpt-4o-mini-tts").isEmpty());
        assertTrue(pricing.find("openai", "gpt-4o-audio-preview").isEmpty());
    }

    @Test
    void costIsRoundedHalfUpToMicroDollars() {
        Pricing pricing = Pricing.read(GatewayConfig.parse("gateway: {pricing: {openai/nano: {input: 0.1}}}",
                Map.of(), Path.of(".")).gateway().block("pricing").orElseThrow());
        // 5 tokens at $0.10 per 1M = $0.0000005, half a micro-dollar
        assertEquals(new BigDecimal("0.000001"), pricing.cost("openai", "nano",
                TokenUsage.builder().inputTokens(5).build()));
        assertEquals(new BigDecimal("0.000000"), pricing.cost("openai", "nano",
                TokenUsage.builder().inputTokens(4).build()));
    }

    @Test
    void theConfiguredTableReplacesAndAddsEntries() {
        GatewayConfig config = GatewayConfig.parse("""
                gateway:
                  pricing:
                    openai/gpt-4o: {input: 2.0, output: 8}
                    azure/gpt-4o: {input: 2.5, output: 10, cache-read: 1.25}
                """, Map.of(), Path.of("."));
        Pricing pricing = Pricing.read(config.gateway().block("pricing").orElseThrow());
        assertEquals(new BigDecimal("2.0"), pricing.find("openai", "gpt-4o").orElseThrow().input());
        assertEquals(new BigDecimal("2.0"), pricing.find("openai", "gpt-4o").orElseThrow().cacheRead(),
                "without a cache price, cached tokens cost the input price");
        assertEquals(new BigDecimal("1.25"), pricing.find("azure", "gpt-4o").orElseThrow().cacheRead());
        assertTrue(pricing.find("anthropic", "claude-opus-4").isPresent(), "the shipped entries stay");
    }

    @Test
    void badEntriesNameTheKey() {
        for (String yaml : new String[] {"gateway: {pricing: {gpt-4o: {input: 1}}}",
            "gateway: {pricing: {openai/x: {output: 1}}}", "gateway: {pricing: {openai/x: {input: -1}}}",
            "gateway: {pricing: {openai/x: 3}}"}) {
            GatewayConfig config = GatewayConfig.parse(yaml, Map.of(), Path.of("."));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Pricing.read(config.gateway().block("pricing").orElseThrow()), yaml);
            assertTrue(e.getMessage().startsWith("gateway.pricing."), e.getMessage());
        }
    }

    @Test
    void unitPricesAreReadAndPriceAudioSpeechAndImages() {
        GatewayConfig config = GatewayConfig.parse("""
                gateway:
                  pricing:
                    groq/whisper-large-v3: {audio-minute: 0.00185}
                    azure/tts: {characters: 15}
                    openai/dall-e-2: {image: 0.02, image-sizes: {256x256: 0.016}}
                """, Map.of(), Path.of("."));
        Pricing pricing = Pricing.read(config.gateway().block("pricing").orElseThrow());
        assertEquals(BigDecimal.ZERO, pricing.find("groq", "whisper-large-v3").orElseThrow().input(),
                "a unit-priced model needs no token price");
        // 10 minutes at 0.00185
        assertEquals(new BigDecimal("0.018500"), pricing.unitCost("groq", "whisper-large-v3",
                io.gateway.spi.Operation.TRANSCRIPTION, new Pricing.Units(0, 600, 0, null)).orElseThrow());
        assertEquals(new BigDecimal("0.000030"), pricing.unitCost("azure", "tts", io.gateway.spi.Operation.SPEECH,
                new Pricing.Units(2, -1, 0, null)).orElseThrow());
        assertEquals(new BigDecimal("0.048000"), pricing.unitCost("openai", "dall-e-2",
                io.gateway.spi.Operation.IMAGE_VARIATION, new Pricing.Units(0, -1, 3, "256x256")).orElseThrow());
        assertEquals(new BigDecimal("0.060000"), pricing.unitCost("openai", "dall-e-2",
                io.gateway.spi.Operation.IMAGE_EDIT, new Pricing.Units(0, -1, 3, "1024x1024")).orElseThrow(),
                "a size without its own price costs the flat one");
        assertTrue(pricing.unitCost("groq", "whisper-large-v3", io.gateway.spi.Operation.TRANSCRIPTION,
                new Pricing.Units(0, -1, 0, null)).isEmpty(), "an unknown length prices nothing");
        assertTrue(pricing.unitCost("openai", "gpt-4o", io.gateway.spi.Operation.SPEECH,
                new Pricing.Units(100, -1, 0, null)).isEmpty(), "a model without a unit price");
        GatewayConfig bad = GatewayConfig.parse("gateway: {pricing: {openai/x: {image-sizes: {large: 1}}}}",
                Map.of(), Path.of("."));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pricing.read(bad.gateway().block("pricing").orElseThrow()));
        assertTrue(e.getMessage().contains("image size"), e.getMessage());
    }

    @Test
    void theOutputMaximumIsShippedForKnownModelsAndConfigurable() {
        Pricing pricing = Pricing.read(GatewayConfig.parse("""
                gateway:
                  pricing:
                    openai/gpt-4o: {input: 2.5, output: 10, max-output-tokens: 4096}
                    openai/house: {input: 1}
                """, Map.of(), Path.of(".")).gateway().block("pricing").orElseThrow());
        assertEquals(java.util.OptionalLong.of(4096), pricing.find("openai", "gpt-4o").orElseThrow().maxOutputTokens());
        assertEquals(java.util.OptionalLong.empty(), pricing.find("openai", "house").orElseThrow().maxOutputTokens());
        assertEquals(java.util.OptionalLong.of(64_000),
                pricing.find("anthropic", "claude-sonnet-4-20250514").orElseThrow().maxOutputTokens());
        for (String yaml : new String[] {"gateway: {pricing: {openai/x: {input: 1, max-output-tokens: 0}}}",
            "gateway: {pricing: {openai/x: {input: 1, max-output-tokens: many}}}"}) {
            GatewayConfig config = GatewayConfig.parse(yaml, Map.of(), Path.of("."));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Pricing.read(config.gateway().block("pricing").orElseThrow()), yaml);
            assertTrue(e.getMessage().startsWith("gateway.pricing.openai/x.max-output-tokens"), e.getMessage());
        }
    }

    @Test
    void theLentPriceListTargetsTheRequestsFallbacksElseTheProvidersConfiguredOnes() {
        io.gateway.spi.PriceList lent = Pricing.defaults().lend(Map.of("openai",
                java.util.List.of(io.gateway.spi.ModelRef.parse("anthropic/claude-opus-4"))));
        io.gateway.spi.ModelRef mini = io.gateway.spi.ModelRef.parse("openai/gpt-4o-mini");
        io.gateway.spi.ModelRef gemini = io.gateway.spi.ModelRef.parse("gemini/gemini-2.5-pro");
        assertEquals(java.util.List.of(mini, io.gateway.spi.ModelRef.parse("anthropic/claude-opus-4")),
                lent.targets(mini, java.util.List.of()));
        assertEquals(java.util.List.of(mini, gemini), lent.targets(mini, java.util.List.of(gemini)),
                "a request's own fallbacks replace the configured ones, as the router does");
        assertEquals(java.util.List.of(gemini), lent.targets(gemini, java.util.List.of()));
        assertEquals(Pricing.defaults().find("openai", "gpt-4o").orElseThrow(),
                lent.price("openai", "gpt-4o-2024-08-06").orElseThrow());
    }
}
