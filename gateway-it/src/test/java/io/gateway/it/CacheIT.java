package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.OpenAiPreset;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The response cache against the real server, one gateway with the in-memory store, in front of the
 * kit's OpenAI fake (whose every answer has a fresh id, so a replay is told from a new answer): exact
 * hits and misses, isolation by cache key, expiry, no-store, streamed and complete answers replayed
 * byte for byte and each as the other, errors never stored, the semantic path with an embeddings
 * upstream whose vectors reflect word overlap, and a hit that governance counts as a request but
 * charges nothing, and the request log's mark on the answers the cache gave.
 */
class CacheIT {

    private static final String CHAT = "/v1/chat/completions";
    private static final String RESPONSES = "/v1/responses";
    private static final String EMBEDDINGS = "/v1/embeddings";
    private static final String ADMIN_TOKEN = "cache-admin-" + UUID.randomUUID();
    private static final String VIRTUAL_KEY = "sk-bf-cache-" + UUID.randomUUID();

    @TempDir
    static Path temp;

    static FakeUpstream upstream;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.openAi();
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin")
                .add("middleware-cache", "io.gateway.plugins.cache.CachePlugin");
        gateway = TestGateway.start("""
                gateway:
                  admin:
                    token: ${CACHE_IT_ADMIN}
                  logs:
                    path: %s
                  providers:
                    openai:
                      base-url: %s/v1
                      max-retries: 0
                      keys:
                        - name: main
                          value: sk-cache-it-upstream
                  pricing:
                    openai/gpt-4o-mini: {input: 1000, output: 1000}
                  middleware:
                    - type: governance
                      require-virtual-key: false
                      virtual-keys:
                        - name: cached
                          value: ${CACHE_IT_KEY}
                          rate-limit: {tokens: 1000000, tokens-per: 1h}
                          budget: {usd: 1000, per: 1d}
                    - type: cache
                      ttl: 1m
                      semantic:
                        embedding-model: openai/text-embedding-3-small
                        threshold: 0.8
                """.formatted(temp.resolve("logs.db"), upstream.baseUrl()), plugins.root(),
                Map.of("CACHE_IT_ADMIN", ADMIN_TOKEN, "CACHE_IT_KEY", VIRTUAL_KEY));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void embeddingsReflectWordOverlap() {
        upstream.reset();
        upstream.on("POST", EMBEDDINGS).respond(Reply.from(CacheSupport::wordOverlapEmbedding));
    }

    private static String key() {
        return "it-" + UUID.randomUUID();
    }

    private static String chat(String question) {
        return "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    private static String streamed(String json) {
        return json.replaceFirst("\\{", "{\"stream\":true,");
    }

    private static int chats() {
        return upstream.requests("/v1/chat/completions").size();
    }

    private static double stored() {
        return CacheSupport.counter(gateway, "stored", "type=\"direct\"");
    }

    /** Sends a request that misses and waits until its answer is stored. */
    private static HttpResponse<String> miss(String path, String json, String... headers) {
        double before = stored();
        HttpResponse<String> response = Http.post(gateway.uri(path), json, headers);
        assertEquals(200, response.statusCode(), response.body());
        assertNull(response.headers().firstValue("x-bf-cache-hit").orElse(null), "a miss carries nothing new");
        CacheSupport.awaitStored(gateway, "direct", before + 1);
        return response;
    }

    @Test
    void aRepeatedRequestIsAnsweredWithTheStoredBytesAndNoUpstreamCall() {
        String key = key();
        HttpResponse<String> first = miss(CHAT, chat("Hello there"), "x-bf-cache-key", key);
        int calls = chats();
        // the same request in another key order and spacing
        HttpResponse<String> second = Http.post(gateway.uri(CHAT), "{ \"messages\" : [ { \"content\" : \"Hello there\", "
                + "\"role\" : \"user\" } ], \"model\" : \"openai/gpt-4o-mini\" }", "x-bf-cache-key", key);
        assertEquals(200, second.statusCode());
        assertEquals("direct", second.headers().firstValue("x-bf-cache-hit").orElseThrow());
        assertEquals(first.body(), second.body(), "the body as stored, byte for byte");
        assertEquals(calls, chats(), "no upstream call");
        assertTrue(second.headers().firstValue("content-type").orElseThrow().startsWith("application/json"));
        assertEquals("openai", first.headers().firstValue("x-bifrost-provider").orElseThrow());
        assertNull(second.headers().firstValue("x-bifrost-provider").orElse(null), "nothing was routed");

        HttpResponse<String> changed = Http.post(gateway.uri(CHAT), chat("Hello there").replace("{",
                "{\"temperature\":0.2,"), "x-bf-cache-key", key);
        assertNull(changed.headers().firstValue("x-bf-cache-hit").orElse(null), "another parameter is another answer");
        assertEquals(calls + 1, chats());
    }

