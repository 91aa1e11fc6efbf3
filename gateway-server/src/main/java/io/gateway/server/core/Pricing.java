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
 * read from a prompt cache and input written to one, and for models billed by other units: minutes
 * of audio input (transcriptions, translations), characters of speech input, and images (per image,
 * optionally per size). The gateway prices every answer with it (the request's outcome, the cost
 * metric, budgets, the request log): by tokens when the answer reports them, else by the model's unit
 * price. A shipped table covers well-known models; {@code gateway.pricing} replaces or adds entries.
 * Immutable and thread-safe.
 */
public final class Pricing {

    private static final System.Logger LOG = System.getLogger("gateway.pricing");
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final Pattern SNAPSHOT = Pattern.compile("-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{3}|latest|0)$");
    private static final int MAX_WARNED = 1000;

    /**
     * One model's prices: USD per 1M tokens, and the unit prices of models billed otherwise.
     *
     * @param input       input tokens not served from or written to a cache
     * @param output      output tokens (reasoning included)
     * @param cacheRead   input tokens read from a prompt cache
     * @param cacheWrite  input tokens written to a prompt cache
     * @param audioMinute USD per minute of audio input, or {@code null}
     * @param characters  USD per 1M characters of speech input, or {@code null}
     * @param image       USD per image made, or {@code null}
     * @param imageSizes  USD per image of a size ({@code 1024x1024}), over {@code image}; may be empty
     */
    public record Price(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite,
                        BigDecimal audioMinute, BigDecimal characters, BigDecimal image,
                        Map<String, BigDecimal> imageSizes) {

        /** Copies the sizes. */
        public Price {
            imageSizes = imageSizes == null ? Map.of() : Map.copyOf(imageSizes);
        }

        /**
         * Token prices only.
         *
         * @param input      input tokens not served from or written to a cache
         * @param output     output tokens
         * @param cacheRead  input tokens read from a prompt cache
         * @param cacheWrite input tokens written to a prompt cache
         */
        public Price(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite) {
            this(input, output, cacheRead, cacheWrite, null, null, null, Map.of());
        }

        /**
         * The price of one image of a size: the size's own, else the flat one.
         *
         * @param size the requested size, or {@code null}
         * @return USD, or {@code null} when images have no price
         */
        public BigDecimal imageOf(String size) {
            BigDecimal sized = size == null ? null : imageSizes.get(size);
            return sized != null ? sized : image;
        }
    }

    /**
     * What an answer used in units other than tokens.
     *
     * @param characters characters of speech input
     * @param seconds    seconds of audio input, or a negative number when unknown
     * @param images     images made
     * @param imageSize  the requested image size, or {@code null}
     */
    public record Units(long characters, double seconds, int images, String imageSize) {

