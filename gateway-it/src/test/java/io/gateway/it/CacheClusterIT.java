package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.Reply;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The response cache on two gateways sharing one real Redis ({@code GATEWAY_TEST_REDIS_URL}, or a
 * redis-server started here): an answer one replica stored is a hit on the other, exactly and by
 * meaning (the second replica's vector index loads the scope the first one wrote).
 */
class CacheClusterIT {

    private static final String CHAT = "/v1/chat/completions";

    @TempDir
    static Path temp;

    static FakeUpstream upstream;
    static RedisTarget redis;
    static TestGateway a;
    static TestGateway b;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.openAi();
        upstream.on("POST", "/v1/embeddings").respond(Reply.from(CacheSupport::wordOverlapEmbedding));
        PluginFolders plugins = RedisPluginFolder.add(PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("middleware-cache", "io.gateway.plugins.cache.CachePlugin"));
        redis = RedisTarget.open();
        String config = """
                gateway:
                  state:
                    type: redis
                    url: %s
                    key-prefix: "%s"
                  providers:
                    openai:
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: sk-cache-cluster-upstream
                  middleware:
                    - type: cache
                      ttl: 1m
                      semantic:
                        embedding-model: openai/text-embedding-3-small
                        threshold: 0.8
                """.formatted(redis.url(), redis.newPrefix(), upstream.baseUrl());
        a = TestGateway.start(config, plugins.root(), Map.of());
        b = TestGateway.start(config, plugins.root(), Map.of());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {a, b, upstream, redis}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // the next one still closes
                }
            }
        }
    }

    private static String chat(String question) {
        return "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    private static int chats() {
        return upstream.requests(CHAT).size();
    }

    @Test
    void anAnswerStoredOnOneReplicaIsADirectHitOnTheOther() {
        String key = "cluster-" + UUID.randomUUID();
        double stored = CacheSupport.counter(a, "stored", "type=\"direct\"");
        HttpResponse<String> first = Http.post(a.uri(CHAT), chat("Shared across replicas"), "x-bf-cache-key", key);
        assertEquals(200, first.statusCode(), first.body());
        CacheSupport.awaitStored(a, "direct", stored + 1);
        int calls = chats();
        HttpResponse<String> second = Http.post(b.uri(CHAT), chat("Shared across replicas"), "x-bf-cache-key", key);
        assertEquals("direct", second.headers().firstValue("x-bf-cache-hit").orElseThrow());
        assertEquals(first.body(), second.body());
        assertEquals(calls, chats());
    }

    @Test
    void aSimilarQuestionOnTheOtherReplicaIsASemanticHit() {
        String key = "cluster-" + UUID.randomUUID();
        double stored = CacheSupport.counter(a, "stored", "type=\"semantic\"");
        HttpResponse<String> first = Http.post(a.uri(CHAT), chat("which river flows through Paris"),
                "x-bf-cache-key", key);
        assertEquals(200, first.statusCode(), first.body());
        CacheSupport.awaitStored(a, "semantic", stored + 1);
        int calls = chats();
        HttpResponse<String> similar = Http.post(b.uri(CHAT), chat("Which river flows through Paris?"),
                "x-bf-cache-key", key);
        assertEquals("semantic", similar.headers().firstValue("x-bf-cache-hit").orElseThrow());
        assertTrue(Double.parseDouble(similar.headers().firstValue("x-bf-cache-similarity").orElseThrow()) >= 0.8);
        assertEquals(first.body(), similar.body());
        assertEquals(calls, chats());

        // a's index learns of what b stores
        double storedOnB = CacheSupport.counter(b, "stored", "type=\"semantic\"");
        HttpResponse<String> onB = Http.post(b.uri(CHAT), chat("how tall is the eiffel tower"), "x-bf-cache-key", key);
        assertNull(onB.headers().firstValue("x-bf-cache-hit").orElse(null));
        CacheSupport.awaitStored(b, "semantic", storedOnB + 1);
        HttpResponse<String> onA = Http.post(a.uri(CHAT), chat("How tall is the Eiffel tower?"), "x-bf-cache-key", key);
        assertEquals("semantic", onA.headers().firstValue("x-bf-cache-hit").orElseThrow());
        assertEquals(onB.body(), onA.body());
    }
}
