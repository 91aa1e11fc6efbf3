package io.gateway.plugins.governance;

import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.middleware.MiddlewareFactory;
import io.gateway.spi.middleware.VirtualKeyDirectory;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.Secret;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code governance} entry of {@code gateway.middleware}: {@code require-virtual-key},
 * {@code virtual-key-prefix}, {@code virtual-keys}, and how reservations estimate and hold a request's
 * worst case ({@code default-max-output-tokens}, {@code input-bytes-per-token},
 * {@code image-input-tokens}, {@code reservation-lease}); costs come priced from the gateway
 * ({@code gateway.pricing}) in the request's outcome, and worst cases from the price list it lends. Every mistake stops start-up
 * with one line naming the key, and no line ever shows a key's value.
 */
final class GovernanceFactory implements MiddlewareFactory {

    /**
     * Key names end up in store keys, log lines and the client identity that scopes async jobs; a
     * plain alphabet keeps all of those unambiguous.
     */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    @Override
    public String type() {
        return "governance";
    }

    @Override
    public Middleware create(PluginConfig config, PluginContext context) {
        config.string("type");
        boolean requireKey = config.bool("require-virtual-key", true);
        String prefix = prefix(config);
        List<VirtualKey> keys = virtualKeys(config, prefix, context.logger());
        if (config.has("pricing")) {
            throw config.invalid("pricing", "prices moved to gateway.pricing, one table for budgets, the cost"
                    + " metric and the request log; move the entries there (the same provider/model keys with"
                    + " input and output, and optional cache-read and cache-write)");
        }
        VirtualKeyDirectory managed = context.virtualKeys();
        if (requireKey && keys.isEmpty() && managed == VirtualKeyDirectory.empty()) {
            context.logger().log(System.Logger.Level.WARNING, "governance: require-virtual-key is true but no"
                    + " virtual-keys are configured, so every request is refused with 401");
        }
        Estimator estimator = new Estimator(
                bounded(config, "input-bytes-per-token", 1, 1, 8, "UTF-8 bytes counted as one input token"),
                bounded(config, "image-input-tokens", 2_500, 1, 1_000_000, "input tokens counted per image"),
                bounded(config, "default-max-output-tokens", 4_096, 1, 10_000_000,
                        "output tokens counted for a request without a cap on a model without a known maximum"));
        Duration lease = config.duration("reservation-lease", Duration.ofMinutes(1));
        if (lease.toMillis() < 1000) {
            throw config.invalid("reservation-lease", "must be at least 1s, e.g. 1m: how long the holds of a request"
                    + " outlive its replica");
        }
        return new GovernanceMiddleware(requireKey, prefix, keys, managed, context.state(), context.clock(),
                context.logger(), context.metrics(), context.prices(), estimator, lease);
    }

    private static int bounded(PluginConfig config, String key, int dflt, int min, int max, String meaning) {
        int value = config.integer(key, dflt);
        if (value < min || value > max) {
            throw config.invalid(key, "must be a whole number from " + min + " to " + max + " (" + meaning + "), e.g. "
                    + dflt);
        }
        return value;
    }

