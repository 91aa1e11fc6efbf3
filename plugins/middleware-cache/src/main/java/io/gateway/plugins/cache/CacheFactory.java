package io.gateway.plugins.cache;

import io.gateway.spi.ModelRef;
import io.gateway.spi.PluginConfig;
import io.gateway.spi.PluginContext;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.middleware.MiddlewareFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the {@code cache} entry of {@code gateway.middleware}: {@code ttl}, {@code default-cache-key},
 * {@code max-entry-size}, {@code write-queue} and the optional {@code semantic} block
 * ({@code embedding-model}, {@code threshold}, {@code conversation}, {@code system-prompt},
 * {@code max-entries-per-key}, {@code index-max-entries}). Every mistake stops start-up with one line
 * naming the key. Stateless.
 */
final class CacheFactory implements MiddlewareFactory {

    static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    static final long DEFAULT_MAX_ENTRY_SIZE = 1024 * 1024;
    static final int DEFAULT_WRITE_QUEUE = 256;
    static final double DEFAULT_THRESHOLD = 0.8;
    static final int DEFAULT_MAX_ENTRIES_PER_KEY = 256;
    static final int DEFAULT_INDEX_MAX_ENTRIES = 4096;

    @Override
    public String type() {
        return "cache";
    }

    @Override
    public Middleware create(PluginConfig config, PluginContext context) {
        CacheSettings settings = read(config);
        return new CacheMiddleware(settings, context);
    }

    static CacheSettings read(PluginConfig config) {
        Duration ttl = config.duration("ttl", DEFAULT_TTL);
        if (ttl.isZero() || ttl.isNegative()) {
            throw config.invalid("ttl", "must be positive, e.g. 5m");
        }
        String defaultKey = config.string("default-cache-key").filter(key -> !key.isBlank()).orElse(null);
        long maxEntrySize = config.size("max-entry-size", DEFAULT_MAX_ENTRY_SIZE);
        if (maxEntrySize < 1 || maxEntrySize > 64L * 1024 * 1024) {
            throw config.invalid("max-entry-size", "must be between 1B and 64MB, e.g. 1MB");
        }
        int writeQueue = config.integer("write-queue", DEFAULT_WRITE_QUEUE);
        if (writeQueue < 1 || writeQueue > 100_000) {
            throw config.invalid("write-queue", "must be between 1 and 100000");
        }
        Optional<PluginConfig> block = config.child("semantic");
        CacheSettings.Semantic semantic = block.isPresent() ? semantic(block.get()) : null;
        return new CacheSettings(ttl, defaultKey, maxEntrySize, writeQueue, semantic);
    }

    private static CacheSettings.Semantic semantic(PluginConfig config) {
        String model = config.string("embedding-model").orElseThrow(() -> config.invalid("embedding-model",
                "is required: the provider/model that embeds a request's text, e.g. openai/text-embedding-3-small"));
        ModelRef embeddingModel;
        try {
            embeddingModel = ModelRef.parse(model);
        } catch (IllegalArgumentException e) {
            throw config.invalid("embedding-model", "'" + model + "' is not provider/model; write e.g. "
                    + "openai/text-embedding-3-small");
        }
        double threshold = config.number("threshold", DEFAULT_THRESHOLD);
        if (!(threshold >= 0 && threshold <= 1)) {
            throw config.invalid("threshold", "must be between 0 and 1, e.g. 0.8");
        }
        String conversation = config.string("conversation", "history").toLowerCase(Locale.ROOT);
        CacheSettings.Conversation which = switch (conversation) {
            case "history" -> CacheSettings.Conversation.HISTORY;
            case "last-user" -> CacheSettings.Conversation.LAST_USER;
            default -> throw config.invalid("conversation", "'" + conversation + "' is neither history nor last-user");
        };
        boolean systemPrompt = config.bool("system-prompt", true);
        int perKey = config.integer("max-entries-per-key", DEFAULT_MAX_ENTRIES_PER_KEY);
        if (perKey < 1 || perKey > 100_000) {
            throw config.invalid("max-entries-per-key", "must be between 1 and 100000");
        }
        int indexMax = config.integer("index-max-entries", DEFAULT_INDEX_MAX_ENTRIES);
        if (indexMax < perKey) {
            throw config.invalid("index-max-entries", "must be at least max-entries-per-key (" + perKey + ")");
        }
        return new CacheSettings.Semantic(embeddingModel, threshold, which, systemPrompt, perKey, indexMax);
    }
}
