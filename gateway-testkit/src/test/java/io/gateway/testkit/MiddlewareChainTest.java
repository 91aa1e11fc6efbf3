package io.gateway.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.middleware.RoutingAttempt;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chain harness composes middleware as the server does, and the router stand-in records the outcome. */
class MiddlewareChainTest {

    private static Middleware tracing(String name, List<String> trace) {
        return (exchange, chain) -> {
            trace.add(name + " in");
            Response response = chain.proceed(exchange.withAttribute(AttributeKey.CLIENT_IDENTITY, name));
            trace.add(name + " out");
            return response;
        };
    }

    @Test
    void theFirstMiddlewareIsOutermost() {
        List<String> trace = new ArrayList<>();
        RouterStandIn router = RouterStandIn.chatUsage(3, 4);
        MiddlewareChain.of(List.of(tracing("a", trace), tracing("b", trace)), router)
                .proceed(TestExchange.chat("openai/gpt-4o").header("x-tenant", "t").build());
        assertEquals(List.of("a in", "b in", "b out", "a out"), trace);
        Exchange last = router.last();
        assertEquals("b", last.attribute(AttributeKey.CLIENT_IDENTITY).orElseThrow());
        assertEquals("t", last.headers().first("x-tenant").orElseThrow());
    }

    @Test
    void theStandInRecordsTheAttemptAndTheUsageAsTheRouterWould() {
        TestOutcome outcome = new TestOutcome();
        RouterStandIn router = RouterStandIn.chatUsage(12, 6).servedBy("azure", "gpt-4o", 1);
        router.proceed(TestExchange.chat("openai/gpt-4o").build(outcome));
        RoutingAttempt attempt = outcome.attempts().get(0);
        assertEquals("azure", attempt.provider());
        assertEquals(200, attempt.status());
        assertEquals(1, outcome.fallbackIndex());
        assertEquals(18, outcome.usage().orElseThrow().totalTokens());
    }

    @Test
    void aStreamsUsageIsRecordedWhenItsEventPasses() {
        TestOutcome outcome = new TestOutcome();
        RouterStandIn router = RouterStandIn.streaming(() -> ScriptedEvents.of(List.of(
                new StreamEvent(null, "{\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3}}"),
                StreamEvent.DONE)));
        Response response = router.proceed(TestExchange.of(Operation.CHAT_COMPLETION,
                "{\"model\":\"mock/m\",\"stream\":true}").build(outcome));
        assertTrue(outcome.usage().isEmpty(), "nothing before the event passed");
        EventStreams.drain(response);
        assertEquals(5, outcome.usage().orElseThrow().totalTokens());
    }

    @Test
    void proceedingTwiceOrAnsweringNullFailsTheTest() {
        Middleware twice = (exchange, chain) -> {
            chain.proceed(exchange);
            return chain.proceed(exchange);
        };
        AssertionError again = assertThrows(AssertionError.class, () -> MiddlewareChain.of(twice,
                RouterStandIn.completing("{}")).proceed(TestExchange.chat("m").build()));
        assertTrue(again.getMessage().contains("twice"), again.getMessage());
        Middleware nothing = (exchange, chain) -> null;
        assertThrows(AssertionError.class, () -> MiddlewareChain.of(nothing, RouterStandIn.completing("{}"))
                .proceed(TestExchange.chat("m").build()));
    }
}
