package io.gateway.plugins.governance;

import static io.gateway.testkit.TestConfig.mapOf;
import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.TEAM_B_SECRET;
import static io.gateway.plugins.governance.Harness.chatAs;
import static io.gateway.plugins.governance.Harness.config;
import static io.gateway.plugins.governance.Harness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.middleware.Exchange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.RouterStandIn;

class RateLimitTest {

    @Test
    void twoHundredParallelRequestsAgainstFiftyPerMinuteLetExactlyFiftyThrough() throws Exception {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET, "rate-limit", mapOf("requests", "50", "per", "1m"))));
        RouterStandIn chain = RouterStandIn.chatUsage(1, 1);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<GatewayException>> outcomes = new ArrayList<>();

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                outcomes.add(threads.submit(() -> {
                    start.await();
                    try {
                        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o-mini"), chain);
                        return null;
                    } catch (GatewayException e) {
                        return e;
                    }
                }));
            }
            start.countDown();
        }

        List<GatewayException> refusals = new ArrayList<>();
        for (Future<GatewayException> outcome : outcomes) {
            if (outcome.get() != null) {
                refusals.add(outcome.get());
            }
        }
        assertEquals(50, chain.calls());
        assertEquals(150, refusals.size());
        for (GatewayException e : refusals) {
            assertEquals(429, e.status());
            assertEquals(ErrorCode.RATE_LIMITED, e.errorCode());
            assertEquals(Optional.of("50"), e.headers().first("retry-after"), "02:00:10 is 50s before the window ends");
            assertTrue(e.getMessage().contains("50 requests per 1m"), e.getMessage());
        }
    }

    @Test
    void theWindowResetsWhenItEnds() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET, "rate-limit", mapOf("requests", "2", "per", "1m"))),
                "2026-11-24T02:00:59.400Z");
        RouterStandIn chain = RouterStandIn.chatUsage(1, 1);

        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain);
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain);
        GatewayException e = harness.refused(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain);
        assertEquals(Optional.of("1"), e.headers().first("retry-after"), "0.6s left rounds up to 1");
        assertEquals(Duration.ofSeconds(1), e.retryAfter().orElseThrow());

        harness.clock.advance(Duration.ofMillis(600));
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain);
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain);
        assertEquals(429, harness.refused(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain).status());

        assertEquals(4, chain.calls());
    }

    @Test
    void windowCountersExpireWithTheirWindow() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET, "rate-limit", mapOf("requests", "2", "per", "1m"))));

        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), RouterStandIn.chatUsage(1, 1));

        String counter = "gov:req:team-a:" + (harness.clock.millis() / 60_000);
        assertEquals(1, harness.store.counter(counter));
        assertEquals(Duration.ofMinutes(1), harness.store.createdWithTtl(counter).orElseThrow());
        harness.clock.advance(Duration.ofMinutes(2));
        assertEquals(0, harness.store.counter(counter));
        assertFalse(harness.store.counters().containsKey(counter));
    }

    @Test
    void keysHaveTheirOwnLimits() {
        Harness harness = Harness.of(config(
                key("team-a", TEAM_A_SECRET, "rate-limit", mapOf("requests", "1", "per", "1h")),
                key("team-b", TEAM_B_SECRET, "rate-limit", mapOf("requests", "1", "per", "1h"))));
        RouterStandIn chain = RouterStandIn.chatUsage(1, 1);

        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain);
        harness.send(chatAs(TEAM_B_SECRET, "openai/gpt-4o"), chain);
        GatewayException e = harness.refused(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain);

        assertEquals(Optional.of(Long.toString(3600 - 10)), e.headers().first("retry-after"));
        assertTrue(e.getMessage().contains("'team-a'") && e.getMessage().contains("1 requests per 1h"), e.getMessage());
    }

    @Test
    void requestsRefusedForAnotherReasonDoNotUseTheRate() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET, "allowed-models", List.of("openai/*"),
                "rate-limit", mapOf("requests", "1", "per", "1m"))));
        RouterStandIn chain = RouterStandIn.chatUsage(1, 1);

        assertEquals(403, harness.refused(chatAs(TEAM_A_SECRET, "anthropic/claude-opus-4"), chain).status());
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain);

        assertEquals(1, chain.calls());
    }

    /** A chat request stating its output cap, so its worst case is its input estimate plus that cap. */
    static Exchange cappedChat(String secret, String model, int maxTokens) {
        return Harness.exchange(io.gateway.spi.Operation.CHAT_COMPLETION, "{\"model\":\"" + model
                + "\",\"max_tokens\":" + maxTokens + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}",
                "x-bf-vk", secret);
    }

    @Test
    void tokenLimitRefusesOnceTheWindowsTokensAreUsed() {
        // each request may use about 70 input tokens (its body's bytes) and 10 output tokens
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("tokens", "200", "tokens-per", "1h"))));

        harness.send(cappedChat(TEAM_A_SECRET, "openai/gpt-4o", 10), RouterStandIn.chatUsage(50, 30));
        harness.send(cappedChat(TEAM_A_SECRET, "openai/gpt-4o", 10), RouterStandIn.chatUsage(70, 30));
        GatewayException e = harness.refused(cappedChat(TEAM_A_SECRET, "openai/gpt-4o", 10),
                RouterStandIn.chatUsage(1, 1));

        assertEquals(429, e.status());
        assertEquals(ErrorCode.RATE_LIMITED, e.errorCode());
        assertEquals(Optional.of(Long.toString(3600 - 10)), e.headers().first("retry-after"),
                "what is settled leaves no room until the window ends");
        assertTrue(e.getMessage().contains("200 tokens per 1h"), e.getMessage());
        String counter = "gov:tok:team-a:" + (harness.clock.millis() / 3_600_000);
        assertEquals(180, harness.store.counter(counter));
        assertEquals(Duration.ofHours(1), harness.store.createdWithTtl(counter).orElseThrow());

        harness.clock.advance(Duration.ofSeconds(3600 - 10));
        harness.send(cappedChat(TEAM_A_SECRET, "openai/gpt-4o", 10), RouterStandIn.chatUsage(1, 1));
    }

    @Test
    void tokensUseTotalTokensOrInputPlusOutput() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET,
                "rate-limit", mapOf("tokens", "1000000", "tokens-per", "1d"))));

        harness.send(Harness.exchange(io.gateway.spi.Operation.EMBEDDING,
                "{\"model\":\"openai/text-embedding-3-small\",\"input\":\"x\"}", "x-bf-vk", TEAM_A_SECRET),
                RouterStandIn.completing("{\"object\":\"list\",\"data\":[],\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}"));
        harness.send(Harness.exchange(io.gateway.spi.Operation.RESPONSES,
                "{\"model\":\"openai/gpt-4o\",\"input\":\"x\"}", "x-bf-vk", TEAM_A_SECRET),
                RouterStandIn.completing("{\"object\":\"response\",\"usage\":{\"input_tokens\":5,\"output_tokens\":7}}"));

        assertEquals(20, harness.store.counter("gov:tok:team-a:" + (harness.clock.millis() / 86_400_000)));
    }

    @Test
    void withoutLimitsRequestsAndTokensAreCountedPerCalendarMonth() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET)));

        harness.send(chatAs(TEAM_A_SECRET, "openai/some-unpriced-model"), RouterStandIn.chatUsage(5, 5));
        harness.send(chatAs(TEAM_A_SECRET, "openai/some-unpriced-model"), RouterStandIn.chatUsage(1, 2));

        assertEquals(Map.of("gov:req:team-a:2026-11", 2L, "gov:tok:team-a:2026-11", 13L), harness.store.counters());
        // 2026-11-24T02:00:10Z to the end of November, plus an hour
        Duration untilTheMonthEnds = Duration.ofDays(6).plusHours(21).plusMinutes(59).plusSeconds(50).plusHours(1);
        assertEquals(untilTheMonthEnds, harness.store.createdWithTtl("gov:req:team-a:2026-11").orElseThrow());
        assertEquals(untilTheMonthEnds, harness.store.createdWithTtl("gov:tok:team-a:2026-11").orElseThrow());
    }

    @Test
    void withoutLimitsTheCountersMoveOnWithTheMonth() {
        Harness harness = Harness.of(config(key("team-a", TEAM_A_SECRET)), "2026-11-30T23:59:59.999Z");

        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), RouterStandIn.chatUsage(1, 1));
        harness.clock.set("2026-12-01T00:00:00Z");
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), RouterStandIn.chatUsage(2, 2));
        harness.send(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), RouterStandIn.chatUsage(3, 3));

        assertEquals(1, harness.store.counter("gov:req:team-a:2026-11"));
        assertEquals(2, harness.store.counter("gov:tok:team-a:2026-11"));
        assertEquals(2, harness.store.counter("gov:req:team-a:2026-12"));
        assertEquals(10, harness.store.counter("gov:tok:team-a:2026-12"));
    }

    @Test
    void aKeyWithOneLimitCountsTheOtherInItsUsagePeriod() {
        Harness harness = Harness.of(config(
                key("team-a", TEAM_A_SECRET, "rate-limit", mapOf("requests", "10", "per", "1m")),
                key("team-b", TEAM_B_SECRET, "rate-limit", mapOf("tokens", "100000", "tokens-per", "1h"),
                        "budget", mapOf("usd", "5", "per", "1w"))));

        // an unpriced model, so only request and token counters appear
        harness.send(chatAs(TEAM_A_SECRET, "openai/unpriced"), RouterStandIn.chatUsage(3, 4));
        harness.send(chatAs(TEAM_B_SECRET, "openai/unpriced"), RouterStandIn.chatUsage(5, 6));

        long minute = harness.clock.millis() / 60_000;
        long hour = harness.clock.millis() / 3_600_000;
        assertEquals(Map.of("gov:req:team-a:" + minute, 1L, "gov:tok:team-a:2026-11", 7L,
                "gov:req:team-b:2026-W48", 1L, "gov:tok:team-b:" + hour, 11L), harness.store.counters(),
                "without a budget the usage period is the month; with one, the budget's period");
    }
}
