package io.gateway.plugins.cache;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.PluginContext;
import io.gateway.spi.PluginMetrics;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.StreamOutcome;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.state.StateStore;
import io.gateway.toolkit.openai.OpenAiRequests;
import jakarta.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The response cache. A request that names a cache key ({@code x-bf-cache-key}, or the configured
 * {@code default-cache-key}) is looked up before it goes on: first exactly ({@link RequestKeys#direct},
 * one store read), then, when a semantic path is configured and the operation is chat, a text completion
 * or Responses, by the cosine similarity of its text's embedding ({@link Embedder}, {@link SemanticIndex}).
 * A hit answers at once with the stored answer in the form the request asks for (the body, or the
 * stream's events as they were sent) and {@code x-bf-cache-hit}; nothing goes upstream. A miss goes on,
 * and a successful, whole answer is handed to a bounded writer that stores it off the request's path.
 *
 * <p>A request without a cache key costs one header lookup. A store or embedding failure never fails a
 * request: the lookup counts as a miss (logged once until the store answers again).
 *
 * <p>Place it after {@code governance} in {@code gateway.middleware}: a hit then has passed
 * authentication and model access, counts as a request in the key's rate limit, and costs nothing
 * against budgets and token limits (the request's outcome shows no upstream attempt, no usage and no
 * cost, so governance settles its holds at zero). Thread-safe; one instance serves all requests.
 */
final class CacheMiddleware implements Middleware {

    /** The operations whose answers are cached. */
    static final Set<Operation> CACHED = EnumSet.of(Operation.CHAT_COMPLETION, Operation.TEXT_COMPLETION,
            Operation.RESPONSES, Operation.EMBEDDING, Operation.IMAGE_GENERATION);
    /** The operations the semantic path serves (it compares conversations' text). */
    static final Set<Operation> SEMANTIC = EnumSet.of(Operation.CHAT_COMPLETION, Operation.TEXT_COMPLETION,
            Operation.RESPONSES);

    private static final Headers DIRECT_HIT = Headers.of(RequestOptions.HIT, "direct");

    private final CacheSettings settings;
    private final StateStore store;
    private final PluginMetrics metrics;
    private final System.Logger logger;
    private final Clock clock;
    private final PluginContext context;
    private final SemanticIndex index;
    private final ThreadPoolExecutor writer;
    private final AtomicBoolean storeFails = new AtomicBoolean();
    private final AtomicBoolean embeddingFails = new AtomicBoolean();
    /** Writes handed to the writer and not yet finished. */
    private final java.util.concurrent.atomic.AtomicInteger writing = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Embedder embedder;

    CacheMiddleware(CacheSettings settings, PluginContext context) {
        this.settings = settings;
        this.context = context;
        this.store = context.state();
        this.metrics = context.metrics();
        this.logger = context.logger();
        this.clock = context.clock();
        CacheSettings.Semantic semantic = settings.semantic();
        this.index = semantic == null ? null : new SemanticIndex(store, clock, semantic.maxEntriesPerKey(),
                semantic.indexMaxEntries(), metrics);
        ClassLoader loader = CacheMiddleware.class.getClassLoader();
        this.writer = new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.writeQueue()), runnable -> {
                    Thread thread = new Thread(runnable, "cache-writer");
                    thread.setDaemon(true);
                    thread.setContextClassLoader(loader);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        writer.allowCoreThreadTimeOut(true);
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        Operation operation = exchange.operation();
        if (!CACHED.contains(operation)) {
            return chain.proceed(exchange);
        }
        Headers headers = exchange.headers();
        String cacheKey = headers.first(RequestOptions.KEY).orElse(settings.defaultCacheKey());
        if (cacheKey == null || cacheKey.isEmpty() || exchange.model() == null
                || headers.contains("x-bf-async") || headers.contains("x-bf-async-id")) {
            // not opted in; async jobs and polls answer with jobs, not with answers
            return chain.proceed(exchange);
        }
        CacheSettings.Semantic semantic = settings.semantic();
        RequestOptions options = RequestOptions.read(headers, settings.ttl(),
                semantic == null ? 1 : semantic.threshold());
        boolean stream = exchange.stream();
        JsonObject body = exchange.body();
        String directKey = RequestKeys.direct(cacheKey, operation, body);

        if (options.direct()) {
            Response hit = replay(lookup(directKey), exchange, stream, DIRECT_HIT);
            if (hit != null) {
                metrics.count("gateway.cache.hits", 1, "type", "direct");
                return hit;
            }
        }
        String scope = null;
        float[] vector = null;
        if (semantic != null && options.semantic() && SEMANTIC.contains(operation)) {
            String text = RequestKeys.text(operation, body, semantic.conversation(), semantic.systemPrompt());
            if (text != null) {
                scope = RequestKeys.scope(cacheKey, operation, body);
                vector = embed(exchange.requestId(), text);
                if (vector != null) {
                    Response hit = semanticHit(scope, vector, options.threshold(), exchange, stream);
                    if (hit != null) {
                        metrics.count("gateway.cache.hits", 1, "type", "semantic");
                        return hit;
                    }
                }
            }
        }
        metrics.count("gateway.cache.misses", 1);
        Response response = chain.proceed(exchange);
        if (options.noStore()) {
            return response;
        }
        Pending pending = new Pending(operation, directKey, scope, vector, options.ttl());
        return switch (response) {
            case Response.Complete complete -> {
                if (complete.status() >= 200 && complete.status() < 300) {
                    byte[] bytes = complete.bytes();
                    if (bytes.length > settings.maxEntrySize()) {
                        metrics.count("gateway.cache.dropped", 1, "reason", "too_large");
                    } else {
                        submit(() -> storeComplete(pending, bytes));
                    }
                }
                yield complete;
            }
            case Response.Streaming streaming -> {
                if (streaming.status() < 200 || streaming.status() >= 300) {
                    yield streaming;
                }
                Capture capture = new Capture(pending, settings.maxEntrySize());
                yield streaming.withEvents(streaming.events().peek(capture::add).onComplete(capture::ended));
            }
            default -> response;
        };
    }

    // ---------------------------------------------------------------- lookups

    private CachedAnswer lookup(String key) {
        Optional<byte[]> stored;
        try {
            stored = store.get(key);
        } catch (RuntimeException e) {
            storeFailed("read", e);
            return null;
        }
        storeWorks();
        return stored.map(CachedAnswer::decode).orElse(null);
    }

    /** The hit in the form the request asks for, or {@code null} when the entry lacks that form. */
    private static Response replay(CachedAnswer answer, Exchange exchange, boolean stream, Headers hit) {
        if (answer == null) {
            return null;
        }
        if (!stream) {
            return answer.json() == null ? null : Response.Complete.ofBytes(200, hit, answer.json());
        }
        if (answer.events() == null) {
            return null;
        }
        boolean includeUsage = OpenAiRequests.includeUsage(exchange.body());
        return new Response.Streaming(200, hit,
                EventStream.of(AnswerForms.forRequest(exchange.operation(), answer.events(), includeUsage)));
    }

    private Response semanticHit(String scope, float[] vector, double threshold, Exchange exchange, boolean stream) {
        SemanticIndex.Match match;
        try {
            match = index.nearest(scope, vector, threshold);
        } catch (RuntimeException e) {
            storeFailed("read", e);
            return null;
        }
        if (match == null) {
            return null;
        }
        CachedAnswer answer = lookup(match.directKey());
        if (answer == null) {
            metrics.count("gateway.cache.evicted", 1, "reason", "stale");
            return null;
        }
        Headers hit = Headers.of(RequestOptions.HIT, "semantic", RequestOptions.SIMILARITY,
                String.format(Locale.ROOT, "%.4f", match.similarity()));
        return replay(answer, exchange, stream, hit);
    }

    private float[] embed(String requestId, String text) {
        long started = System.nanoTime();
        try {
            Embedder current = embedder;
            if (current == null) {
                current = new Embedder(context.router(), settings.semantic().embeddingModel(), clock);
                embedder = current;
            }
            float[] vector = current.embed(requestId, text);
            if (embeddingFails.compareAndSet(true, false)) {
                logger.log(System.Logger.Level.INFO, "cache: the embedding model answers again; the semantic path "
                        + "is back");
            }
            return vector;
        } catch (RuntimeException e) {
            metrics.count("gateway.cache.errors", 1, "stage", "embedding");
            if (embeddingFails.compareAndSet(false, true)) {
                logger.log(System.Logger.Level.WARNING, "cache: the embedding model "
                        + settings.semantic().embeddingModel() + " failed (" + reason(e) + "); requests skip the "
                        + "semantic path until it answers again");
            }
            return null;
        } finally {
            metrics.time("gateway.cache.embedding", Duration.ofNanos(System.nanoTime() - started));
        }
    }

    // ---------------------------------------------------------------- writes, off the request's path

    /**
     * What a miss will store once its answer is whole.
     *
     * @param operation the operation
     * @param directKey the exact entry's key
     * @param scope     the semantic scope, or {@code null}
     * @param vector    the request's vector, or {@code null}
     * @param ttl       how long the answer lives
     */
    private record Pending(Operation operation, String directKey, String scope, float[] vector, Duration ttl) {
    }

    /**
     * A stream's events as they pass, by reference, until their data passes {@code max-entry-size}.
     * {@link #add} runs on the consumer's thread, {@link #ended} once, maybe on another.
     */
    private final class Capture {
        private final Pending pending;
        private final long limit;
        private List<StreamEvent> events = new ArrayList<>();
        private long size;

        Capture(Pending pending, long limit) {
            this.pending = pending;
            this.limit = limit;
        }

        synchronized void add(StreamEvent event) {
            if (events == null) {
                return;
            }
            size += event.data().length() + 16;
            if (size > limit) {
                events = null;
                return;
            }
            events.add(event);
        }

        void ended(StreamOutcome outcome) {
            List<StreamEvent> captured;
            synchronized (this) {
                captured = events;
                events = null;
            }
            if (outcome.status() != StreamOutcome.Status.COMPLETED) {
                return;
            }
            if (captured == null) {
                metrics.count("gateway.cache.dropped", 1, "reason", "too_large");
                return;
            }
            submit(() -> storeStream(pending, captured));
        }
    }

    private void submit(Runnable write) {
        writing.incrementAndGet();
        try {
            writer.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    metrics.count("gateway.cache.errors", 1, "stage", "write");
                    logger.log(System.Logger.Level.WARNING, "cache: an answer could not be stored ("
                            + reason(e) + ")");
                } finally {
                    writing.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            writing.decrementAndGet();
            metrics.count("gateway.cache.dropped", 1, "reason", "queue_full");
        }
    }

    private void storeComplete(Pending pending, byte[] json) {
        JsonObject body;
        try {
            body = JsonBodies.parse(json);
        } catch (GatewayException notJson) {
            metrics.count("gateway.cache.dropped", 1, "reason", "incomplete");
            return;
        }
        if (!AnswerForms.wholeAnswer(pending.operation(), body)) {
            metrics.count("gateway.cache.dropped", 1, "reason", "incomplete");
            return;
        }
        write(pending, new CachedAnswer(json, AnswerForms.eventsFromJson(pending.operation(), body)));
    }

    private void storeStream(Pending pending, List<StreamEvent> events) {
        if (!AnswerForms.wholeStream(pending.operation(), events)) {
            metrics.count("gateway.cache.dropped", 1, "reason", "incomplete");
            return;
        }
        write(pending, new CachedAnswer(AnswerForms.jsonFromEvents(pending.operation(), events), List.copyOf(events)));
    }

    private void write(Pending pending, CachedAnswer answer) {
        byte[] bytes = answer.encode();
        if (bytes.length > settings.maxEntrySize()) {
            metrics.count("gateway.cache.dropped", 1, "reason", "too_large");
            return;
        }
        try {
            store.put(pending.directKey(), bytes, pending.ttl());
            metrics.count("gateway.cache.stored", 1, "type", "direct");
            if (pending.vector() != null && index.add(pending.scope(), pending.directKey(), pending.vector(),
                    pending.ttl())) {
                metrics.count("gateway.cache.stored", 1, "type", "semantic");
            }
            storeWorks();
        } catch (RuntimeException e) {
            storeFailed("write", e);
        }
    }

    // ---------------------------------------------------------------- failures

    private void storeFailed(String stage, RuntimeException e) {
        metrics.count("gateway.cache.errors", 1, "stage", stage);
        if (storeFails.compareAndSet(false, true)) {
            logger.log(System.Logger.Level.WARNING, "cache: the state store failed (" + reason(e) + "); requests "
                    + "go upstream uncached until it answers again");
        }
    }

    private void storeWorks() {
        if (storeFails.get() && storeFails.compareAndSet(true, false)) {
            logger.log(System.Logger.Level.INFO, "cache: the state store answers again");
        }
    }

    private static String reason(RuntimeException e) {
        return e instanceof GatewayException gateway
                ? gateway.status() + " " + gateway.errorCode().type() : e.getClass().getSimpleName();
    }

    /**
     * Waits until every answer handed to the writer is stored (for tests and an orderly shutdown).
     *
     * @param timeout how long to wait at most
     * @return {@code true} when the writer is idle
     */
    boolean awaitWrites(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (writing.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Stops the writer after what it holds (at most 5 s). */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