    @Test
    void theRequestLogMarksTheAnswersTheCacheGave() {
        String key = key();
        String missId = "cache-log-" + UUID.randomUUID();
        String hitId = "cache-log-" + UUID.randomUUID();
        String streamedHitId = "cache-log-" + UUID.randomUUID();
        miss(CHAT, chat("Log me"), "x-bf-cache-key", key, "x-request-id", missId);
        assertEquals("direct", Http.post(gateway.uri(CHAT), chat("Log me"), "x-bf-cache-key", key, "x-request-id",
                hitId).headers().firstValue("x-bf-cache-hit").orElseThrow());
        assertEquals("direct", Http.post(gateway.uri(CHAT), streamed(chat("Log me")), "x-bf-cache-key", key,
                "x-request-id", streamedHitId).headers().firstValue("x-bf-cache-hit").orElseThrow());
        assertEquals(JsonValue.NULL, logged(missId).get("cache_hit"), "the miss went upstream");
        JsonObject hit = logged(hitId);
        assertEquals("direct", hit.getString("cache_hit"));
        assertEquals(200, hit.getInt("status"));
        assertEquals(0, hit.getJsonArray("attempts").size(), "no upstream attempt");
        JsonObject streamedHit = logged(streamedHitId);
        assertEquals("direct", streamedHit.getString("cache_hit"));
        assertTrue(streamedHit.getBoolean("stream"));
    }

    /** A request's entry in the request log, once the writer stored it. */
    private static JsonObject logged(String id) {
        return RequestLogIT.awaitDetail(gateway, ADMIN_TOKEN, id);
    }

    @Test
    void cacheKeysIsolateAndRequestsWithoutOneAreNotCached() {
        String body = chat("Isolate me");
        miss(CHAT, body, "x-bf-cache-key", key());
        int calls = chats();
        HttpResponse<String> other = Http.post(gateway.uri(CHAT), body, "x-bf-cache-key", key());
        assertNull(other.headers().firstValue("x-bf-cache-hit").orElse(null));
        HttpResponse<String> none = Http.post(gateway.uri(CHAT), body);
        assertNull(none.headers().firstValue("x-bf-cache-hit").orElse(null));
        assertEquals(calls + 2, chats());
    }

    @Test
    void anEntryExpiresAfterItsTtl() {
        String key = key();
        miss(CHAT, chat("Expire me"), "x-bf-cache-key", key, "x-bf-cache-ttl", "3s");
        assertEquals("direct", Http.post(gateway.uri(CHAT), chat("Expire me"), "x-bf-cache-key", key).headers()
                .firstValue("x-bf-cache-hit").orElseThrow());
        RedisServer.sleep(3200);
        int calls = chats();
        assertNull(Http.post(gateway.uri(CHAT), chat("Expire me"), "x-bf-cache-key", key).headers()
                .firstValue("x-bf-cache-hit").orElse(null));
        assertEquals(calls + 1, chats());
    }

    @Test
    void noStoreReadsButNeverWrites() {
        String key = key();
        double before = stored();
        HttpResponse<String> first = Http.post(gateway.uri(CHAT), chat("Do not keep"), "x-bf-cache-key", key,
                "x-bf-cache-no-store", "true");
        assertEquals(200, first.statusCode());
        HttpResponse<String> second = Http.post(gateway.uri(CHAT), chat("Do not keep"), "x-bf-cache-key", key,
                "x-bf-cache-no-store", "true");
        assertNull(second.headers().firstValue("x-bf-cache-hit").orElse(null));
        assertNotEquals(first.body(), second.body());
        RedisServer.sleep(200);
        assertEquals(before, stored(), "nothing written");
        miss(CHAT, chat("Do not keep"), "x-bf-cache-key", key);
        assertEquals("direct", Http.post(gateway.uri(CHAT), chat("Do not keep"), "x-bf-cache-key", key,
                "x-bf-cache-no-store", "true").headers().firstValue("x-bf-cache-hit").orElseThrow());
    }

