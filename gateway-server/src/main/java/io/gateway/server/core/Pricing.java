package io.gateway.server.core;

import io.gateway.spi.PluginConfig;
import io.gateway.spi.TokenUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The price list: USD per 1M tokens for each {@code provider/model}, with separate prices for input
 * read from a prompt cache and input written to one. The gateway prices every answer with it (the
 * request's outcome, the cost metric, budgets, the request log). A shipped table covers well-known
 * models; {@code gateway.pricing} replaces or adds entries. Immutable and thread-safe.
 */
public final class Pricing {

    private static final System.Logger LOG = System.getLogger("gateway.pricing");
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final Pattern SNAPSHOT = Pattern.compile("-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{3}|latest|0)$");
    private static final int MAX_WARNED = 1000;

    /**
     * One model's prices, USD per 1M tokens.
     *
     * @param input      input tokens not served from or written to a cache
     * @param output     output tokens (reasoning included)
     * @param cacheRead  input tokens read from a prompt cache
     * @param cacheWrite input tokens written to a prompt cache
     */
    public record Price(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite) {
    }

    private final Map<String, Price> prices;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private Pricing(Map<String, Price> prices) {
        this.prices = Map.copyOf(prices);
    }

    /**
     * The shipped table.
     *
     * @return the pricing
     */
    public static Pricing defaults() {
        return new Pricing(shipped());
    }

    /**
     * The shipped table with {@code gateway.pricing} over it.
     *
     * @param block {@code gateway.pricing}, or {@code null}
     * @return the pricing
     * @throws IllegalArgumentException naming the entry for a bad price
     */
    public static Pricing read(PluginConfig block) {
        Map<String, Price> table = new LinkedHashMap<>(shipped());
        if (block != null) {
            for (String model : block.keys()) {
                PluginConfig entry = block.child(model).orElseThrow(() -> block.invalid(model,
                        "expected a block {input, output, cache-read, cache-write} of USD per 1M tokens"));
                if (!model.contains("/") || model.startsWith("/") || model.endsWith("/")) {
                    throw block.invalid(model, "name the model as provider/model, e.g. openai/gpt-4o");
                }
                BigDecimal input = price(entry, "input", null);
                table.put(model, new Price(input, price(entry, "output", BigDecimal.ZERO),
                        price(entry, "cache-read", input), price(entry, "cache-write", input)));
            }
        }
        return new Pricing(table);
    }

    private static BigDecimal price(PluginConfig entry, String key, BigDecimal dflt) {
        if (!entry.has(key)) {
            if (dflt == null) {
                throw entry.invalid(key, "is required: USD per 1M input tokens, e.g. 2.50");
            }
            return dflt;
        }
        double value = entry.number(key, 0);
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw entry.invalid(key, "must be a price of 0 or more in USD per 1M tokens");
        }
        return new BigDecimal(Double.toString(value));
    }

    /**
     * The price of a model: its own entry, or that of the model a dated snapshot stands for
     * ({@code gpt-4o-2024-08-06} → {@code gpt-4o}).
     *
     * @param provider the provider name
     * @param model    the bare model
     * @return the price, or empty for a model the table does not know (logged once)
     */
    public Optional<Price> find(String provider, String model) {
        String qualified = provider + "/" + model;
        Price price = prices.get(qualified);
        if (price == null) {
            String base = SNAPSHOT.matcher(qualified).replaceFirst("");
            if (!base.equals(qualified)) {
                price = prices.get(base);
            }
        }
        if (price == null && warned.size() < MAX_WARNED && warned.add(qualified)) {
            LOG.log(System.Logger.Level.WARNING, "no price for " + qualified + "; its answers cost 0 until "
                    + "gateway.pricing has an entry for it");
        }
        return Optional.ofNullable(price);
    }

    /**
     * What an answer cost.
     *
     * @param provider the provider name
     * @param model    the bare model
     * @param usage    the answer's tokens
     * @return USD, scale 6 (micro-dollars); zero for unknown models
     */
    public BigDecimal cost(String provider, String model, TokenUsage usage) {
        return find(provider, model).map(price -> cost(price, usage)).orElse(BigDecimal.ZERO.setScale(6));
    }

    /**
     * What tokens cost at a price: uncached input, cache reads, cache writes and output each at theirs.
     *
     * @param price the price
     * @param usage the tokens
     * @return USD, scale 6
     */
    public static BigDecimal cost(Price price, TokenUsage usage) {
        long uncached = Math.max(0, usage.inputTokens() - usage.cachedInputTokens() - usage.cacheWriteTokens());
        BigDecimal micros = price.input().multiply(BigDecimal.valueOf(uncached))
                .add(price.cacheRead().multiply(BigDecimal.valueOf(usage.cachedInputTokens())))
                .add(price.cacheWrite().multiply(BigDecimal.valueOf(usage.cacheWriteTokens())))
                .add(price.output().multiply(BigDecimal.valueOf(usage.outputTokens())));
        return micros.divide(MILLION, 6, RoundingMode.HALF_UP);
    }

    private static Map<String, Price> shipped() {
        Map<String, Price> table = new LinkedHashMap<>();
        // OpenAI: cached input at the listed discount, no separate cache-write price
        table.put("openai/gpt-4o", price("2.50", "10.00", "1.25", "2.50"));
        table.put("openai/gpt-4o-mini", price("0.15", "0.60", "0.075", "0.15"));
        table.put("openai/gpt-4.1", price("2.00", "8.00", "0.50", "2.00"));
        table.put("openai/gpt-4.1-mini", price("0.40", "1.60", "0.10", "0.40"));
        table.put("openai/gpt-4.1-nano", price("0.10", "0.40", "0.025", "0.10"));
        table.put("openai/o3", price("2.00", "8.00", "0.50", "2.00"));
        table.put("openai/o4-mini", price("1.10", "4.40", "0.275", "1.10"));
        table.put("openai/text-embedding-3-small", price("0.02", "0", "0.02", "0.02"));
        table.put("openai/text-embedding-3-large", price("0.13", "0", "0.13", "0.13"));
        table.put("openai/gpt-image-1", price("5.00", "40.00", "1.25", "5.00"));
        // Anthropic: cache reads at 10 % of input, 5-minute cache writes at 125 %
        table.put("anthropic/claude-3-5-haiku", price("0.80", "4.00", "0.08", "1.00"));
        table.put("anthropic/claude-sonnet-4", price("3.00", "15.00", "0.30", "3.75"));
        table.put("anthropic/claude-opus-4", price("15.00", "75.00", "1.50", "18.75"));
        // Gemini: implicit cache hits at 25 % of input
        table.put("gemini/gemini-2.0-flash", price("0.10", "0.40", "0.025", "0.10"));
        table.put("gemini/gemini-2.5-flash", price("0.30", "2.50", "0.075", "0.30"));
        table.put("gemini/gemini-2.5-pro", price("1.25", "10.00", "0.31", "1.25"));
        return table;
    }

    private static Price price(String input, String output, String cacheRead, String cacheWrite) {
        return new Price(new BigDecimal(input), new BigDecimal(output), new BigDecimal(cacheRead),
                new BigDecimal(cacheWrite));
    }
}
