package io.gateway.plugins.governance;

import io.gateway.spi.TokenUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prices per model in US dollars per million tokens, and the cost of a request in micro-dollars.
 *
 * <p>A default table of list prices for well-known models ships with the plugin; entries under
 * {@code pricing} in the configuration replace or extend it. Prices are looked up by the qualified
 * name {@code provider/model} as the gateway routed it; a dated or pinned snapshot of a listed model
 * ({@code gpt-4o-mini-2024-07-18}, {@code claude-sonnet-4-20250514}, {@code gemini-2.0-flash-001},
 * {@code claude-3-5-haiku-latest}) costs what the listed model does, unless it has its own entry.
 */
final class Pricing {

    /**
     * The price of one model.
     *
     * @param input  USD per 1M input (prompt) tokens
     * @param output USD per 1M output (completion) tokens
     */
    record Price(BigDecimal input, BigDecimal output) {
    }

    /**
     * Snapshot suffixes: OpenAI dates ({@code -2024-07-18}), Anthropic dates ({@code -20250514}),
     * Gemini versions ({@code -001}), and the {@code -latest} / {@code -0} aliases.
     */
    private static final Pattern SNAPSHOT = Pattern.compile("-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{3}|latest|0)$");

    private final Map<String, Price> prices;

    private Pricing(Map<String, Price> prices) {
        this.prices = Map.copyOf(prices);
    }

    /**
     * The shipped table merged with configured entries, which win.
     *
     * @param overrides configured prices by {@code provider/model}
     * @return the pricing
     */
    static Pricing withOverrides(Map<String, Price> overrides) {
        Map<String, Price> merged = new LinkedHashMap<>(defaults());
        merged.putAll(overrides);
        return new Pricing(merged);
    }

    /**
     * List prices (standard tier, no batch or cache discounts) for the models the gateway's providers
     * serve most. Image generation is priced by its text input and image output tokens; embeddings have
     * no output. Gemini 2.5 Pro is listed at its rate for prompts up to 200k tokens.
     *
     * @return the table
     */
    static Map<String, Price> defaults() {
        Map<String, Price> table = new LinkedHashMap<>();
        table.put("openai/gpt-4o", price("2.50", "10.00"));
        table.put("openai/gpt-4o-mini", price("0.15", "0.60"));
        table.put("openai/gpt-4.1", price("2.00", "8.00"));
        table.put("openai/gpt-4.1-mini", price("0.40", "1.60"));
        table.put("openai/gpt-4.1-nano", price("0.10", "0.40"));
        table.put("openai/o3", price("2.00", "8.00"));
        table.put("openai/o4-mini", price("1.10", "4.40"));
        table.put("openai/text-embedding-3-small", price("0.02", "0"));
        table.put("openai/text-embedding-3-large", price("0.13", "0"));
        table.put("openai/gpt-image-1", price("5.00", "40.00"));
        table.put("anthropic/claude-3-5-haiku", price("0.80", "4.00"));
        table.put("anthropic/claude-sonnet-4", price("3.00", "15.00"));
        table.put("anthropic/claude-opus-4", price("15.00", "75.00"));
        table.put("gemini/gemini-2.0-flash", price("0.10", "0.40"));
        table.put("gemini/gemini-2.5-flash", price("0.30", "2.50"));
        table.put("gemini/gemini-2.5-pro", price("1.25", "10.00"));
        return table;
    }

    private static Price price(String input, String output) {
        return new Price(new BigDecimal(input), new BigDecimal(output));
    }

    /**
     * The price of a model: its own entry, else the entry of the model its snapshot suffix pins.
     *
     * @param qualifiedModel {@code provider/model}
     * @return the price, or {@code null} when the model has none
     */
    Price find(String qualifiedModel) {
        Price price = prices.get(qualifiedModel);
        if (price == null) {
            String base = SNAPSHOT.matcher(qualifiedModel).replaceFirst("");
            if (!base.equals(qualifiedModel)) {
                price = prices.get(base);
            }
        }
        return price;
    }

    /**
     * What a request cost in micro-dollars. A price per million tokens times a token count is exactly
     * micro-dollars, so the only rounding is the final one (half up) to a whole micro-dollar.
     *
     * @param price the model's price
     * @param usage the tokens used
     * @return the cost, &ge; 0
     */
    static long costMicros(Price price, TokenUsage usage) {
        BigDecimal cost = price.input().multiply(BigDecimal.valueOf(usage.inputTokens()))
                .add(price.output().multiply(BigDecimal.valueOf(usage.outputTokens())));
        return cost.setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