    @Test
    void aStreamIsReplayedByteForByteAndAsABody() {
        String key = key();
        String body = streamed(chat("Stream to me"));
        double before = stored();
        CacheSupport.Raw first = CacheSupport.stream(gateway, CHAT, body, "x-bf-cache-key", key);
        assertEquals(200, first.response().statusCode());
        assertNull(first.header("x-bf-cache-hit"));
        CacheSupport.awaitStored(gateway, "direct", before + 1);
        int calls = chats();

        CacheSupport.Raw second = CacheSupport.stream(gateway, CHAT, body, "x-bf-cache-key", key);
        assertEquals("direct", second.header("x-bf-cache-hit"));
        assertTrue(second.header("content-type").startsWith("text/event-stream"), second.header("content-type"));
        assertArrayEquals(first.body(), second.body(), "the same events in the same framing:\n" + first.text()
                + "\n---\n" + second.text());
        assertTrue(second.text().endsWith("data: [DONE]\n\n"), second.text());

        HttpResponse<String> plain = Http.post(gateway.uri(CHAT), chat("Stream to me"), "x-bf-cache-key", key);
        assertEquals("direct", plain.headers().firstValue("x-bf-cache-hit").orElseThrow());
        JsonObject assembled = JsonBodies.parse(plain.body());
        assertEquals("chat.completion", assembled.getString("object"));
        assertEquals(OpenAiPreset.TEXT, assembled.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content"));
        assertEquals(SseParser.readAll(first.body()).get(0).json().getString("id"), assembled.getString("id"));
        assertEquals(calls, chats());
    }

    @Test
    void aBodyIsReplayedAsAStreamWithDone() {
        String key = key();
        HttpResponse<String> first = miss(CHAT, chat("Body first"), "x-bf-cache-key", key);
        String id = JsonBodies.parse(first.body()).getString("id");
        int calls = chats();
        CacheSupport.Raw stream = CacheSupport.stream(gateway, CHAT, streamed(chat("Body first")), "x-bf-cache-key", key);
        assertEquals("direct", stream.header("x-bf-cache-hit"));
        List<SseFrame> frames = SseParser.readAll(stream.body());
        assertEquals("[DONE]", frames.get(frames.size() - 1).data());
        StringBuilder text = new StringBuilder();
        for (SseFrame frame : frames.subList(0, frames.size() - 1)) {
            JsonObject chunk = frame.json();
            assertEquals(id, chunk.getString("id"));
            assertEquals("chat.completion.chunk", chunk.getString("object"));
            for (JsonValue choice : chunk.getJsonArray("choices")) {
                JsonObject delta = choice.asJsonObject().getJsonObject("delta");
                if (delta.get("content") instanceof jakarta.json.JsonString part) {
                    text.append(part.getString());
                }
            }
        }
        assertEquals(OpenAiPreset.TEXT, text.toString());
        assertEquals(calls, chats());
    }

    @Test
    void aResponsesStreamIsReplayedByteForByte() {
        String key = key();
        String body = "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,\"input\":\"Respond to me\"}";
        double before = stored();
        CacheSupport.Raw first = CacheSupport.stream(gateway, RESPONSES, body, "x-bf-cache-key", key);
        assertEquals(200, first.response().statusCode(), first.text());
        CacheSupport.awaitStored(gateway, "direct", before + 1);
        CacheSupport.Raw second = CacheSupport.stream(gateway, RESPONSES, body, "x-bf-cache-key", key);
        assertEquals("direct", second.header("x-bf-cache-hit"));
        assertArrayEquals(first.body(), second.body(), first.text() + "\n---\n" + second.text());
        assertTrue(second.text().contains("event: response.completed\n"), second.text());
        HttpResponse<String> plain = Http.post(gateway.uri(RESPONSES), body.replace("\"stream\":true,", ""),
                "x-bf-cache-key", key);
        assertEquals("completed", JsonBodies.parse(plain.body()).getString("status"));
        assertEquals(1, upstream.requests("/v1/responses").size());
    }

    @Test
    void embeddingsAreCachedExactly() {
        String key = key();
        String body = "{\"model\":\"openai/text-embedding-3-small\",\"input\":\"cache my vector\"}";
        HttpResponse<String> first = miss(EMBEDDINGS, body, "x-bf-cache-key", key);
        int calls = upstream.requests(EMBEDDINGS).size();
        HttpResponse<String> second = Http.post(gateway.uri(EMBEDDINGS), body, "x-bf-cache-key", key);
        assertEquals("direct", second.headers().firstValue("x-bf-cache-hit").orElseThrow());
        assertEquals(first.body(), second.body());
        assertEquals(calls, upstream.requests(EMBEDDINGS).size(), "embeddings never take the semantic path");
    }

    @Test
    void errorsAreNeverStored() {
        String key = key();
        upstream.on("POST", "/v1/chat/completions").respond(Reply.error(500, "the upstream broke"));
        double before = stored();
        HttpResponse<String> failed = Http.post(gateway.uri(CHAT), chat("Fail me"), "x-bf-cache-key", key);
        assertTrue(failed.statusCode() >= 500, failed.statusCode() + " " + failed.body());
        upstream.reset();
        upstream.on("POST", EMBEDDINGS).respond(Reply.from(CacheSupport::wordOverlapEmbedding));
        HttpResponse<String> retried = Http.post(gateway.uri(CHAT), chat("Fail me"), "x-bf-cache-key", key);
        assertEquals(200, retried.statusCode(), retried.body());
        assertNull(retried.headers().firstValue("x-bf-cache-hit").orElse(null), "the error was not stored");
        CacheSupport.awaitStored(gateway, "direct", before + 1);
        RedisServer.sleep(100);
        assertEquals(before + 1, stored(), "only the success");
    }

    @Test
    void aSimilarQuestionIsASemanticHitAndAnUnrelatedOneIsNot() {
        String key = key();
        double semanticBefore = CacheSupport.counter(gateway, "stored", "type=\"semantic\"");
        HttpResponse<String> first = miss(CHAT, chat("what is the capital city of France"), "x-bf-cache-key", key);
        CacheSupport.awaitStored(gateway, "semantic", semanticBefore + 1);
        int calls = chats();

        String similarId = "cache-log-" + UUID.randomUUID();
        HttpResponse<String> similar = Http.post(gateway.uri(CHAT), chat("What is the capital city of France?"),
                "x-bf-cache-key", key, "x-request-id", similarId);
        assertEquals("semantic", similar.headers().firstValue("x-bf-cache-hit").orElseThrow());
        assertEquals("semantic", logged(similarId).getString("cache_hit"), "the request log says which path");
        double similarity = Double.parseDouble(similar.headers().firstValue("x-bf-cache-similarity").orElseThrow());
        assertTrue(similarity >= 0.8, "similarity " + similarity);
        assertEquals(first.body(), similar.body());
        assertEquals(calls, chats());

        HttpResponse<String> unrelated = Http.post(gateway.uri(CHAT), chat("how do penguins sleep at night"),
                "x-bf-cache-key", key);
        assertNull(unrelated.headers().firstValue("x-bf-cache-hit").orElse(null));
        HttpResponse<String> strict = Http.post(gateway.uri(CHAT), chat("what is the capital city of France please"),
                "x-bf-cache-key", key, "x-bf-cache-threshold", "0.99");
        assertNull(strict.headers().firstValue("x-bf-cache-hit").orElse(null), "below the request's threshold");
        assertEquals(calls + 2, chats());
        // every embedding went to the configured model, through the gateway's router
        assertTrue(upstream.requests(EMBEDDINGS).stream().allMatch(r -> r.bodyJson().getString("model")
                .equals("text-embedding-3-small")));
    }

    @Test
    void aHitCountsAsARequestButCostsNothing() {
        String key = key();
        miss(CHAT, chat("Charge me once"), "x-bf-cache-key", key, "x-bf-vk", VIRTUAL_KEY);
        JsonObject before = usage();
        HttpResponse<String> hit = Http.post(gateway.uri(CHAT), chat("Charge me once"), "x-bf-cache-key", key,
                "x-bf-vk", VIRTUAL_KEY);
        assertEquals("direct", hit.headers().firstValue("x-bf-cache-hit").orElseThrow());
        JsonObject after = usage();
        assertEquals(before.getJsonObject("requests").getInt("count") + 1,
                after.getJsonObject("requests").getInt("count"), "a hit is a request");
        assertEquals(before.getJsonObject("tokens").getJsonNumber("count"), after.getJsonObject("tokens")
                .getJsonNumber("count"), "no tokens");
        assertEquals(0, after.getJsonObject("tokens").getInt("reserved"), "no hold left");
        assertEquals(before.getJsonObject("spend").getJsonNumber("usd"), after.getJsonObject("spend")
                .getJsonNumber("usd"), "no cost");
        assertTrue(before.getJsonObject("spend").getJsonNumber("usd").doubleValue() > 0, "the miss was charged");
    }

    private static JsonObject usage() {
        HttpResponse<String> response = Http.get(gateway.uri("/admin/usage"), "authorization", "Bearer " + ADMIN_TOKEN);
        assertEquals(200, response.statusCode(), response.body());
        for (JsonValue entry : JsonBodies.parse(response.body()).getJsonObject("governance")
                .getJsonArray("virtual_keys")) {
            if (entry.asJsonObject().getString("name").equals("cached")) {
                return entry.asJsonObject();
            }
        }
        return fail("no usage entry for 'cached': " + response.body());
    }

    @Test
    void badCacheHeadersAreRefusedNamingTheHeader() {
        HttpResponse<String> response = Http.post(gateway.uri(CHAT), chat("Hello"), "x-bf-cache-key", key(),
                "x-bf-cache-ttl", "forever");
        assertEquals(400, response.statusCode());
        assertEquals("x-bf-cache-ttl", JsonBodies.parse(response.body()).getJsonObject("error").getString("param"));
    }
}
