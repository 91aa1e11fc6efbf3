package io.gateway.plugins.cache;

import io.gateway.spi.ModelRef;
import java.time.Duration;

/**
 * One {@code cache} entry of {@code gateway.middleware}, as read and checked by {@link CacheFactory}.
 * Immutable.
 *
 * @param ttl             how long an answer is kept unless the request sends {@code x-bf-cache-ttl}
 * @param defaultCacheKey the cache key of requests that send no {@code x-bf-cache-key}, or {@code null}:
 *                        then only requests that send one are cached
 * @param maxEntrySize    the most bytes one stored answer may take (both of its forms together)
 * @param writeQueue      how many answers may wait to be written; more are dropped and counted
 * @param semantic        the semantic path, or {@code null} for exact matches only
 */
record CacheSettings(Duration ttl, String defaultCacheKey, long maxEntrySize, int writeQueue, Semantic semantic) {

    /** Which text of a conversation is embedded. */
    enum Conversation {
        /** The last message of the user (for Responses: the last user input item). */
        LAST_USER,
        /** Every message, in order, each after its role. */
        HISTORY
    }

    /**
     * The semantic path.
     *
     * @param embeddingModel   the model that embeds a request's text, {@code provider/model} of a configured
     *                         provider that offers embeddings
     * @param threshold        the cosine similarity from which a stored answer is a hit, 0 to 1
     * @param conversation     which text is embedded
     * @param systemPrompt     whether system messages (and Responses' {@code instructions}) are embedded
     * @param maxEntriesPerKey the most answers one cache key, model and parameter set keeps for
     *                         similarity search; the oldest is dropped for a new one
     * @param indexMaxEntries  the most vectors this node keeps in memory over all scopes; least recently
     *                         used scopes are dropped beyond it (and loaded from the store again when asked)
     */
    record Semantic(ModelRef embeddingModel, double threshold, Conversation conversation, boolean systemPrompt,
                    int maxEntriesPerKey, int indexMaxEntries) {
    }
}
