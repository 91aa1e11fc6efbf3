package io.gateway.server.core;

import io.gateway.spi.ModelPrice;
import io.gateway.spi.ModelRef;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PriceList;
import io.gateway.spi.TokenUsage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The price list: USD per 1M tokens for each {@code provider/model}, with separate prices for input
 * read from a prompt cache and input written to one, and the most output tokens the model produces for
 * one answer where known. The gateway prices every answer with it (the request's outcome, the cost
 * metric, budgets, the request log) and lends it to plugins ({@link #lend}) for worst-case estimates
 * before a call. A shipped table covers well-known models; {@code gateway.pricing} replaces or adds
 * entries. Immutable and thread-safe.
 */
public final class Pricing {

    private static final System.Logger LOG = System.getLogger("gateway.pricing");
    private static final Pattern SNAPSHOT = Pattern.compile("-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{3}|latest|0)$");
    private static final int MAX_WARNED = 1000;

    private final Map<String, ModelPrice> prices;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private Pricing(Map<String, ModelPrice> prices) {
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
        Map<String, ModelPrice> table = new LinkedHashMap<>(shipped());
        if (block != null) {
            for (String model : block.keys()) {
                PluginConfig entry = block.child(model).orElseThrow(() -> block.invalid(model,
                        "expected a block {input, output, cache-read, cache-write, max-output-tokens} of USD per 1M"
                                + " tokens"));
                if (!model.contains("/") || model.startsWith("/") || model.endsWith("/")) {
                    throw block.invalid(model, "name the model as provider/model, e.g. openai/gpt-4o");
                }
                BigDecimal input = price(entry, "input", null);
                ModelPrice price = ModelPrice.of(input, price(entry, "output", BigDecimal.ZERO),
                        price(entry, "cache-read", input), price(entry, "cache-write", input));
                if (entry.has("max-output-tokens")) {
                    int max = entry.integer("max-output-tokens", 0);
                    if (max < 1) {
                        throw entry.invalid("max-output-tokens", "must be a whole number of tokens, at least 1, e.g."
                                + " 16384 (the most output tokens the model produces for one answer)");
                    }
                    price = price.withMaxOutputTokens(max);
                }
                table.put(model, price);
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
    public Optional<ModelPrice> find(String provider, String model) {
        String qualified = provider + "/" + model;
        ModelPrice price = prices.get(qualified);
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
        return find(provider, model).map(price -> price.cost(usage)).orElse(BigDecimal.ZERO.setScale(6));
    }

    /**
     * This price list as lent to plugins ({@code PluginContext.prices()}): the same entries, and the
     * models a request may be served at as the router chooses them: the requested model, then the
     * request's own fallbacks or, when it names none, the ones configured for its provider.
     *
     * @param providerFallbacks each configured provider's {@code fallbacks}, by provider name
     * @return the lent price list
     */
    public PriceList lend(Map<String, List<ModelRef>> providerFallbacks) {
        Map<String, List<ModelRef>> fallbacks = Map.copyOf(providerFallbacks);
        return new PriceList() {
            @Override
            public Optional<ModelPrice> price(String provider, String model) {
                return find(provider, model);
            }

            @Override
            public List<ModelRef> targets(ModelRef requested, List<ModelRef> requestFallbacks) {
                List<ModelRef> then = requestFallbacks.isEmpty()
                        ? fallbacks.getOrDefault(requested.provider(), List.of()) : requestFallbacks;
                List<ModelRef> targets = new ArrayList<>(then.size() + 1);
                targets.add(requested);
                targets.addAll(then);
                return List.copyOf(targets);
            }

            @Override
            public String toString() {
                return "PriceList[" + prices.size() + " models]";
            }
        };
    }

    private static Map<String, ModelPrice> shipped() {
        Map<String, ModelPrice> table = new LinkedHashMap<>();
        // The output maximum is what the vendor documents for one answer (gpt-image-1: per image, at the
        // largest size in high quality); worst-case estimates use it when a request states no cap.
        // OpenAI: cached input at the listed discount, no separate cache-write price
        table.put("openai/gpt-4o", price("2.50", "10.00", "1.25", "2.50").withMaxOutputTokens(16384));
        table.put("openai/gpt-4o-mini", price("0.15", "0.60", "0.075", "0.15").withMaxOutputTokens(16384));
        table.put("openai/gpt-4.1", price("2.00", "8.00", "0.50", "2.00").withMaxOutputTokens(32768));
        table.put("openai/gpt-4.1-mini", price("0.40", "1.60", "0.10", "0.40").withMaxOutputTokens(32768));
        table.put("openai/gpt-4.1-nano", price("0.10", "0.40", "0.025", "0.10").withMaxOutputTokens(32768));
        table.put("openai/o3", price("2.00", "8.00", "0.50", "2.00").withMaxOutputTokens(100000));
        table.put("openai/o4-mini", price("1.10", "4.40", "0.275", "1.10").withMaxOutputTokens(100000));
        table.put("openai/text-embedding-3-small", price("0.02", "0", "0.02", "0.02"));
        table.put("openai/text-embedding-3-large", price("0.13", "0", "0.13", "0.13"));
        table.put("openai/gpt-image-1", price("5.00", "40.00", "1.25", "5.00").withMaxOutputTokens(6240));
        // Anthropic: cache reads at 10 % of input, 5-minute cache writes at 125 %
        table.put("anthropic/claude-3-5-haiku", price("0.80", "4.00", "0.08", "1.00").withMaxOutputTokens(8192));
        table.put("anthropic/claude-sonnet-4", price("3.00", "15.00", "0.30", "3.75").withMaxOutputTokens(64000));
        table.put("anthropic/claude-opus-4", price("15.00", "75.00", "1.50", "18.75").withMaxOutputTokens(32000));
        // Gemini: implicit cache hits at 25 % of input
        table.put("gemini/gemini-2.0-flash", price("0.10", "0.40", "0.025", "0.10").withMaxOutputTokens(8192));
        table.put("gemini/gemini-2.5-flash", price("0.30", "2.50", "0.075", "0.30").withMaxOutputTokens(65536));
        table.put("gemini/gemini-2.5-pro", price("1.25", "10.00", "0.31", "1.25").withMaxOutputTokens(65536));
        return table;
    }

    private static ModelPrice price(String input, String output, String cacheRead, String cacheWrite) {
        return ModelPrice.of(new BigDecimal(input), new BigDecimal(output), new BigDecimal(cacheRead),
                new BigDecimal(cacheWrite));
    }
}
