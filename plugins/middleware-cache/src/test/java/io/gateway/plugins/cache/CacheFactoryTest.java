package io.gateway.plugins.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gateway.testkit.TestConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheFactoryTest {

    @Test
    void readsEveryKey() {
        TestConfig config = TestConfig.middleware(1, """
                type: cache
                ttl: 10m
                default-cache-key: shared
                max-entry-size: 2MB
                write-queue: 64
                semantic:
                  embedding-model: openai/text-embedding-3-small
                  threshold: 0.9
                  conversation: last-user
                  system-prompt: false
                  max-entries-per-key: 50
                  index-max-entries: 500
                """);
        CacheSettings settings = CacheFactory.read(config);
        config.string("type");
        assertEquals(List.of(), config.unreadKeys());
        assertEquals(Duration.ofMinutes(10), settings.ttl());
        assertEquals("shared", settings.defaultCacheKey());
        assertEquals(2L * 1024 * 1024, settings.maxEntrySize());
        assertEquals(64, settings.writeQueue());
        assertEquals("openai/text-embedding-3-small", settings.semantic().embeddingModel().toString());
        assertEquals(0.9, settings.semantic().threshold());
        assertEquals(CacheSettings.Conversation.LAST_USER, settings.semantic().conversation());
        assertEquals(false, settings.semantic().systemPrompt());
        assertEquals(50, settings.semantic().maxEntriesPerKey());
        assertEquals(500, settings.semantic().indexMaxEntries());
    }

    @Test
    void theDefaultsAreExactOnlyForRequestsThatOptIn() {
        CacheSettings settings = CacheFactory.read(TestConfig.middleware(0, "type: cache"));
        assertEquals(Duration.ofMinutes(5), settings.ttl());
        assertNull(settings.defaultCacheKey());
        assertEquals(1024 * 1024, settings.maxEntrySize());
        assertNull(settings.semantic());
    }

    @Test
    void mistakesNameTheirKey() {
        assertEquals("gateway.middleware[0].ttl: must be positive, e.g. 5m", assertThrows(IllegalArgumentException.class,
                () -> CacheFactory.read(TestConfig.middleware(0, "ttl: 0s"))).getMessage());
        assertEquals("gateway.middleware[0].semantic.threshold: must be between 0 and 1, e.g. 0.8",
                assertThrows(IllegalArgumentException.class, () -> CacheFactory.read(TestConfig.middleware(0, """
                        semantic:
                          embedding-model: openai/text-embedding-3-small
                          threshold: 1.5
                        """))).getMessage());
        assertEquals("gateway.middleware[0].semantic.embedding-model: is required: the provider/model that embeds a "
                        + "request's text, e.g. openai/text-embedding-3-small",
                assertThrows(IllegalArgumentException.class, () -> CacheFactory.read(TestConfig.middleware(0, """
                        semantic:
                          threshold: 0.5
                        """))).getMessage());
        assertEquals("gateway.middleware[0].semantic.conversation: 'all' is neither history nor last-user",
                assertThrows(IllegalArgumentException.class, () -> CacheFactory.read(TestConfig.middleware(0, """
                        semantic:
                          embedding-model: openai/text-embedding-3-small
                          conversation: all
                        """))).getMessage());
    }
}
