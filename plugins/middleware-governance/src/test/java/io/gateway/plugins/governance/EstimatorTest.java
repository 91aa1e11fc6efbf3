package io.gateway.plugins.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.plugins.governance.Estimator.Estimate;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelPrice;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.PriceList;
import io.gateway.testkit.TestPrices;
import jakarta.json.JsonObject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The worst case a request reserves: its input estimate, its output cap, its targets and their prices. */
class EstimatorTest {

    private final Estimator estimator = new Estimator(1, 2_500, 4_096);

    private static JsonObject body(String json) {
        return JsonBodies.parse(json);
    }

    private static final TestPrices PRICES = TestPrices.of("openai/gpt-4o", "2.5", "10")
            .maxOutputTokens("openai/gpt-4o", 16_384)
            .and("openai/gpt-4o-mini", "0.15", "0.60").maxOutputTokens("openai/gpt-4o-mini", 16_384)
            .and("anthropic/claude-opus-4", "15", "75").maxOutputTokens("anthropic/claude-opus-4", 32_000)
            .and("openai/gpt-image-1", "5", "40").maxOutputTokens("openai/gpt-image-1", 6_240)
            .and("openai/text-embedding-3-small", "0.02", "0")
            .and("openai/no-max", "1", "2");

    private Estimate estimate(Operation operation, String json) {
        JsonObject body = body(json);
        return estimator.estimate(operation, body, ModelRef.parse(body.getString("model")), PRICES);
    }

    // ---------------------------------------------------------------- input

    @Test
    void theInputIsTheBodysBytesWithoutSpacesOneTokenPerByte() {
        String compact = "{\"model\":\"openai/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        JsonObject body = body(compact);
        assertEquals(compact.length(), estimator.inputTokens(body), "the compact JSON's size");
        JsonObject spaced = body("{ \"model\" : \"openai/gpt-4o\" ,\n \"messages\": [ {\"role\": \"user\","
                + " \"content\": \"hello\"} ] }");
        assertEquals(estimator.inputTokens(body), estimator.inputTokens(spaced), "spaces outside strings do not count");
    }

    @Test
    void textIsCountedInUtf8BytesSoEveryScriptIsCoveredByByteLevelTokenizers() {
        String cjk = "你好世界"; // 4 characters, 12 bytes, up to 4+ tokens
        String emoji = "😀"; // one code point, 4 bytes
        long ascii = estimator.inputTokens(body("{\"content\":\"abcd\"}"));
        assertEquals(ascii - 4 + cjk.getBytes(StandardCharsets.UTF_8).length,
                estimator.inputTokens(body("{\"content\":\"" + cjk + "\"}")));
        assertEquals(ascii - 4 + 4, estimator.inputTokens(body("{\"content\":\"" + emoji + "\"}")));
        assertEquals(ascii - 4 + 2, estimator.inputTokens(body("{\"content\":\"é\"}")));
    }

    @Test
    void imagesCountTheirAllowanceNotTheirUrlOrData() {
        String data = "data:image/png;base64," + "A".repeat(200_000);
        String withImage = "{\"model\":\"openai/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"what is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + data + "\"}}]}]}";
        String withoutImage = "{\"model\":\"openai/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"what is this?\"}]}]}";
        assertEquals(estimator.inputTokens(body(withoutImage)) + 1 + 2_500, estimator.inputTokens(body(withImage)),
                "the image's allowance and the comma before it");
        String responses = "{\"model\":\"openai/gpt-4o\",\"input\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"input_image\",\"image_url\":\"https://example.com/a.png\"},"
                + "{\"type\":\"input_image\",\"file_id\":\"file-1\"}]}]}";
        assertTrue(estimator.inputTokens(body(responses)) >= 5_000, "two Responses images");
    }

    @Test
    void bytesPerTokenDividesTheTextRoundingUp() {
        Estimator thirds = new Estimator(3, 2_500, 4_096);
        JsonObject body = body("{\"content\":\"" + "x".repeat(3000) + "\"}");
        long bytes = estimator.inputTokens(body);
        assertEquals((bytes + 2) / 3, thirds.inputTokens(body));
    }

    // ---------------------------------------------------------------- output

