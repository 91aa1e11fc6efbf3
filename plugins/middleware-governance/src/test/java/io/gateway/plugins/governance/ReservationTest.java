package io.gateway.plugins.governance;

import static io.gateway.plugins.governance.Harness.PRICES;
import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.exchange;
import static io.gateway.plugins.governance.Harness.key;
import static io.gateway.testkit.TestConfig.mapOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.RequestOutcome;
import io.gateway.spi.middleware.RoutingAttempt;
import io.gateway.testkit.EventStreams;
import io.gateway.testkit.RouterStandIn;
import io.gateway.testkit.ScriptedEvents;
import io.gateway.testkit.TestOutcome;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Reserve, then settle: what a request holds before its call, what replaces the hold after it (its
 * actual usage: up or down), when the hold goes without a charge (failures, streams without usage),
 * renewal while a request runs, expiry when its replica is gone, and async jobs charged when they end.
 */
class ReservationTest {

    private static final String NOW = "2026-11-24T10:00:10Z";
    private static final long HOUR = java.time.Instant.parse(NOW).toEpochMilli() / 3_600_000;
    private static final String TOKENS = "gov:tok:team-a:" + HOUR;
    private static final String SPEND = "gov:usd:team-a:2026-11-24";
    private static final Estimator ESTIMATOR = new Estimator(1, 2_500, 4_096);

    /** A chat request for test/model ($10 in, $20 out per 1M) that states its output cap. */
    private static Exchange capped(int maxTokens) {
        return exchange(Operation.CHAT_COMPLETION, cappedBody(maxTokens), "x-bf-vk", TEAM_A_SECRET);
    }

    private static String cappedBody(int maxTokens) {
        return "{\"model\":\"test/model\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    }

    /** The worst case the middleware reserves for {@link #capped}. */
    private static Estimator.Estimate worstCase(int maxTokens) {
        JsonObject body = JsonBodies.parse(cappedBody(maxTokens));
        return ESTIMATOR.estimate(Operation.CHAT_COMPLETION, body, ModelRef.parse("test/model"), PRICES);
    }

    private static Map<String, Object> tokenLimit(long tokens) {
        return mapOf("type", "governance", "virtual-keys", List.of(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("tokens", Long.toString(tokens), "tokens-per", "1h"))));
    }

    private static Map<String, Object> budget(String usd) {
        return mapOf("type", "governance", "virtual-keys", List.of(key("team-a", TEAM_A_SECRET,
                "budget", mapOf("usd", usd, "per", "1d"))));
    }

    // ---------------------------------------------------------------- admission

    @Test
    void twentyConcurrentRequestsAgainstRoomForFiveAdmitFiveAndStayWithinTheLimit() throws Exception {
        long worst = worstCase(100).tokens();
        long limit = 6 * worst - 1; // room for five worst cases, not six
        Harness harness = Harness.of(tokenLimit(limit), NOW);
        List<Long> used = admitConcurrently(harness, 20, 5, exchange -> new long[] {40, 100});

        long settled = harness.store.counter(TOKENS);
        assertEquals(used.stream().mapToLong(Long::longValue).sum(), settled, "exactly the admitted requests' usage");
        assertTrue(settled <= limit, settled + " > " + limit);
        assertEquals(0, harness.store.reserved(TOKENS));
        assertEquals(0, harness.governance.inFlight());
    }

    @Test
    void theSameForABudgetInDollars() throws Exception {
        long worst = worstCase(100).microUsd();
        long budgetMicros = 6 * worst - 1;
        Harness harness = Harness.of(budget(java.math.BigDecimal.valueOf(budgetMicros, 6).toPlainString()), NOW);
        admitConcurrently(harness, 20, 5, exchange -> new long[] {40, 100});

        // 40 in at $10 + 100 out at $20 per 1M: 2,400 micro-dollars each
        assertEquals(5 * 2_400, harness.store.counter(SPEND));
        assertTrue(harness.store.counter(SPEND) <= budgetMicros);
        assertEquals(0, harness.store.reserved(SPEND));
    }

