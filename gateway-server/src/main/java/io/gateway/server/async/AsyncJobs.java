package io.gateway.server.async;

import io.gateway.server.core.ErrorEnvelope;
import io.gateway.server.core.Pricing;
import io.gateway.server.core.ServerOutcome;
import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.RequestOutcome.AsyncDelivery;
import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.state.StateStore;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Async inference ({@code x-bf-async}): the innermost link of the chain hands an async request to a
 * background worker and answers at once with a job id; polls ({@code x-bf-async-id}) read the job.
 *
 * <p>Jobs live in the {@link StateStore}, so any replica can answer a poll. A worker holds a lease on
 * its job and renews it while it runs; a job whose lease ran out (its replica died) is reported as
 * failed by whichever replica polls it next. Finished jobs expire after their result TTL. The
 * middleware chain runs for the submission and for every poll (authentication, model access and
 * limits apply to both); the background work is the router's: keys, retries and fallbacks. When a
 * job's work ends, the actions middleware registered on the submission's outcome run on the worker
 * ({@link io.gateway.spi.middleware.RequestOutcome#onAsyncJobFinished}), so usage is charged when a
 * job completes, whoever polls it and whether or not anyone does.
 */
public final class AsyncJobs implements AutoCloseable {

    /** Header that asks for async handling. */
    public static final String ASYNC = "x-bf-async";
    /** Header that polls a job. */
    public static final String ASYNC_ID = "x-bf-async-id";
    /** Header that sets a job's result TTL in seconds. */
    public static final String RESULT_TTL = "x-bf-async-job-result-ttl";

    private static final System.Logger LOG = System.getLogger("gateway.async");
    private static final String PREFIX = "async:job:";

    private final StateStore store;
    private final Clock clock;
    private final Duration defaultTtl;
    private final Duration lease;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService renewals;
    private final java.util.function.UnaryOperator<Runnable> context;
    private final java.util.function.Supplier<Pricing> pricing;

    /**
     * The async job service.
     *
     * @param store      where jobs live
     * @param clock      the clock
     * @param defaultTtl how long a finished result is kept unless the request says otherwise
     * @param lease      how long a job may go without its worker renewing it before it counts as lost
     * @param maxPending jobs this node accepts before answering 429
     * @param renewals   the scheduler renewing leases
     * @param context    binds a job's work to the submitting request's trace context
     * @param pricing    prices a delivered result for the request's outcome (budgets, the request log)
     */
    public AsyncJobs(StateStore store, Clock clock, Duration defaultTtl, Duration lease, int maxPending,
                     ScheduledExecutorService renewals, java.util.function.UnaryOperator<Runnable> context,
                     Pricing pricing) {
        this(store, clock, defaultTtl, lease, maxPending, renewals, context, () -> pricing);
    }

    /**
     * The async job service, pricing with the price list in use when a result is delivered (a reload
     * may replace it).
     *
     * @param store      where jobs live
     * @param clock      the clock
     * @param defaultTtl how long a finished result is kept unless the request says otherwise
     * @param lease      how long a job may go without its worker renewing it before it counts as lost
     * @param maxPending jobs this node accepts before answering 429
     * @param renewals   the scheduler renewing leases
     * @param context    binds a job's work to the submitting request's trace context
     * @param pricing    the price list in use
     */
    public AsyncJobs(StateStore store, Clock clock, Duration defaultTtl, Duration lease, int maxPending,
                     ScheduledExecutorService renewals, java.util.function.UnaryOperator<Runnable> context,
                     java.util.function.Supplier<Pricing> pricing) {
        this.context = context;
        this.pricing = pricing;
        this.store = store;
        this.clock = clock;
        this.defaultTtl = defaultTtl;
        this.lease = lease;
        this.maxPending = maxPending;
        this.renewals = renewals;
    }

    /**
     * The chain's terminal: async submissions and polls are handled here, everything else goes to
     * {@code router}.
     *
     * @param exchange the request after all middleware
     * @param router   the router
     * @return the response
     */
    public Response handle(Exchange exchange, Chain router) {
        // the end of the chain: what authentication established, for the request log
        ServerOutcome.of(exchange).clientIdentity(owner(exchange));
        Optional<String> pollId = exchange.headers().first(ASYNC_ID);
        if (pollId.isPresent()) {
            return poll(exchange, pollId.get().trim());
        }
        if (isAsync(exchange.headers())) {
            return submit(exchange, router);
        }
        return router.proceed(exchange);
    }

    /**
     * Whether the headers ask for async handling.
     *
     * @param headers request headers
     * @return {@code true} for {@code x-bf-async: true}
     */
    public static boolean isAsync(Headers headers) {
        return headers.first(ASYNC).map(v -> v.trim().equalsIgnoreCase("true") || v.trim().equals("1"))
                .orElse(false);
    }

    private Duration resultTtl(Headers headers) {
        Optional<String> value = headers.first(RESULT_TTL);
        if (value.isEmpty()) {
            return defaultTtl;
        }
        try {
            long seconds = Long.parseLong(value.get().trim());
            if (seconds <= 0) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw GatewayException.invalidRequest(RESULT_TTL + " must be a positive number of seconds", RESULT_TTL);
        }
    }

    private Response submit(Exchange exchange, Chain router) {
        Operation operation = exchange.operation();
        if (io.gateway.server.core.OperationKinds.takesForm(operation)
                || io.gateway.server.core.OperationKinds.answersBytes(operation)) {
            throw GatewayException.invalidRequest("x-bf-async is not available for " + operation.wireName()
                    + ": an async job keeps a JSON answer, and this request's upload or answer is not JSON; "
                    + "drop x-bf-async", ASYNC);
        }
        if (exchange.stream()) {
            throw GatewayException.invalidRequest("x-bf-async cannot be combined with \"stream\": true; poll the job "
                    + "instead, or drop x-bf-async to stream", "stream");
        }
        Duration ttl = resultTtl(exchange.headers());
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            throw GatewayException.of(ErrorCode.RATE_LIMITED, "this gateway already holds " + maxPending
                    + " pending async jobs (gateway.async.max-pending); retry later");
        }
        boolean started = false;
        try {
            String id = newId(exchange.operation());
            long now = clock.millis();
            Job job = Job.queued(id, exchange.operation(), now, owner(exchange), ttl.toSeconds());
            store.put(PREFIX + id, job.toBytes(), ttl.plus(lease));
            ServerOutcome outcome = ServerOutcome.of(exchange);
            // before the worker can finish, so that middleware registering later learns of the end either way
            outcome.jobStarted();
            workers.execute(context.apply(() -> run(job, exchange, router)));
            started = true;
            outcome.asyncDelivery(AsyncDelivery.SUBMITTED);
            return Response.Complete.ok(job.pendingBody());
        } finally {
            if (!started) {
                pending.decrementAndGet();
            }
        }
    }

    private static String owner(Exchange exchange) {
        return exchange.attribute(AttributeKey.CLIENT_IDENTITY).orElse(null);
    }

    private static String newId(Operation operation) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String hex = new UUID(random.nextLong(), random.nextLong()).toString().replace("-", "");
        return (operation == Operation.RESPONSES ? "resp_" : "job_") + hex;
    }

    private void run(Job queued, Exchange exchange, Chain router) {
        String key = PREFIX + queued.id();
        Duration ttl = Duration.ofSeconds(queued.ttlSeconds());
        // the submission's outcome: its answer (the pending job) was written already
        ServerOutcome outcome = ServerOutcome.of(exchange);
        ScheduledFuture<?> renewal = null;
        try {
            Job running = queued.running(clock.millis() + lease.toMillis());
            store.put(key, running.toBytes(), ttl.plus(lease));
            Job[] current = {running};
            long every = Math.max(100, lease.toMillis() / 3);
            renewal = renewals.scheduleWithFixedDelay(() -> {
                try {
                    Job renewed = current[0].running(clock.millis() + lease.toMillis());
                    if (store.compareAndSet(key, current[0].toBytes(), renewed.toBytes(), ttl.plus(lease))) {
                        current[0] = renewed;
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot renew the lease of async job " + queued.id()
                            + ": " + e.getMessage());
                }
            }, every, every, TimeUnit.MILLISECONDS);
            Job finished;
            try {
                Response response = router.proceed(exchange);
                if (!(response instanceof Response.Complete complete)) {
                    closeStream(response);
                    throw GatewayException.of(ErrorCode.INTERNAL, "the provider answered an async job with a stream");
                }
                finished = queued.completed(complete.status(), complete.body(), outcome.provider().orElse(null),
                        outcome.model().orElse(null));
            } catch (GatewayException e) {
                String provider = exchange.model() == null ? null : exchange.model().provider();
                String model = exchange.model() == null ? null : exchange.model().model();
                JsonObject envelope = JsonBodies.parse(ErrorEnvelope.of(e, exchange.requestId(), provider, model,
                        exchange.operation().wireName()).toBytes());
                finished = queued.failed(e.status(), envelope);
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "async job " + queued.id() + " failed unexpectedly", e);
                GatewayException internal = GatewayException.of(ErrorCode.INTERNAL, "the async job failed "
                        + "unexpectedly; the gateway log has details under request id " + exchange.requestId());
                finished = queued.failed(500, JsonBodies.parse(ErrorEnvelope.of(internal, exchange.requestId(),
                        null, null, exchange.operation().wireName()).toBytes()));
            }
            renewal.cancel(false);
            // charged before the result can be polled, so a client that has the result sees it charged
            outcome.jobFinished();
            store.put(key, finished.toBytes(), ttl);
        } catch (RuntimeException e) {
            // The store failed; the lease runs out and polls will report the job failed.
            LOG.log(System.Logger.Level.WARNING, "async job " + queued.id() + " could not be recorded: " + e.getMessage());
        } finally {
            if (renewal != null) {
                renewal.cancel(false);
            }
            pending.decrementAndGet();
            // when the store failed before: middleware waiting for the job's end learns of it all the same
            outcome.jobFinished();
        }
    }

    private static void closeStream(Response response) {
        if (response instanceof Response.Streaming streaming) {
            streaming.events().close();
        } else if (response instanceof Response.Binary binary) {
            binary.body().close();
        }
    }

    private Response poll(Exchange exchange, String id) {
        String key = PREFIX + id;
        Optional<byte[]> stored = id.isEmpty() ? Optional.empty() : store.get(key);
        if (stored.isEmpty()) {
            throw notFound(id);
        }
        Job job = Job.parse(stored.get());
        String owner = owner(exchange);
        if (job.owner() != null && !job.owner().equals(owner)) {
            throw notFound(id);
        }
        boolean leaseExpired = job.status().equals(Job.RUNNING) && job.leaseUntil() < clock.millis()
                || job.status().equals(Job.QUEUED) && job.createdAt() + lease.toMillis() < clock.millis();
        if (leaseExpired) {
            GatewayException lost = GatewayException.of(ErrorCode.INTERNAL, "the gateway replica running async job "
                    + id + " stopped before it finished; submit the request again");
            Job failed = job.failed(500, JsonBodies.parse(ErrorEnvelope.of(lost, exchange.requestId(), null, null,
                    job.operation().wireName()).toBytes()));
            if (store.compareAndSet(key, stored.get(), failed.toBytes(), Duration.ofSeconds(job.ttlSeconds()))) {
                job = failed;
            } else {
                job = Job.parse(store.get(key).orElseThrow(() -> notFound(id)));
            }
        }
        if (job.status().equals(Job.COMPLETED)) {
            // The first delivery is marked so middleware that accounts usage charges a job exactly once.
            boolean first = !job.delivered() && store.compareAndSet(key, stored.get(), job.markDelivered().toBytes(),
                    Duration.ofSeconds(job.ttlSeconds()));
            ServerOutcome outcome = ServerOutcome.of(exchange);
            outcome.asyncDelivery(first ? AsyncDelivery.FIRST : AsyncDelivery.REPEAT);
            if (job.provider() != null && job.model() != null) {
                outcome.target(job.provider(), job.model(), 0);
            }
            if (job.result().get("usage") instanceof JsonObject usage) {
                TokenUsage tokens = TokenUsage.parse(usage);
                outcome.usage(tokens);
                if (job.provider() != null && job.model() != null) {
                    outcome.cost(pricing.get().cost(job.provider(), job.model(), tokens));
                }
            }
            return Response.Complete.of(job.httpStatus(), Headers.of("x-bf-async-id", id),
                    withOutputText(job.operation(), job.result()));
        }
        ServerOutcome.of(exchange).asyncDelivery(AsyncDelivery.REPEAT);
        return switch (job.status()) {
            // the envelope the synchronous call would have answered, with its status
            case Job.FAILED -> Response.Complete.of(job.httpStatus(), Headers.of("x-bf-async-id", id), job.result());
            default -> Response.Complete.of(200, Headers.of("x-bf-async-id", id), job.pendingBody());
        };
    }

    private static GatewayException notFound(String id) {
        return GatewayException.of(ErrorCode.NOT_FOUND, "no async job '" + id + "': it never existed, belongs to "
                + "another client, or its result expired (x-bf-async-job-result-ttl)");
    }

    /**
     * A Responses result with {@code output_text}: the concatenated text of its output messages, as the
     * OpenAI SDKs compute it.
     *
     * @param operation the operation
     * @param body      the result
     * @return the body to answer with
     */
    static JsonObject withOutputText(Operation operation, JsonObject body) {
        if (operation != Operation.RESPONSES || body.containsKey("output_text")) {
            return body;
        }
        StringBuilder text = new StringBuilder();
        JsonValue output = body.get("output");
        if (output instanceof JsonArray items) {
            for (JsonValue item : items) {
                if (!(item instanceof JsonObject message) || !"message".equals(JsonBodies.string(message, "type"))) {
                    continue;
                }
                JsonValue content = message.get("content");
                if (!(content instanceof JsonArray parts)) {
                    continue;
                }
                for (JsonValue part : parts) {
                    if (part instanceof JsonObject object && "output_text".equals(JsonBodies.string(object, "type"))
                            && object.get("text") instanceof JsonString string) {
                        text.append(string.getString());
                    }
                }
            }
        }
        JsonObjectBuilder builder = JsonBodies.provider().createObjectBuilder(body);
        builder.add("output_text", text.toString());
        return builder.build();
    }

    /**
     * Jobs running or queued on this node.
     *
     * @return the count
     */
    public int pending() {
        return pending.get();
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
