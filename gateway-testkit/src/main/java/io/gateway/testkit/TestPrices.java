package io.gateway.testkit;

import io.gateway.spi.ModelPrice;
import io.gateway.spi.PriceList;
import io.gateway.spi.TokenUsage;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A price list standing in for the gateway's ({@code gateway.pricing}) in middleware tests: USD per
 * 1M input and output tokens per {@code provider/model}. A {@link TestOutcome} given one prices its
 * usage at the serving model the way the server prices an answer (input and output tokens each at their
 * price, rounded half up to micro-dollars; a model without an entry costs 0), so middleware that reads
 * {@link io.gateway.spi.middleware.RequestOutcome#costUsd()} can be tested without the server.
 *
 * <pre>{@code
 * TestPrices prices = TestPrices.of("openai/gpt-4o-mini", "0.15", "0.60");
 * TestOutcome outcome = new TestOutcome().prices(prices);
 * }</pre>
 *
 * <p>It is also the {@link PriceList} the server lends plugins ({@code PluginContext.prices()}): give it
 * to {@link TestContext.Builder#prices} for middleware that estimates a request's worst case before the
 * call, and {@link #maxOutputTokens} for the output maximum of a model.
 *
 * <p>The server's table also prices cache reads and writes separately; this stand-in charges cached
 * input at the input price. Immutable and thread-safe.
 */
public final class TestPrices implements PriceList {

    private final Map<String, ModelPrice> prices;

    private TestPrices(Map<String, ModelPrice> prices) {
        this.prices = Map.copyOf(prices);
    }

    /**
     * No prices: every answer costs 0.
     *
     * @return the empty list
     */
    public static TestPrices none() {
        return new TestPrices(Map.of());
    }

    /**
     * A list with one entry.
     *
     * @param model  {@code provider/model}
     * @param input  USD per 1M input tokens, e.g. {@code "0.15"}
     * @param output USD per 1M output tokens
     * @return the list
     * @throws NumberFormatException when a price is not a decimal number
     */
    public static TestPrices of(String model, String input, String output) {
        return none().and(model, input, output);
    }

    /**
     * This list with one more entry (or a replaced one).
     *
     * @param model  {@code provider/model}
     * @param input  USD per 1M input tokens
     * @param output USD per 1M output tokens
     * @return a new list
     * @throws IllegalArgumentException when the model is not {@code provider/model} or a price is negative
     */
    public TestPrices and(String model, String input, String output) {
        int slash = model.indexOf('/');
        if (slash <= 0 || slash == model.length() - 1) {
            throw new IllegalArgumentException("name the model as provider/model, e.g. openai/gpt-4o: " + model);
        }
        BigDecimal in = new BigDecimal(input);
        BigDecimal out = new BigDecimal(output);
        if (in.signum() < 0 || out.signum() < 0) {
            throw new IllegalArgumentException("prices must not be negative: " + model);
        }
        Map<String, ModelPrice> copy = new LinkedHashMap<>(prices);
        copy.put(model, ModelPrice.of(in, out, in, in));
        return new TestPrices(copy);
    }

    /**
     * This list with the most output tokens a model produces for one answer, as {@code max-output-tokens}
     * in {@code gateway.pricing}.
     *
     * @param model  {@code provider/model}, already in the list
     * @param tokens the maximum, at least 1
     * @return a new list
     * @throws IllegalArgumentException when the model has no entry or {@code tokens} is below 1
     */
    public TestPrices maxOutputTokens(String model, long tokens) {
        ModelPrice price = prices.get(model);
        if (price == null) {
            throw new IllegalArgumentException("no entry for " + model + "; add its prices with and(...) first");
        }
        Map<String, ModelPrice> copy = new LinkedHashMap<>(prices);
        copy.put(model, price.withMaxOutputTokens(tokens));
        return new TestPrices(copy);
    }

    /**
     * A model's entry.
     *
     * @param provider the provider name
     * @param model    the bare model
     * @return the price, or empty for a model without an entry
     */
    @Override
    public Optional<ModelPrice> price(String provider, String model) {
        return Optional.ofNullable(prices.get(provider + "/" + model));
    }

    /**
     * What an answer cost.
     *
     * @param provider the serving provider's name
     * @param model    the serving bare model
     * @param usage    the answer's tokens
     * @return USD, scale 6; zero for a model without an entry
     */
    public BigDecimal cost(String provider, String model, TokenUsage usage) {
        ModelPrice price = prices.get(provider + "/" + model);
        return price == null ? BigDecimal.ZERO.setScale(6) : price.cost(usage);
    }
}
