package io.gateway.plugins.governance;

import static io.gateway.testkit.TestConfig.mapOf;
import static io.gateway.plugins.governance.Harness.TEAM_A_SECRET;
import static io.gateway.plugins.governance.Harness.TEAM_B_SECRET;
import static io.gateway.plugins.governance.Harness.chatAs;
import static io.gateway.plugins.governance.Harness.config;
import static io.gateway.plugins.governance.Harness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.gateway.testkit.EventStreams;
import io.gateway.testkit.RouterStandIn;
import io.gateway.testkit.ScriptedEvents;

class StoreFailureTest {

    private final Harness harness = Harness.of(config(
            key("team-a", TEAM_A_SECRET, "rate-limit", mapOf("requests", "10", "per", "1m")),
            key("team-b", TEAM_B_SECRET, "budget", mapOf("usd", "10", "per", "1d"))));

    @Test
    void anUnreachableStoreFailsTheRequestWith503BeforeAnyUpstreamCall() {
        harness.store.failing(true);
        RouterStandIn chain = RouterStandIn.chatUsage(1, 1);

        GatewayException requests = harness.refused(chatAs(TEAM_A_SECRET, "openai/gpt-4o"), chain);
        GatewayException budget = harness.refused(chatAs(TEAM_B_SECRET, "openai/gpt-4o"), chain);

        assertEquals(503, requests.status());
        assertEquals(ErrorCode.STORE_UNAVAILABLE, requests.errorCode());
        assertEquals(503, budget.status());
        assertEquals(0, chain.calls());
    }

    @Test
    void aStoreFailureAfterTheAnswerIsLoggedAndTheAnswerDelivered() {
        RouterStandIn chain = RouterStandIn.answering(exchange -> {
            harness.store.failing(true);
            return Response.Complete.ok(JsonBodies.parse("{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":10}}"));
        });

        Response response = harness.send(chatAs(TEAM_B_SECRET, "openai/gpt-4o"), chain);

        assertSame(Response.Complete.class, response.getClass());
        List<String> warnings = harness.logger.warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("'team-b'") && warnings.getFirst().contains("503"), warnings.getFirst());
    }

    @Test
    void aStoreFailureAtTheEndOfAStreamDoesNotBreakTheStream() {
        List<io.gateway.spi.StreamEvent> events = List.of(
                new io.gateway.spi.StreamEvent(null, "{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}"),
                io.gateway.spi.StreamEvent.DONE);
        Response response = harness.send(Harness.exchange(io.gateway.spi.Operation.CHAT_COMPLETION,
                "{\"model\":\"openai/gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
                "x-bf-vk", TEAM_B_SECRET), RouterStandIn.answering(exchange -> Response.Streaming.ok(ScriptedEvents.of(events))));
        harness.store.failing(true);

        assertEquals(events, EventStreams.drain(((Response.Streaming) response).events()));
        assertEquals(1, harness.logger.warnings().size(), harness.logger.lines().toString());
    }

    @Test
    void aKeyWithoutLimitsOrBudgetStillPassesWhenItsRequestsCannotBeCounted() {
        Harness unlimited = Harness.of(config(key("team-c", "sk-bf-team-c-SECRET"), key("team-a", TEAM_A_SECRET)));
        RouterStandIn chain = RouterStandIn.chatUsage(1, 1);
        unlimited.send(chatAs("sk-bf-team-c-SECRET", "openai/gpt-4o"), chain);

        unlimited.store.failing(true);
        for (int i = 0; i < 3; i++) {
            assertSame(Response.Complete.class, unlimited.send(chatAs("sk-bf-team-c-SECRET", "openai/gpt-4o"), chain)
                    .getClass());
        }
        unlimited.store.failing(false);
        unlimited.send(chatAs("sk-bf-team-c-SECRET", "openai/gpt-4o"), chain);
        unlimited.send(chatAs("sk-bf-team-c-SECRET", "openai/gpt-4o"), chain);

        assertEquals(6, chain.calls());
        assertEquals(3, unlimited.store.counter("gov:req:team-c:2026-11"), "the requests while the store was down are lost");
        List<String> counting = unlimited.logger.warnings().stream()
                .filter(line -> line.contains("cannot be counted")).toList();
        assertEquals(1, counting.size(), "logged once, not per request: " + unlimited.logger.lines());
        assertTrue(counting.getFirst().contains("'team-c'") && counting.getFirst().contains("503"), counting.getFirst());
        assertEquals(1, unlimited.logger.lines().stream().filter(line -> line.contains("counted again")).count(),
                unlimited.logger.lines().toString());
        assertFalse(unlimited.logger.lines().toString().contains("SECRET"));
    }

    @Test
    void aCounterThatIsNotANumberFailsClosed() {
        harness.store.put("gov:usd:team-b:2026-11-24", "garbage".getBytes(StandardCharsets.US_ASCII), null);

        GatewayException e = harness.refused(chatAs(TEAM_B_SECRET, "openai/gpt-4o"), RouterStandIn.chatUsage(1, 1));

        assertEquals(500, e.status());
    }
}
