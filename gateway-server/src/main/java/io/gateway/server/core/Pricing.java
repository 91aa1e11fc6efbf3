package io.gateway.server.core;

import io.gateway.spi.ModelPrice;
import io.gateway.spi.ModelRef;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PriceList;
import io.gateway.spi.TokenUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
 * read from a prompt cache and input written to one, the most output tokens the model produces for one
 * answer where known, and for models billed by other units: minutes of audio input (transcriptions,
 * translations), characters of speech input, and images (per image, optionally per size). The gateway
 * prices every answer with it (the request's outcome, the cost metric, budgets, the request log): by
 * tokens when the answer reports them, else by the model's unit price; and it lends the token prices to
 * plugins ({@link #lend}) for worst-case estimates before a call. A shipped table covers well-known
 * models; {@code gateway.pricing} replaces or adds entries. Immutable and thread-safe.
 */
public final class Pricing {

    private static final System.Logger LOG = System.getLogger("gateway.pricing");
    private static final Pattern SNAPSHOT = Pattern.compile("-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{3}|latest|0)$");
    private static final int MAX_WARNED = 1000;

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /**
     * The unit prices of a model billed by other units than tokens.
     *
     * @param audioMinute USD per minute of audio input, or {@code null}
     * @param characters  USD per 1M characters of speech input, or {@code null}
     * @param image       USD per image made, or {@code null}
     * @param imageSizes  USD per image of a size ({@code 1024x1024}), over {@code image}; may be empty
     */
    public record UnitPrice(BigDecimal audioMinute, BigDecimal characters, BigDecimal image,
                            Map<String, BigDecimal> imageSizes) {

        /** Copies the sizes. */
        public UnitPrice {
            imageSizes = imageSizes == null ? Map.of() : Map.copyOf(imageSizes);
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

    private final Map<String, ModelPrice> prices;
    private final Map<String, UnitPrice> unitPrices;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private Pricing(Map<String, ModelPrice> prices, Map<String, UnitPrice> unitPrices) {
        this.prices = Map.copyOf(prices);
        this.unitPrices = Map.copyOf(unitPrices);
    }

    /**
     * The shipped table.
     *
     * @return the pricing
     */
    public static Pricing defaults() {
        return new Pricing(shipped(), shippedUnits());
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
        Map<String, UnitPrice> unitTable = new LinkedHashMap<>(shippedUnits());
        if (block != null) {
            for (String model : block.keys()) {
                PluginConfig entry = block.child(model).orElseThrow(() -> block.invalid(model,
                        "expected a block {input, output, cache-read, cache-write, max-output-tokens} of USD per 1M"
                                + " tokens (or audio-minute, characters, image, image-sizes for models billed by units)"));
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
                if (units) {
                    unitTable.put(model, new UnitPrice(audioMinute, characters, image, sizes));
                } else {
                    unitTable.remove(model);
                }
            }
        }
        return new Pricing(table, unitTable);
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
    public Optional<ModelPrice> find(String provider, String model) {
        String qualified = provider + "/" + model;
        ModelPrice price = lookUp(prices, qualified);
        if (price == null && warned.size() < MAX_WARNED && warned.add(qualified)) {
            LOG.log(System.Logger.Level.WARNING, "no price for " + qualified + "; its answers cost 0 until "
                    + "gateway.pricing has an entry for it");
        }
        return Optional.ofNullable(price);
    }

    /** An entry by its {@code provider/model}, or by the model a dated snapshot stands for. */
    private static <T> T lookUp(Map<String, T> table, String qualified) {
        T entry = table.get(qualified);
        if (entry == null) {
            String base = SNAPSHOT.matcher(qualified).replaceFirst("");
            if (!base.equals(qualified)) {
                entry = table.get(base);
            }
        }
        return entry;
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
        UnitPrice price = lookUp(unitPrices, provider + "/" + model);
        if (price == null) {
            return Optional.empty();
        }
        BigDecimal cost = switch (operation) {
            case SPEECH -> price.characters() == null ? null
                    : price.characters().multiply(BigDecimal.valueOf(units.characters()))
                    .divide(MILLION, 6, RoundingMode.HALF_UP);
            case TRANSCRIPTION, TRANSLATION -> units.seconds() < 0 || price.audioMinute() == null ? null
                    : price.audioMinute().multiply(BigDecimal.valueOf(units.seconds()))
                    .divide(BigDecimal.valueOf(60), 6, RoundingMode.HALF_UP);
            case IMAGE_GENERATION, IMAGE_EDIT, IMAGE_VARIATION -> {
                BigDecimal each = units.images() <= 0 ? null : price.imageOf(units.imageSize());
                yield each == null ? null : each.multiply(BigDecimal.valueOf(units.images())).setScale(6,
                        RoundingMode.HALF_UP);
            }
            default -> null;
        };
        return Optional.ofNullable(cost);
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
        // OpenAI audio and images billed by units (their unit prices in shippedUnits); token-billed ones
        // (gpt-4o-transcribe, gpt-image-1) by tokens
        for (String model : shippedUnits().keySet()) {
            table.put(model, price("0", "0", "0", "0"));
        }
        table.put("openai/gpt-4o-transcribe", price("6.00", "10.00", "6.00", "6.00"));
        table.put("openai/gpt-4o-mini-transcribe", price("3.00", "5.00", "3.00", "3.00"));
        table.put("openai/omni-moderation-latest", price("0", "0", "0", "0"));
        table.put("openai/text-moderation-latest", price("0", "0", "0", "0"));
        return table;
    }

    private static Map<String, UnitPrice> shippedUnits() {
        Map<String, UnitPrice> table = new LinkedHashMap<>();
        table.put("openai/whisper-1", units("0.006", null, null, Map.of()));
        table.put("openai/tts-1", units(null, "15.00", null, Map.of()));
        table.put("openai/tts-1-hd", units(null, "30.00", null, Map.of()));
        table.put("openai/dall-e-2", units(null, null, "0.020", Map.of("256x256", "0.016", "512x512", "0.018",
                "1024x1024", "0.020")));
        table.put("openai/dall-e-3", units(null, null, "0.040", Map.of("1024x1024", "0.040", "1024x1792", "0.080",
                "1792x1024", "0.080")));
        return table;
    }

    private static UnitPrice units(String audioMinute, String characters, String image, Map<String, String> sizes) {
        Map<String, BigDecimal> bySize = new LinkedHashMap<>();
        sizes.forEach((size, usd) -> bySize.put(size, new BigDecimal(usd)));
        return new UnitPrice(audioMinute == null ? null : new BigDecimal(audioMinute),
                characters == null ? null : new BigDecimal(characters), image == null ? null : new BigDecimal(image),
                bySize);
    }

    private static ModelPrice price(String input, String output, String cacheRead, String cacheWrite) {
        return ModelPrice.of(new BigDecimal(input), new BigDecimal(output), new BigDecimal(cacheRead),
                new BigDecimal(cacheWrite));
    }
}
