package io.gateway.plugins.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.middleware.Exchange;
import io.gateway.testkit.RouterStandIn;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.TestExchange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CacheMiddlewareTest {

    private static final String ASK = "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"What is the capital of France?\"}]}";
    private static final String ASK_STREAM = ASK.replace("{\"model\"", "{\"stream\":true,\"model\"");

    private final List<CacheMiddleware> created = new ArrayList<>();
    private final AtomicInteger answers = new AtomicInteger();

    @AfterEach
    void close() {
        created.forEach(CacheMiddleware::close);
    }

    private CacheMiddleware cache(TestContext context, Map<String, ?> config) {
        Map<String, Object> values = new java.util.HashMap<>(config);
        values.put("type", "cache");
        TestConfig block = TestConfig.middleware(0, values);
        CacheMiddleware cache = (CacheMiddleware) new CacheFactory().create(block, context);
        assertEquals(List.of(), block.unreadKeys());
        created.add(cache);
        return cache;
    }

    /** A chat answer whose id counts the upstream calls, so a replay is told from a new answer. */
    private Response chatAnswer(Exchange exchange) {
        int n = answers.incrementAndGet();
        return Response.Complete.ofBytes(200, null, ("{\"id\":\"chatcmpl-" + n + "\",\"object\":\"chat.completion\","
                + "\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"Paris (answer " + n + ")\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private Response chatStream(Exchange exchange) {
        int n = answers.incrementAndGet();
        String head = "{\"id\":\"chatcmpl-" + n + "\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,";
        return Response.Streaming.ok(EventStream.of(List.of(
                new StreamEvent(null, head + "\"delta\":{\"role\":\"assistant\",\"content\":\"Par\"},\"finish_reason\":null}]}"),
                new StreamEvent(null, head + "\"delta\":{\"content\":\"is " + n + "\"},\"finish_reason\":\"stop\"}]}"),
                StreamEvent.DONE)));
    }

    private static String text(Response response) {
        return new String(assertInstanceOf(Response.Complete.class, response).bytes(), StandardCharsets.UTF_8);
    }

    private static List<StreamEvent> drain(Response response) {
        EventStream events = assertInstanceOf(Response.Streaming.class, response).events();
        List<StreamEvent> all = new ArrayList<>();
        for (StreamEvent event = events.next(); event != null; event = events.next()) {
            all.add(event);
        }
        events.close();
        return all;
    }

    private static Exchange request(String json, String... headers) {
        return TestExchange.of(Operation.CHAT_COMPLETION, json).headers(headers).build();
    }

    @Test
    void aRepeatedRequestIsAnsweredFromTheStoreWithoutTheRouter() {
        TestContext context = TestContext.create();
        CacheMiddleware cache = cache(context, Map.of());
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);

        Response first = cache.handle(request(ASK, "x-bf-cache-key", "team-a"), router);
        assertTrue(first.headers().first("x-bf-cache-hit").isEmpty(), "a miss carries nothing new");
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        Response second = cache.handle(request(ASK, "x-bf-cache-key", "team-a"), router);

        assertEquals(1, router.calls());
        assertEquals(text(first), text(second), "the body as stored");
        assertEquals("direct", second.headers().first("x-bf-cache-hit").orElseThrow());
        assertEquals(1, context.metrics().total("gateway.cache.hits", "type", "direct"));
        assertEquals(1, context.metrics().total("gateway.cache.misses"));
        assertEquals(1, context.metrics().total("gateway.cache.stored", "type", "direct"));
        assertEquals(Duration.ofMinutes(5), context.state().createdWithTtl(context.state().keys().first()).orElseThrow());
    }

    @Test
    void requestsWithoutACacheKeyPassUntouchedUnlessADefaultKeyIsSet() {
        TestContext context = TestContext.create();
        CacheMiddleware cache = cache(context, Map.of());
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);
        Exchange plain = request(ASK);
        cache.handle(plain, router);
        cache.handle(plain, router);
        assertEquals(2, router.calls());
        assertTrue(context.state().keys().isEmpty(), "nothing stored");
        assertSame(plain, router.last());

        TestContext other = TestContext.create();
        CacheMiddleware defaulted = cache(other, Map.of("default-cache-key", "everyone"));
        RouterStandIn second = RouterStandIn.answering(this::chatAnswer);
        defaulted.handle(request(ASK), second);
        assertTrue(defaulted.awaitWrites(Duration.ofSeconds(5)));
        assertEquals("direct", defaulted.handle(request(ASK), second).headers().first("x-bf-cache-hit").orElseThrow());
        assertEquals(1, second.calls());
    }

    @Test
    void cacheKeysIsolateAndTheTtlExpires() {
        TestContext context = TestContext.create();
        CacheMiddleware cache = cache(context, Map.of("ttl", "1m"));
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);
        cache.handle(request(ASK, "x-bf-cache-key", "a"), router);
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        cache.handle(request(ASK, "x-bf-cache-key", "b"), router);
        assertEquals(2, router.calls(), "another cache key never sees the entry");

        cache.handle(request(ASK, "x-bf-cache-key", "c", "x-bf-cache-ttl", "10"), router);
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        context.clock().advance(Duration.ofSeconds(9));
        assertEquals("direct", cache.handle(request(ASK, "x-bf-cache-key", "c"), router).headers()
                .first("x-bf-cache-hit").orElseThrow());
        context.clock().advance(Duration.ofSeconds(2));
        cache.handle(request(ASK, "x-bf-cache-key", "c"), router);
        assertEquals(4, router.calls(), "after x-bf-cache-ttl (10 s) the entry is gone");
        assertEquals("direct", cache.handle(request(ASK, "x-bf-cache-key", "a"), router).headers()
                .first("x-bf-cache-hit").orElseThrow(), "the configured ttl (1m) still holds after 11 s");
        context.clock().advance(Duration.ofSeconds(50));
        cache.handle(request(ASK, "x-bf-cache-key", "a"), router);
        assertEquals(5, router.calls(), "and not after 61 s");
    }

    @Test
    void noStoreReadsButDoesNotWrite() {
        TestContext context = TestContext.create();
        CacheMiddleware cache = cache(context, Map.of());
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);
        cache.handle(request(ASK, "x-bf-cache-key", "k", "x-bf-cache-no-store", "true"), router);
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        assertTrue(context.state().keys().isEmpty());
        cache.handle(request(ASK, "x-bf-cache-key", "k"), router);
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        Response read = cache.handle(request(ASK, "x-bf-cache-key", "k", "x-bf-cache-no-store", "true"), router);
        assertEquals("direct", read.headers().first("x-bf-cache-hit").orElseThrow());
        assertEquals(2, router.calls());
    }

    @Test
    void failuresAndCutStreamsAreNeverStored() {
        TestContext context = TestContext.create();
        CacheMiddleware cache = cache(context, Map.of());
        RouterStandIn failing = RouterStandIn.failing(GatewayException.upstream(500, "server_error", null, "boom",
                null, null));
        assertThrows(GatewayException.class, () -> cache.handle(request(ASK, "x-bf-cache-key", "k"), failing));
        RouterStandIn cut = RouterStandIn.streaming(() -> EventStream.of(List.of(
                new StreamEvent(null, "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Pa\"}}]}"))));
        drain(cache.handle(request(ASK_STREAM, "x-bf-cache-key", "k"), cut));
        RouterStandIn errorFrame = RouterStandIn.streaming(() -> EventStream.of(List.of(
                new StreamEvent(null, "{\"error\":{\"message\":\"overloaded\"}}"), StreamEvent.DONE)));
        drain(cache.handle(request(ASK_STREAM, "x-bf-cache-key", "k"), errorFrame));
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        assertTrue(context.state().keys().isEmpty(), context.state().keys().toString());
        assertEquals(2, context.metrics().total("gateway.cache.dropped", "reason", "incomplete"));
    }

    @Test
    void aStreamIsReplayedAsTheSameEventsAndAsABodyToAPlainRequest() {
        TestContext context = TestContext.create();
        CacheMiddleware cache = cache(context, Map.of());
        RouterStandIn router = RouterStandIn.answering(this::chatStream);
        List<StreamEvent> original = drain(cache.handle(request(ASK_STREAM, "x-bf-cache-key", "k"), router));
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));

        Response replayed = cache.handle(request(ASK_STREAM, "x-bf-cache-key", "k"), router);
        assertEquals("direct", replayed.headers().first("x-bf-cache-hit").orElseThrow());
        assertEquals(original, drain(replayed));

        String body = text(cache.handle(request(ASK, "x-bf-cache-key", "k"), router));
        assertTrue(body.contains("\"content\":\"Paris 1\""), body);
        assertTrue(body.contains("\"object\":\"chat.completion\""), body);
        assertEquals(1, router.calls());
    }

    @Test
    void aBodyIsReplayedAsAStreamToAStreamingRequest() {
        TestContext context = TestContext.create();
        CacheMiddleware cache = cache(context, Map.of());
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);
        cache.handle(request(ASK, "x-bf-cache-key", "k"), router);
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        List<StreamEvent> events = drain(cache.handle(request(ASK_STREAM, "x-bf-cache-key", "k"), router));
        assertEquals(3, events.size(), "content, finish, [DONE]; no usage chunk, as none was asked: " + events);
        assertEquals("Paris (answer 1)", events.get(0).json().getJsonArray("choices").getJsonObject(0)
                .getJsonObject("delta").getString("content"));
        assertTrue(events.get(2).isDone());
        List<StreamEvent> withUsage = drain(cache.handle(request(ASK_STREAM.replace("\"stream\":true",
                "\"stream\":true,\"stream_options\":{\"include_usage\":true}"), "x-bf-cache-key", "k"), router));
        assertEquals(10, withUsage.get(2).json().getJsonObject("usage").getInt("total_tokens"));
        assertEquals(1, router.calls());
    }

    @Test
    void entriesAboveTheSizeLimitAreNotStored() {
        TestContext context = TestContext.create();
        CacheMiddleware cache = cache(context, Map.of("max-entry-size", "100B"));
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);
        cache.handle(request(ASK, "x-bf-cache-key", "k"), router);
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        assertTrue(context.state().keys().isEmpty());
        assertEquals(1, context.metrics().total("gateway.cache.dropped", "reason", "too_large"));
    }

    @Test
    void badHeadersAreRefusedNamingTheHeader() {
        CacheMiddleware cache = cache(TestContext.create(), Map.of());
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);
        GatewayException ttl = assertThrows(GatewayException.class, () -> cache.handle(request(ASK,
                "x-bf-cache-key", "k", "x-bf-cache-ttl", "soon"), router));
        assertEquals(400, ttl.status());
        assertEquals("x-bf-cache-ttl", ttl.param());
        GatewayException type = assertThrows(GatewayException.class, () -> cache.handle(request(ASK,
                "x-bf-cache-key", "k", "x-bf-cache-type", "fuzzy"), router));
        assertEquals("x-bf-cache-type", type.param());
        GatewayException threshold = assertThrows(GatewayException.class, () -> cache.handle(request(ASK,
                "x-bf-cache-key", "k", "x-bf-cache-threshold", "1.5"), router));
        assertEquals("x-bf-cache-threshold", threshold.param());
        assertEquals(0, router.calls());
    }

    @Test
    void aStoreOutageCostsTheCacheNotTheRequest() {
        TestContext context = TestContext.create();
        CacheMiddleware cache = cache(context, Map.of());
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);
        context.state().failing(true);
        Response answer = cache.handle(request(ASK, "x-bf-cache-key", "k"), router);
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        assertTrue(text(answer).contains("Paris"));
        assertEquals(1, context.metrics().total("gateway.cache.errors", "stage", "read"));
        assertEquals(1, context.metrics().total("gateway.cache.errors", "stage", "write"));
        assertEquals(1, context.logger().warnings().size(), context.logger().toString());
    }

    // ---------------------------------------------------------------- semantic

    private TestContext semanticContext(RouterStandIn embeddings) {
        return TestContext.builder().router(embeddings).build();
    }

    private static Map<String, Object> semantic(double threshold) {
        return Map.of("semantic", Map.of("embedding-model", "openai/text-embedding-3-small", "threshold", threshold));
    }

    private static String chat(String question) {
        return ASK.replace("What is the capital of France?", question);
    }

    @Test
    void aSimilarQuestionIsASemanticHitAndAnUnrelatedOneIsNot() {
        RouterStandIn embeddings = RouterStandIn.answering(WordVectors::answer);
        TestContext context = semanticContext(embeddings);
        CacheMiddleware cache = cache(context, semantic(0.8));
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);

        String stored = text(cache.handle(request(chat("what is the capital city of France"), "x-bf-cache-key", "k"),
                router));
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        Response similar = cache.handle(request(chat("What is the capital city of France?"), "x-bf-cache-key", "k"),
                router);
        // punctuation and case differ, so the direct path misses; the words are the same
        assertEquals("semantic", similar.headers().first("x-bf-cache-hit").orElseThrow());
        double similarity = Double.parseDouble(similar.headers().first("x-bf-cache-similarity").orElseThrow());
        assertTrue(similarity >= 0.8 && similarity <= 1.0001, "similarity " + similarity);
        assertEquals(stored, text(similar));

        Response unrelated = cache.handle(request(chat("how do penguins sleep"), "x-bf-cache-key", "k"), router);
        assertTrue(unrelated.headers().first("x-bf-cache-hit").isEmpty());
        Response otherKey = cache.handle(request(chat("What is the capital city of France?"), "x-bf-cache-key",
                "other"), router);
        assertTrue(otherKey.headers().first("x-bf-cache-hit").isEmpty(), "semantic entries are per cache key too");
        assertEquals(3, router.calls());
        assertEquals(1, context.metrics().total("gateway.cache.hits", "type", "semantic"));
        assertTrue(embeddings.received().stream().allMatch(e -> e.operation() == Operation.EMBEDDING
                && e.model().toString().equals("openai/text-embedding-3-small")));
    }

    @Test
    void theThresholdHeaderAndTheTypeHeaderChooseThePath() {
        RouterStandIn embeddings = RouterStandIn.answering(WordVectors::answer);
        TestContext context = semanticContext(embeddings);
        CacheMiddleware cache = cache(context, semantic(0.99));
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);
        cache.handle(request(chat("what is the capital of France"), "x-bf-cache-key", "k"), router);
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        String near = chat("what is the capital of France please");
        assertTrue(cache.handle(request(near, "x-bf-cache-key", "k", "x-bf-cache-no-store", "true"), router).headers()
                .first("x-bf-cache-hit").isEmpty(), "below 0.99");
        assertEquals("semantic", cache.handle(request(near, "x-bf-cache-key", "k", "x-bf-cache-threshold", "0.8"),
                router).headers().first("x-bf-cache-hit").orElseThrow());
        int embedded = embeddings.calls();
        cache.handle(request(chat("what is the capital of Spain"), "x-bf-cache-key", "k", "x-bf-cache-type", "direct"),
                router);
        assertEquals(embedded, embeddings.calls(), "direct only: no embedding");
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        Response semanticOnly = cache.handle(request(chat("what is the capital of France"), "x-bf-cache-key", "k",
                "x-bf-cache-type", "semantic"), router);
        assertEquals("semantic", semanticOnly.headers().first("x-bf-cache-hit").orElseThrow(),
                "the exact entry exists, but only the semantic path ran");
    }

    @Test
    void aFailingEmbeddingModelLeavesTheExactPath() {
        RouterStandIn embeddings = RouterStandIn.failing(GatewayException.upstream(503, "server_error", null,
                "down", null, null));
        TestContext context = semanticContext(embeddings);
        CacheMiddleware cache = cache(context, semantic(0.8));
        RouterStandIn router = RouterStandIn.answering(this::chatAnswer);
        cache.handle(request(ASK, "x-bf-cache-key", "k"), router);
        assertTrue(cache.awaitWrites(Duration.ofSeconds(5)));
        assertEquals("direct", cache.handle(request(ASK, "x-bf-cache-key", "k"), router).headers()
                .first("x-bf-cache-hit").orElseThrow());
        assertEquals(1, context.metrics().total("gateway.cache.errors", "stage", "embedding"));
        assertEquals(1, context.logger().warnings().size());
        assertFalse(context.state().keys().stream().anyMatch(key -> key.startsWith("cache:s:")),
                "no vector, no semantic entry");
    }
}