    /**
     * What a bearer, {@code x-api-key} or {@code api-key} value must start with to be taken for a
     * virtual key. Spaces are refused: configuration values are trimmed and tokens hold none.
     */
    private static String prefix(PluginConfig config) {
        Optional<String> configured = config.string("virtual-key-prefix");
        if (configured.isEmpty() && config.has("virtual-key-prefix")) {
            throw config.invalid("virtual-key-prefix", "is empty; remove it for the default "
                    + GovernanceMiddleware.DEFAULT_PREFIX + " or write the prefix your virtual keys share");
        }
        String prefix = configured.orElse(GovernanceMiddleware.DEFAULT_PREFIX);
        if (prefix.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
                || Character.isISOControl(c))) {
            throw config.invalid("virtual-key-prefix", "must not contain spaces or control characters;"
                    + " write the prefix your virtual keys share, e.g. " + GovernanceMiddleware.DEFAULT_PREFIX
                    + " (the default)");
        }
        return prefix;
    }

    private static List<VirtualKey> virtualKeys(PluginConfig config, String prefix, System.Logger logger) {
        List<VirtualKey> keys = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (PluginConfig block : config.children("virtual-keys")) {
            String name = block.string("name")
                    .orElseThrow(() -> block.invalid("name", "is required: name the key, e.g. team-a"));
            if (!NAME.matcher(name).matches()) {
                throw block.invalid("name", "'" + name + "' must be 1 to 64 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit");
            }
            if (!names.add(name)) {
                throw block.invalid("name", "'" + name + "' names another virtual key too; names must be unique");
            }
            Secret value = block.secret("value");
            if (value.isEmpty()) {
                logger.log(System.Logger.Level.WARNING, "governance: virtual key '" + name + "' has no value (is"
                        + " its environment variable unset?); no request can use it until it has one");
            } else {
                // Read here only to compare; neither the value nor any part of it beyond the prefix is shown.
                String text = value.reveal();
                if (!text.startsWith(prefix)) {
                    throw block.invalid("value", "virtual key '" + name + "' does not start with the virtual-key-prefix"
                            + " '" + prefix + "', so a client sending it as Authorization: Bearer (as the OpenAI SDKs"
                            + " do), x-api-key or api-key would not be recognised; give the key a value starting with '"
                            + prefix + "', or set virtual-key-prefix to the prefix all your keys share");
                }
                if (text.length() == prefix.length()) {
                    throw block.invalid("value", "virtual key '" + name + "' has nothing after the"
                            + " virtual-key-prefix; add the secret part after it");
                }
                for (VirtualKey earlier : keys) {
                    // Secret.equals compares in constant time; the message names keys, never values.
                    if (earlier.value().equals(value)) {
                        throw block.invalid("value", "virtual key '" + name + "' has the same value as '"
                                + earlier.name() + "'; every virtual key needs its own value");
                    }
                }
            }
            List<ModelGlob> allowed = allowedModels(block);
            RateLimit requests = null;
            RateLimit tokens = null;
            Optional<PluginConfig> rateLimit = block.child("rate-limit");
            if (rateLimit.isPresent()) {
                requests = limit(rateLimit.get(), "requests", "per");
                tokens = limit(rateLimit.get(), "tokens", "tokens-per");
            }
            Budget budget = block.child("budget").map(GovernanceFactory::budget).orElse(null);
            keys.add(new VirtualKey(name, value, allowed, requests, tokens, budget, allowedTools(block, allowed)));
        }
        return List.copyOf(keys);
    }

    /**
     * {@code allowed-tools}: globs over the MCP gateway's tool names ({@code {server}__{tool}}); an empty
     * list allows none. Without the key, the default rule of {@link VirtualKey#defaultTools}.
     */
    private static io.gateway.spi.middleware.ToolAccess allowedTools(PluginConfig block, List<ModelGlob> models) {
        if (!block.has("allowed-tools")) {
            return VirtualKey.defaultTools(models);
        }
        List<String> patterns = block.strings("allowed-tools");
        List<String> globs = new ArrayList<>(patterns.size());
        for (String pattern : patterns) {
            if (pattern == null || pattern.isBlank()) {
                throw block.invalid("allowed-tools", "contains an empty pattern; write {server}__{tool} globs such"
                        + " as calc__add or notes__*");
            }
            String trimmed = pattern.trim();
            if (!trimmed.contains("*") && !trimmed.contains("__")) {
                throw block.invalid("allowed-tools", "'" + trimmed + "' can never match: tool names are"
                        + " {server}__{tool}, e.g. calc__" + trimmed + " or *__" + trimmed);
            }
            globs.add(trimmed);
        }
        return io.gateway.spi.middleware.ToolAccess.of(globs);
    }

    private static List<ModelGlob> allowedModels(PluginConfig block) {
        List<String> patterns = block.strings("allowed-models");
        if (patterns.isEmpty()) {
            return List.of(ModelGlob.ANY);
        }
        List<ModelGlob> globs = new ArrayList<>(patterns.size());
        for (String pattern : patterns) {
            if (pattern == null || pattern.isBlank()) {
                throw block.invalid("allowed-models", "contains an empty pattern; write provider/model globs such"
                        + " as openai/* or anthropic/claude-*");
            }
            String trimmed = pattern.trim();
            if (!trimmed.equals("*") && !trimmed.contains("/")) {
                throw block.invalid("allowed-models", "'" + trimmed + "' can never match: patterns are over"
                        + " provider/model, e.g. openai/" + trimmed + " or */" + trimmed);
            }
            globs.add(new ModelGlob(trimmed));
        }
        return List.copyOf(globs);
    }

    /**
     * One optional pair of {@code rate-limit}: both keys or neither. Reads both keys either way so the
     * server never reports one of them as unknown.
     */
    private static RateLimit limit(PluginConfig block, String countKey, String perKey) {
        boolean hasCount = block.has(countKey);
        int count = block.integer(countKey, 0);
        Duration per = block.duration(perKey, null);
        if (!hasCount && per == null) {
            return null;
        }
        if (!hasCount) {
            throw block.invalid(countKey, "is required with " + perKey + ": how many per window");
        }
        if (per == null) {
            throw block.invalid(perKey, "is required with " + countKey + ": the window, e.g. 1m or 1h");
        }
        if (count <= 0) {
            throw block.invalid(countKey, "must be greater than 0; remove the pair for no limit");
        }
        if (per.toMillis() < 1000 || per.toMillis() % 1000 != 0) {
            throw block.invalid(perKey, "must be a whole number of seconds, at least 1s, e.g. 30s, 1m or 1h");
        }
        return new RateLimit(count, per);
    }

    private static Budget budget(PluginConfig block) {
        boolean hasUsd = block.has("usd");
        double usd = block.number("usd", 0);
        Optional<String> per = block.string("per");
        if (!hasUsd) {
            throw block.invalid("usd", "is required: the most the key may spend per period in US dollars, e.g. 50");
        }
        if (!(usd > 0)) {
            throw block.invalid("usd", "must be greater than 0");
        }
        if (per.isEmpty()) {
            throw block.invalid("per", "is required: 1h, 1d, 1w or 1M (calendar hour, day, ISO week, month in UTC)");
        }
        BudgetPeriod period = BudgetPeriod.parse(per.get());
        if (period == null) {
            throw block.invalid("per", "'" + per.get() + "' is not a budget period; write 1h, 1d, 1w or 1M"
                    + " (1M is a calendar month; minutes are not a budget period)");
        }
        BigDecimal dollars = BigDecimal.valueOf(usd);
        long micros = dollars.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValue();
        return new Budget(dollars, micros, period);
    }
}
