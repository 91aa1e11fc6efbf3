package io.gateway.plugins.governance;

import io.gateway.spi.ModelPrice;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.PriceList;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The worst case of a request before it is sent: the most tokens it can use and the most it can cost,
 * which governance reserves against the key's token limit and budget.
 *
 * <p><b>Input.</b> The body's size in UTF-8 bytes as compact JSON (no spaces outside strings, escapes
 * decoded), over {@code bytesPerToken}, except images: each image part ({@code image_url},
 * {@code input_image}, {@code image}) counts {@code imageTokens} instead of its URL or data. Byte-level tokenizers never make more tokens than
 * bytes, so with {@code bytesPerToken = 1} (the default) this is an upper bound for text, tools and the
 * chat template's overhead (the JSON around each message is longer than the template's tokens).
 *
 * <p><b>Output.</b> The request's cap ({@code max_completion_tokens} or {@code max_tokens} for chat,
 * {@code max_tokens} for text completions, {@code max_output_tokens} for Responses; the larger when
 * several are sent), times the choices ({@code n}, and {@code best_of} for text completions), times
 * {@code n} images for image generation; embeddings have no output. Without a cap, each target model's
 * maximum from the price list, or {@code defaultMaxOutput} for a model without one. A stated cap above
 * a model's maximum counts as the maximum.
 *
 * <p><b>Targets.</b> The models the request may be served at ({@link PriceList#targets}: the model,
 * then its fallbacks); the estimate is the most expensive of them, in tokens and in dollars. Input
 * tokens are priced at the highest of a model's input, cache-read and cache-write prices, output
 * tokens at its output price, rounded up to whole micro-dollars; an unpriced model costs 0, as its
 * answers do.
 *
 * <p>Immutable and thread-safe; allocates a little per request (the list of targets).
 */
final class Estimator {

    private static final BigDecimal MAX_MICROS = BigDecimal.valueOf(Long.MAX_VALUE);

    private final int bytesPerToken;
    private final long imageTokens;
    private final long defaultMaxOutput;

    /**
     * An estimator.
     *
     * @param bytesPerToken    UTF-8 bytes counted as one input token, at least 1
     * @param imageTokens      input tokens counted per image, at least 1
     * @param defaultMaxOutput output tokens counted per answer when neither the request nor the price
     *                         list caps them, at least 1
     */
    Estimator(int bytesPerToken, long imageTokens, long defaultMaxOutput) {
        this.bytesPerToken = bytesPerToken;
        this.imageTokens = imageTokens;
        this.defaultMaxOutput = defaultMaxOutput;
    }

    /**
     * A request's worst case.
     *
     * @param inputTokens  the estimated input tokens
     * @param outputTokens the most output tokens of the target with the largest total
     * @param tokens       the most tokens of any target, input included
     * @param microUsd     the most it can cost at any target, in micro-dollars, rounded up
     * @param capped       whether every target's output is capped by the request or a known maximum
     *                     (then only the input estimate can fall short)
     */
    record Estimate(long inputTokens, long outputTokens, long tokens, long microUsd, boolean capped) {
    }

    /**
     * The worst case of a request for a model.
     *
     * @param operation the operation
     * @param body      the request body
     * @param model     the requested model
     * @param prices    the gateway's price list
     * @return the estimate
     */
    Estimate estimate(Operation operation, JsonObject body, ModelRef model, PriceList prices) {
        long input = inputTokens(body);
        OptionalLong cap = outputCap(operation, body);
        long multiplier = multiplier(operation, body);
        long bestTokens = 0;
        long bestOutput = 0;
        BigDecimal bestCost = BigDecimal.ZERO;
        boolean capped = true;
        for (ModelRef target : prices.targets(model, fallbacks(body))) {
            Optional<ModelPrice> price = prices.price(target.provider(), target.model());
            OptionalLong max = price.isPresent() ? price.get().maxOutputTokens() : OptionalLong.empty();
            long perAnswer;
            if (operation == Operation.EMBEDDING) {
                perAnswer = 0;
            } else if (cap.isPresent()) {
                perAnswer = max.isPresent() ? Math.min(cap.getAsLong(), max.getAsLong()) : cap.getAsLong();
            } else if (max.isPresent()) {
                perAnswer = max.getAsLong();
            } else {
                perAnswer = defaultMaxOutput;
                capped = false;
            }
            long output = saturatedMultiply(perAnswer, multiplier);
            long tokens = saturatedAdd(input, output);
            if (tokens > bestTokens) {
                bestTokens = tokens;
                bestOutput = output;
            }
            if (price.isPresent()) {
                BigDecimal cost = price.get().maxInput().multiply(BigDecimal.valueOf(input))
                        .add(price.get().output().multiply(BigDecimal.valueOf(output)));
                bestCost = bestCost.max(cost);
            }
        }
        // USD per 1M tokens times tokens is micro-dollars
        long micros = bestCost.setScale(0, RoundingMode.CEILING).min(MAX_MICROS).longValueExact();
        return new Estimate(input, bestOutput, bestTokens, micros, capped);
    }

    /** The input estimate: the body's bytes over {@code bytesPerToken}, images at {@code imageTokens}. */
    long inputTokens(JsonObject body) {
        long[] bytesAndImages = new long[2];
        measure(body, bytesAndImages);
        long text = (bytesAndImages[0] + bytesPerToken - 1) / bytesPerToken;
        return saturatedAdd(text, saturatedMultiply(bytesAndImages[1], imageTokens));
    }

    /** Adds a value's size as compact JSON (escapes decoded) to [0], and its image parts to [1]. */
    private static void measure(JsonValue value, long[] bytesAndImages) {
        switch (value.getValueType()) {
            case STRING -> bytesAndImages[0] += utf8Length(((JsonString) value).getString()) + 2;
            case NUMBER -> bytesAndImages[0] += ((JsonNumber) value).toString().length();
            case TRUE, NULL -> bytesAndImages[0] += 4;
            case FALSE -> bytesAndImages[0] += 5;
            case ARRAY -> {
                JsonArray array = (JsonArray) value;
                bytesAndImages[0] += 2 + Math.max(0, array.size() - 1);
                for (JsonValue item : array) {
                    measure(item, bytesAndImages);
                }
            }
            case OBJECT -> {
                JsonObject object = (JsonObject) value;
                if (isImage(object)) {
                    // an image part is replaced by its allowance, its separator kept
                    bytesAndImages[1]++;
                    return;
                }
                bytesAndImages[0] += 2 + Math.max(0, object.size() - 1);
                for (Map.Entry<String, JsonValue> member : object.entrySet()) {
                    bytesAndImages[0] += utf8Length(member.getKey()) + 3;
                    measure(member.getValue(), bytesAndImages);
                }
            }
        }
    }

    /** An image content part of chat ({@code image_url}), Responses ({@code input_image}) or Messages ({@code image}). */
    private static boolean isImage(JsonObject object) {
        if (!(object.get("type") instanceof JsonString type)) {
            return false;
        }
        String name = type.getString();
        return name.equals("image_url") || name.equals("input_image") || name.equals("image");
    }

    private static long utf8Length(String text) {
        long length = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                // 2 bytes below U+0800, 3 for the rest of the BMP; a surrogate pair (2 chars) is 4 bytes
                length += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
            }
        }
        return length;
    }

    /** The request's own output cap, the largest of the fields its operation knows. */
    static OptionalLong outputCap(Operation operation, JsonObject body) {
        List<String> fields = switch (operation) {
            case CHAT_COMPLETION -> List.of("max_completion_tokens", "max_tokens");
            case TEXT_COMPLETION -> List.of("max_tokens");
            case RESPONSES -> List.of("max_output_tokens");
            default -> List.of();
        };
        long cap = -1;
        for (String field : fields) {
            if (body.get(field) instanceof JsonNumber number) {
                cap = Math.max(cap, Math.max(0, saturatedLong(number)));
            }
        }
        return cap < 0 ? OptionalLong.empty() : OptionalLong.of(cap);
    }

    /** Answers the request asks for: choices ({@code n}, {@code best_of}) or images ({@code n}). */
    static long multiplier(Operation operation, JsonObject body) {
        long n = count(body, "n");
        return switch (operation) {
            case CHAT_COMPLETION, IMAGE_GENERATION -> n;
            case TEXT_COMPLETION -> Math.max(n, count(body, "best_of"));
            default -> 1;
        };
    }

    private static long count(JsonObject body, String field) {
        return body.get(field) instanceof JsonNumber number ? Math.max(1, saturatedLong(number)) : 1;
    }

    /** A count as sent: 0 for a negative one, {@code Long.MAX_VALUE} beyond it, fractions rounded up. */
    private static long saturatedLong(JsonNumber number) {
        BigDecimal value = number.bigDecimalValue();
        if (value.signum() <= 0) {
            return 0;
        }
        return value.compareTo(MAX_MICROS) >= 0 ? Long.MAX_VALUE : value.setScale(0, RoundingMode.CEILING).longValue();
    }

    /** The request's own {@code fallbacks} that parse as {@code provider/model}. */
    static List<ModelRef> fallbacks(JsonObject body) {
        if (!(body.get("fallbacks") instanceof JsonArray array) || array.isEmpty()) {
            return List.of();
        }
        List<ModelRef> models = new ArrayList<>(array.size());
        for (JsonValue value : array) {
            if (value instanceof JsonString text) {
                try {
                    models.add(ModelRef.parse(text.getString()));
                } catch (IllegalArgumentException e) {
                    // the router refuses it before any call
                }
            }
        }
        return models;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
    }
}