        /** Nothing. */
        public static final Units NONE = new Units(0, -1, 0, null);
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
                BigDecimal audioMinute = optional(entry, "audio-minute", "USD per minute of audio input");
                BigDecimal characters = optional(entry, "characters", "USD per 1M characters of speech input");
                BigDecimal image = optional(entry, "image", "USD per image");
                Map<String, BigDecimal> sizes = new LinkedHashMap<>();
                entry.child("image-sizes").ifPresent(sizesBlock -> {
                    for (String size : sizesBlock.keys()) {
                        if (!size.matches("\\d+x\\d+|auto")) {
                            throw sizesBlock.invalid(size, "name an image size such as 1024x1024");
                        }
                        sizes.put(size, price(sizesBlock, size, null));
                    }
                });
                boolean units = audioMinute != null || characters != null || image != null || !sizes.isEmpty();
                BigDecimal input = price(entry, "input", units ? BigDecimal.ZERO : null);
                table.put(model, new Price(input, price(entry, "output", BigDecimal.ZERO),
                        price(entry, "cache-read", input), price(entry, "cache-write", input), audioMinute,
                        characters, image, sizes));
            }
        }
        return new Pricing(table);
    }

    private static BigDecimal optional(PluginConfig entry, String key, String unit) {
        if (!entry.has(key)) {
            return null;
        }
        double value = entry.number(key, 0);
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw entry.invalid(key, "must be a price of 0 or more in " + unit);
        }
        return new BigDecimal(Double.toString(value));
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
     * What an answer priced by units cost: speech characters, audio minutes or images at the model's
     * unit prices, for the operations billed by them.
     *
     * @param provider  the provider name
     * @param model     the bare model
     * @param operation the operation
     * @param units     what the answer used
     * @return USD, scale 6; empty when the model has no price for the units the operation uses
     */
    public Optional<BigDecimal> unitCost(String provider, String model, io.gateway.spi.Operation operation,
                                         Units units) {
        if (model == null) {
            return Optional.empty();
        }
        BigDecimal cost = switch (operation) {
            case SPEECH -> {
                Price price = find(provider, model).orElse(null);
                yield price == null || price.characters() == null ? null
                        : price.characters().multiply(BigDecimal.valueOf(units.characters()))
                        .divide(MILLION, 6, RoundingMode.HALF_UP);
            }
            case TRANSCRIPTION, TRANSLATION -> {
                Price price = units.seconds() < 0 ? null : find(provider, model).orElse(null);
                yield price == null || price.audioMinute() == null ? null
                        : price.audioMinute().multiply(BigDecimal.valueOf(units.seconds()))
                        .divide(BigDecimal.valueOf(60), 6, RoundingMode.HALF_UP);
            }
            case IMAGE_GENERATION, IMAGE_EDIT, IMAGE_VARIATION -> {
                Price price = units.images() <= 0 ? null : find(provider, model).orElse(null);
                BigDecimal each = price == null ? null : price.imageOf(units.imageSize());
                yield each == null ? null : each.multiply(BigDecimal.valueOf(units.images())).setScale(6,
                        RoundingMode.HALF_UP);
            }
            default -> null;
        };
        return Optional.ofNullable(cost);
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
        // OpenAI audio and images billed by units; token-billed ones (gpt-4o-transcribe, gpt-image-1) by tokens
        table.put("openai/whisper-1", units("0.006", null, null, Map.of()));
        table.put("openai/tts-1", units(null, "15.00", null, Map.of()));
        table.put("openai/tts-1-hd", units(null, "30.00", null, Map.of()));
        table.put("openai/gpt-4o-transcribe", price("6.00", "10.00", "6.00", "6.00"));
        table.put("openai/gpt-4o-mini-transcribe", price("3.00", "5.00", "3.00", "3.00"));
        table.put("openai/dall-e-2", units(null, null, "0.020", Map.of("256x256", "0.016", "512x512", "0.018",
                "1024x1024", "0.020")));
        table.put("openai/dall-e-3", units(null, null, "0.040", Map.of("1024x1024", "0.040", "1024x1792", "0.080",
                "1792x1024", "0.080")));
        table.put("openai/omni-moderation-latest", price("0", "0", "0", "0"));
        table.put("openai/text-moderation-latest", price("0", "0", "0", "0"));
        return table;
    }

    private static Price units(String audioMinute, String characters, String image, Map<String, String> sizes) {
        Map<String, BigDecimal> bySize = new LinkedHashMap<>();
        sizes.forEach((size, usd) -> bySize.put(size, new BigDecimal(usd)));
        return new Price(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                audioMinute == null ? null : new BigDecimal(audioMinute),
                characters == null ? null : new BigDecimal(characters), image == null ? null : new BigDecimal(image),
                bySize);
    }

    private static Price price(String input, String output, String cacheRead, String cacheWrite) {
        return new Price(new BigDecimal(input), new BigDecimal(output), new BigDecimal(cacheRead),
                new BigDecimal(cacheWrite));
    }
}