    @Test
    void aStatedCapIsTheOutputAndTheLargerOfTwoCapsWins() {
        Estimate e = estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"max_tokens\":100,"
                + "\"max_completion_tokens\":300,\"messages\":[]}");
        assertEquals(300, e.outputTokens());
        assertEquals(e.inputTokens() + 300, e.tokens());
        assertTrue(e.capped());
        assertEquals(700, estimate(Operation.RESPONSES, "{\"model\":\"openai/gpt-4o\",\"max_output_tokens\":700,"
                + "\"input\":\"x\"}").outputTokens());
        assertEquals(16, estimate(Operation.TEXT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"max_tokens\":16,"
                + "\"prompt\":\"x\"}").outputTokens());
    }

    @Test
    void everyChoiceCanUseTheWholeCap() {
        assertEquals(300, estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"n\":3,"
                + "\"max_tokens\":100,\"messages\":[]}").outputTokens());
        assertEquals(500, estimate(Operation.TEXT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"n\":2,\"best_of\":5,"
                + "\"max_tokens\":100,\"prompt\":\"x\"}").outputTokens(), "best_of answers are all billed");
        assertEquals(100, estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"n\":0,"
                + "\"max_tokens\":100,\"messages\":[]}").outputTokens(), "n below 1 counts as 1");
    }

    @Test
    void withoutACapTheModelsMaximumElseTheDefault() {
        Estimate known = estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"messages\":[]}");
        assertEquals(16_384, known.outputTokens());
        assertTrue(known.capped(), "a known maximum bounds the output as well as a cap");
        Estimate unknown = estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/no-max\",\"messages\":[]}");
        assertEquals(4_096, unknown.outputTokens());
        assertFalse(unknown.capped(), "the default is a guess: the answer may be longer");
        assertEquals(4_096, estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/unpriced\",\"messages\":[]}")
                .outputTokens());
        assertEquals(16_384, estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o\",\"max_tokens\":1000000,"
                + "\"messages\":[]}").outputTokens(), "a cap above the model's maximum counts as the maximum");
    }

    @Test
    void embeddingsHaveNoOutputAndImagesAreCountedPerImage() {
        Estimate embedding = estimate(Operation.EMBEDDING, "{\"model\":\"openai/text-embedding-3-small\","
                + "\"input\":\"hello\"}");
        assertEquals(0, embedding.outputTokens());
        assertEquals(embedding.inputTokens(), embedding.tokens());
        assertEquals(3 * 6_240, estimate(Operation.IMAGE_GENERATION, "{\"model\":\"openai/gpt-image-1\",\"n\":3,"
                + "\"prompt\":\"a cat\"}").outputTokens());
    }

    // ---------------------------------------------------------------- cost and targets

    @Test
    void theCostIsInputAtTheHighestInputPriceAndOutputAtTheOutputPriceRoundedUp() {
        Estimate e = estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o-mini\",\"max_tokens\":1000,"
                + "\"messages\":[]}");
        // micro-dollars = tokens * USD per 1M tokens: input * 0.15 + 1000 * 0.60, rounded up
        long expected = new BigDecimal("0.15").multiply(BigDecimal.valueOf(e.inputTokens())).add(new BigDecimal("600"))
                .setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        assertEquals(expected, e.microUsd());
        ModelPrice cacheWrites = ModelPrice.of(new BigDecimal("3"), new BigDecimal("15"), new BigDecimal("0.3"),
                new BigDecimal("3.75"));
        PriceList anthropic = (provider, model) -> Optional.of(cacheWrites);
        Estimate sonnet = estimator.estimate(Operation.CHAT_COMPLETION, body("{\"max_tokens\":10}"),
                ModelRef.parse("anthropic/claude-sonnet-4"), anthropic);
        assertEquals(sonnet.inputTokens() * 375 / 100 + 150 + (sonnet.inputTokens() * 375 % 100 == 0 ? 0 : 1),
                sonnet.microUsd(), "input at the cache-write price, the dearest way to read it");
        assertEquals(0, estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/unpriced\",\"messages\":[]}")
                .microUsd(), "an unpriced model costs 0, as its answers do");
    }

    @Test
    void theDearestTargetDecidesTheWorstCase() {
        Estimate alone = estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o-mini\",\"max_tokens\":100,"
                + "\"messages\":[]}");
        Estimate withFallback = estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o-mini\","
                + "\"max_tokens\":100,\"fallbacks\":[\"anthropic/claude-opus-4\"],\"messages\":[]}");
        assertTrue(withFallback.microUsd() > 50 * alone.microUsd(), "opus costs 100 times mini: " + withFallback);
        Estimate noCap = estimate(Operation.CHAT_COMPLETION, "{\"model\":\"openai/gpt-4o-mini\","
                + "\"fallbacks\":[\"anthropic/claude-opus-4\"],\"messages\":[]}");
        assertEquals(32_000, noCap.outputTokens(), "the fallback's larger maximum");

        // a provider's configured fallbacks come from the lent price list
        PriceList configured = new PriceList() {
            @Override
            public Optional<ModelPrice> price(String provider, String model) {
                return PRICES.price(provider, model);
            }

            @Override
            public List<ModelRef> targets(ModelRef requested, List<ModelRef> fallbacks) {
                return fallbacks.isEmpty() ? List.of(requested, ModelRef.parse("anthropic/claude-opus-4"))
                        : PriceList.super.targets(requested, fallbacks);
            }
        };
        JsonObject body = body("{\"max_tokens\":100,\"messages\":[]}");
        assertEquals(withFallback.microUsd() - 0, estimator.estimate(Operation.CHAT_COMPLETION, body,
                ModelRef.parse("openai/gpt-4o-mini"), configured).microUsd() + (withFallback.inputTokens()
                - estimator.inputTokens(body)) * 15, "priced at the configured fallback");
    }
}
