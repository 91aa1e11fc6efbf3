package io.gateway.spi;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One model's entry in the gateway's price list ({@code gateway.pricing}): USD per 1M tokens for
 * uncached input, output, input read from a prompt cache and input written to one, and the most output
 * tokens the model produces for one answer, when the list knows it.
 *
 * <p>The gateway prices every answer with {@link #cost(TokenUsage)}; middleware that must know a
 * request's worst case before it is sent (budgets reserve it) reads the same entry through
 * {@link PriceList}. Immutable and thread-safe; never {@code null} fields.
 */
public final class ModelPrice {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private final BigDecimal input;
    private final BigDecimal output;
    private final BigDecimal cacheRead;
    private final BigDecimal cacheWrite;
    private final long maxOutputTokens;

    private ModelPrice(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite,
                       long maxOutputTokens) {
        this.input = nonNegative(input, "input");
        this.output = nonNegative(output, "output");
        this.cacheRead = nonNegative(cacheRead, "cacheRead");
        this.cacheWrite = nonNegative(cacheWrite, "cacheWrite");
        this.maxOutputTokens = maxOutputTokens;
    }

    private static BigDecimal nonNegative(BigDecimal price, String name) {
        Objects.requireNonNull(price, name);
        if (price.signum() < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + price);
        }
        return price;
    }

    /**
     * A price without a known output maximum.
     *
     * @param input      USD per 1M input tokens not read from or written to a cache
     * @param output     USD per 1M output tokens (reasoning included)
     * @param cacheRead  USD per 1M input tokens read from a prompt cache
     * @param cacheWrite USD per 1M input tokens written to a prompt cache
     * @return the price
     * @throws IllegalArgumentException when a price is negative
     * @throws NullPointerException     when a price is {@code null}
     */
    public static ModelPrice of(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite) {
        return new ModelPrice(input, output, cacheRead, cacheWrite, -1);
    }

    /**
     * This price with the most output tokens the model produces for one answer (for image models, per
     * image).
     *
     * @param tokens the maximum, at least 1
     * @return a new price
     * @throws IllegalArgumentException when {@code tokens} is below 1
     */
    public ModelPrice withMaxOutputTokens(long tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("the output maximum must be at least 1 token: " + tokens);
        }
        return new ModelPrice(input, output, cacheRead, cacheWrite, tokens);
    }

    /**
     * USD per 1M input tokens not read from or written to a prompt cache.
     *
     * @return the price
     */
    public BigDecimal input() {
        return input;
    }

    /**
     * USD per 1M output tokens, reasoning included.
     *
     * @return the price
     */
    public BigDecimal output() {
        return output;
    }

    /**
     * USD per 1M input tokens read from a prompt cache.
     *
     * @return the price
     */
    public BigDecimal cacheRead() {
        return cacheRead;
    }

    /**
     * USD per 1M input tokens written to a prompt cache.
     *
     * @return the price
     */
    public BigDecimal cacheWrite() {
        return cacheWrite;
    }

    /**
     * The most an input token can cost: the highest of {@link #input()}, {@link #cacheRead()} and
     * {@link #cacheWrite()} (a cache write costs more than plain input at some vendors). What a
     * worst-case estimate charges each input token at.
     *
     * @return USD per 1M input tokens
     */
    public BigDecimal maxInput() {
        return input.max(cacheRead).max(cacheWrite);
    }

    /**
     * The most output tokens the model produces for one answer (for image models, per image).
     *
     * @return the maximum, or empty when the price list does not know it
     */
    public OptionalLong maxOutputTokens() {
        return maxOutputTokens < 0 ? OptionalLong.empty() : OptionalLong.of(maxOutputTokens);
    }

    /**
     * What tokens cost at this price: uncached input, cache reads, cache writes and output each at
     * theirs, rounded half up to micro-dollars. The gateway prices every answer with this.
     *
     * @param usage the tokens
     * @return USD, scale 6
     */
    public BigDecimal cost(TokenUsage usage) {
        long uncached = Math.max(0, usage.inputTokens() - usage.cachedInputTokens() - usage.cacheWriteTokens());
        BigDecimal micros = input.multiply(BigDecimal.valueOf(uncached))
                .add(cacheRead.multiply(BigDecimal.valueOf(usage.cachedInputTokens())))
                .add(cacheWrite.multiply(BigDecimal.valueOf(usage.cacheWriteTokens())))
                .add(output.multiply(BigDecimal.valueOf(usage.outputTokens())));
        return micros.divide(MILLION, 6, RoundingMode.HALF_UP);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ModelPrice that && input.compareTo(that.input) == 0
                && output.compareTo(that.output) == 0 && cacheRead.compareTo(that.cacheRead) == 0
                && cacheWrite.compareTo(that.cacheWrite) == 0 && maxOutputTokens == that.maxOutputTokens;
    }

    @Override
    public int hashCode() {
        return Objects.hash(input.stripTrailingZeros(), output.stripTrailingZeros(), cacheRead.stripTrailingZeros(),
                cacheWrite.stripTrailingZeros(), maxOutputTokens);
    }

    @Override
    public String toString() {
        return "ModelPrice[input=" + input.toPlainString() + ", output=" + output.toPlainString() + ", cacheRead="
                + cacheRead.toPlainString() + ", cacheWrite=" + cacheWrite.toPlainString()
                + (maxOutputTokens < 0 ? "" : ", maxOutputTokens=" + maxOutputTokens) + "]";
    }
}