    /**
     * Sends {@code total} capped requests at once; the admitted ones wait inside the chain until every
     * other was refused, so all of them are in flight together.
     */
    private static List<Long> admitConcurrently(Harness harness, int total, int expected,
                                                java.util.function.Function<Exchange, long[]> usage) throws Exception {
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        List<Long> used = java.util.Collections.synchronizedList(new ArrayList<>());
        RouterStandIn chain = RouterStandIn.answering(exchange -> {
            admitted.incrementAndGet();
            try {
                assertTrue(release.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            long[] tokens = usage.apply(exchange);
            used.add(tokens[0] + tokens[1]);
            return Response.Complete.ok(JsonBodies.parse("{\"choices\":[],\"usage\":{\"prompt_tokens\":" + tokens[0]
                    + ",\"completion_tokens\":" + tokens[1] + "}}"));
        });
        CountDownLatch go = new CountDownLatch(1);
        List<Future<GatewayException>> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                outcomes.add(threads.submit(() -> {
                    go.await();
                    try {
                        harness.send(capped(100), chain);
                        return null;
                    } catch (GatewayException e) {
                        refused.incrementAndGet();
                        return e;
                    }
                }));
            }
            go.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (admitted.get() + refused.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(expected, admitted.get(), "admitted while all were in flight");
            assertTrue(harness.store.reserved(TOKENS) + harness.store.reserved(SPEND) > 0, "the admitted ones hold");
            release.countDown();
        }
        for (Future<GatewayException> outcome : outcomes) {
            GatewayException e = outcome.get();
            if (e != null) {
                assertTrue(e.status() == 429 || e.status() == 402, e.getMessage());
                assertTrue(e.getMessage().contains("held by requests in flight"), e.getMessage());
                if (e.status() == 429) {
                    assertEquals(Optional.of("1"), e.headers().first("retry-after"),
                            "only requests in flight stand in the way: retry soon");
                }
            }
        }
        assertEquals(expected, chain.calls());
        return used;
    }

    @Test
    void aRequestWhoseWorstCaseExceedsTheWholeLimitIsToldWhatToChange() {
        Harness harness = Harness.of(tokenLimit(1_000), NOW);
        GatewayException tokens = harness.refused(exchange(Operation.CHAT_COMPLETION,
                "{\"model\":\"test/model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-bf-vk", TEAM_A_SECRET), RouterStandIn.chatUsage(1, 1));
        assertEquals(429, tokens.status());
        assertTrue(tokens.getMessage().contains("more than the token limit of 1000 tokens per 1h")
                && tokens.getMessage().contains("default-max-output-tokens")
                && tokens.getMessage().contains("max_completion_tokens"), tokens.getMessage());

        Harness dollars = Harness.of(budget("0.001"), NOW);
        GatewayException budget = dollars.refused(capped(1_000), RouterStandIn.chatUsage(1, 1));
        assertEquals(402, budget.status());
        assertEquals(ErrorCode.BUDGET_EXCEEDED, budget.errorCode());
        assertTrue(budget.getMessage().contains("more than the whole budget of $0.001"), budget.getMessage());
        assertEquals(Map.of(), dollars.store.counters().entrySet().stream()
                .filter(e -> e.getKey().startsWith("gov:usd")).collect(java.util.stream.Collectors.toMap(
                        Map.Entry::getKey, Map.Entry::getValue)), "nothing was charged or held");
        assertEquals(0, dollars.store.reserved(SPEND));
    }

    // ---------------------------------------------------------------- settling

    @Test
    void settlingBelowTheHoldFreesTheRestAndAboveItChargesEverything() {
        long worst = worstCase(100).tokens();
        Harness harness = Harness.of(tokenLimit(2 * worst), NOW);

        harness.send(capped(100), RouterStandIn.chatUsage(5, 5));
        assertEquals(10, harness.store.counter(TOKENS), "down: only what was used stays");
        harness.send(capped(100), RouterStandIn.chatUsage(5, 5));
        harness.send(capped(100), RouterStandIn.chatUsage(worst, worst));
        assertEquals(20 + 2 * worst, harness.store.counter(TOKENS),
                "up: an answer that used more than its estimate is charged all of it");
        assertEquals(429, harness.refused(capped(100), RouterStandIn.chatUsage(1, 1)).status());
        assertEquals(0, harness.store.reserved(TOKENS));
    }

    @Test
    void theUsageReportShowsWhatRequestsInFlightHold() {
        Harness harness = Harness.of(mapOf("type", "governance", "virtual-keys", List.of(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("tokens", "100000", "tokens-per", "1h"), "budget", mapOf("usd", "10", "per", "1d")))),
                NOW);
        Estimator.Estimate worst = worstCase(100);
        Response open = harness.send(capped(100), RouterStandIn.streaming(() -> ScriptedEvents.of(List.of(
                new StreamEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}"),
                new StreamEvent(null, "{\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":20}}"),
                StreamEvent.DONE))));

        JsonObject entry = harness.reporter().usage().getJsonArray("virtual_keys").getJsonObject(0);
        assertEquals(0, entry.getJsonObject("tokens").getInt("count"));
        assertEquals(worst.tokens(), entry.getJsonObject("tokens").getJsonNumber("reserved").longValue());
        assertEquals(java.math.BigDecimal.valueOf(worst.microUsd(), 6).stripTrailingZeros(),
                entry.getJsonObject("spend").getJsonNumber("reserved_usd").bigDecimalValue().stripTrailingZeros());

        EventStreams.drain(((Response.Streaming) open).events());

        entry = harness.reporter().usage().getJsonArray("virtual_keys").getJsonObject(0);
        assertEquals(50, entry.getJsonObject("tokens").getInt("count"), "the stream is settled at its end");
        assertEquals(0, entry.getJsonObject("tokens").getInt("reserved"));
        assertEquals(0, entry.getJsonObject("spend").getJsonNumber("reserved_usd").intValue());
        assertEquals(30 * 10 + 20 * 20, harness.store.counter(SPEND));
    }

    @Test
    void failuresReleaseTheirHoldsAtOnce() {
        Harness harness = Harness.of(mapOf("type", "governance", "virtual-keys", List.of(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("tokens", "100000", "tokens-per", "1h"), "budget", mapOf("usd", "10", "per", "1d")))),
                NOW);
        GatewayException upstream = GatewayException.upstream(503, "overloaded", null, "try later", null, null);
        assertThrows(GatewayException.class, () -> harness.send(capped(100), RouterStandIn.failing(upstream)));
        harness.send(capped(100), RouterStandIn.answering(exchange -> Response.Complete.of(400, Headers.empty(),
                JsonBodies.parse("{\"error\":{\"message\":\"bad\"},\"usage\":{\"prompt_tokens\":5}}"))));
        Response failing = harness.send(capped(100), RouterStandIn.streaming(() -> ScriptedEvents.failingAfter(
                List.of(new StreamEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}")),
                GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "the stream broke"))));
        assertThrows(GatewayException.class, () -> EventStreams.drain(((Response.Streaming) failing).events()));
        Response cancelled = harness.send(capped(100), RouterStandIn.streaming(() -> ScriptedEvents.of(List.of(
                new StreamEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}"), StreamEvent.DONE))));
        ((Response.Streaming) cancelled).events().close();

        assertEquals(0, harness.store.reserved(TOKENS));
        assertEquals(0, harness.store.reserved(SPEND));
        assertEquals(0, harness.store.counter(TOKENS));
        assertEquals(0, harness.store.counter(SPEND));
        assertEquals(0, harness.governance.inFlight());
    }

    // ---------------------------------------------------------------- renewal and expiry

    @Test
    void aRunningRequestsHoldsAreRenewedAndGoWhenItEnds() {
        long worst = worstCase(100).tokens();
        Harness harness = Harness.of(tokenLimit(worst), NOW);
        Response open = harness.send(capped(100), RouterStandIn.streaming(() -> ScriptedEvents.of(List.of(
                new StreamEvent(null, "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"),
                StreamEvent.DONE))));

        for (int i = 0; i < 9; i++) {
            harness.clock.advance(Duration.ofSeconds(20)); // the default lease is 1m, renewed every 20 s
            harness.governance.renewDue();
            assertEquals(worst, harness.store.reserved(TOKENS), "still held after " + (i + 1) * 20 + " s");
        }
        assertEquals(429, harness.refused(capped(100), RouterStandIn.chatUsage(1, 1)).status());

        EventStreams.drain(((Response.Streaming) open).events());
        harness.governance.renewDue();
        assertEquals(0, harness.store.reserved(TOKENS), "no renewal brings a settled hold back");
        assertEquals(7, harness.store.counter(TOKENS));
    }

    @Test
    void theHoldsOfAReplicaThatStoppedExpireAfterTheLease() {
        long worst = worstCase(100).tokens();
        Map<String, Object> config = tokenLimit(worst);
        Harness dies = Harness.of(config, NOW);
        Harness survives = dies.replica(config);
        // replica one admits a stream and stops: nobody renews, settles or releases its hold
        dies.send(capped(100), RouterStandIn.streaming(() -> ScriptedEvents.of(List.of(StreamEvent.DONE))));
        dies.governance.close();

        assertEquals(429, survives.refused(capped(100), RouterStandIn.chatUsage(1, 1)).status());
        dies.clock.advance(Duration.ofSeconds(59));
        assertEquals(429, survives.refused(capped(100), RouterStandIn.chatUsage(1, 1)).status());
        dies.clock.advance(Duration.ofSeconds(1));
        survives.send(capped(100), RouterStandIn.chatUsage(1, 1));
        assertEquals(2, survives.store.counter(TOKENS));
    }

    @Test
    void aShorterLeaseIsConfigurable() {
        long worst = worstCase(100).tokens();
        Map<String, Object> config = mapOf("type", "governance", "reservation-lease", "5s",
                "virtual-keys", List.of(key("team-a", TEAM_A_SECRET,
                        "rate-limit", mapOf("tokens", Long.toString(worst), "tokens-per", "1h"))));
        Harness dies = Harness.of(config, NOW);
        dies.send(capped(100), RouterStandIn.streaming(() -> ScriptedEvents.of(List.of(StreamEvent.DONE))));
        dies.clock.advance(Duration.ofSeconds(5));
        assertEquals(0, dies.store.reserved(TOKENS));
    }

    // ---------------------------------------------------------------- async jobs

    /** A stand-in for the server's async layer: answers the pending job and leaves the outcome's job running. */
    private static RouterStandIn submitting(List<TestOutcome> jobs) {
        return RouterStandIn.answering(exchange -> {
            TestOutcome outcome = (TestOutcome) exchange.outcome();
            outcome.startJob();
            jobs.add(outcome);
            return Response.Complete.ok(JsonBodies.parse("{\"id\":\"job_1\",\"object\":\"async_job\",\"status\":\"pending\"}"));
        });
    }

    @Test
    void anAsyncJobHoldsFromItsSubmissionAndIsChargedWhenItFinishesUnpolled() {
        Harness harness = Harness.of(mapOf("type", "governance", "virtual-keys", List.of(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("tokens", "100000", "tokens-per", "1h"), "budget", mapOf("usd", "10", "per", "1d")))),
                NOW);
        List<TestOutcome> jobs = new ArrayList<>();
        harness.send(capped(100), submitting(jobs));
        assertEquals(worstCase(100).tokens(), harness.store.reserved(TOKENS), "admitted with a reservation");
        assertEquals(0, harness.store.counter(TOKENS));

        // the worker finishes: nobody polls
        jobs.get(0).attempt(new RoutingAttempt("test", "model", "k", 200, 5, 0))
                .usage(TokenUsage.builder().inputTokens(300).outputTokens(200).build()).finishJob();

        assertEquals(500, harness.store.counter(TOKENS));
        assertEquals(300 * 10 + 200 * 20, harness.store.counter(SPEND));
        assertEquals(0, harness.store.reserved(TOKENS));
        assertEquals(0, harness.store.reserved(SPEND));

        // a later poll (its outcome names the first delivery with the job's usage) is not charged again
        TestOutcome poll = new TestOutcome().prices(PRICES).asyncDelivery(RequestOutcome.AsyncDelivery.FIRST);
        harness.send(io.gateway.testkit.TestExchange.of(Operation.CHAT_COMPLETION, "{}").headers("x-bf-vk", TEAM_A_SECRET,
                "x-bf-async-id", "job_1").build(poll), RouterStandIn.answering(exchange -> {
                    poll.attempt(new RoutingAttempt("test", "model", "k", 200, 5, 0))
                            .usage(TokenUsage.builder().inputTokens(300).outputTokens(200).build());
                    return Response.Complete.ok(JsonBodies.parse("{\"choices\":[]}"));
                }));
        assertEquals(500, harness.store.counter(TOKENS));
    }

    @Test
    void aFailedAsyncJobReleasesItsHoldsAndAJobFinishedBeforeRegistrationIsChargedToo() {
        Harness harness = Harness.of(tokenLimit(100_000), NOW);
        List<TestOutcome> jobs = new ArrayList<>();
        harness.send(capped(100), submitting(jobs));
        jobs.get(0).finishJob();
        assertEquals(0, harness.store.reserved(TOKENS));
        assertEquals(0, harness.store.counter(TOKENS));

        // the worker may finish before the middleware registers: it is charged at once then
        harness.send(capped(100), RouterStandIn.answering(exchange -> {
            TestOutcome outcome = (TestOutcome) exchange.outcome();
            outcome.startJob().usage(TokenUsage.builder().inputTokens(1).outputTokens(2).build()).finishJob();
            return Response.Complete.ok(JsonBodies.parse("{\"object\":\"async_job\"}"));
        }));
        assertEquals(3, harness.store.counter(TOKENS));
        assertEquals(0, harness.store.reserved(TOKENS));
        assertFalse(harness.governance.inFlight() > 0);
    }
}
