package io.gateway.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.RequestOutcome;
import io.gateway.spi.middleware.RoutingAttempt;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExchangeAndOutcomeTest {

    private static final AttributeKey<String> TENANT = AttributeKey.of("tenant", String.class);

    @Test
    void copiesShareTheOutcomeAndKeepAttributes() {
        RequestOutcome outcome = new FixedOutcome();
        Exchange exchange = Exchange.create("r1", Operation.CHAT_COMPLETION,
                JsonBodies.parse("{\"model\":\"anthropic/claude\",\"stream\":true}"), Headers.of("x-a", "1"),
                Instant.EPOCH, outcome).withAttribute(TENANT, "acme");
        Exchange rewritten = exchange.withBody(JsonBodies.parse("{\"model\":\"openai/gpt-4o\"}"))
                .withHeaders(Headers.empty());
        assertSame(outcome, rewritten.outcome());
        assertEquals(Optional.of("acme"), rewritten.attribute(TENANT));
        assertEquals(new ModelRef("openai", "gpt-4o"), rewritten.model(), "the model is read from the new body");
        assertFalse(rewritten.stream());
        assertTrue(exchange.stream());
        assertEquals(Instant.EPOCH, rewritten.receivedAt());
    }

    @Test
    void anExchangeBuiltOutsideTheServerHasAnEmptyOutcome() {
        Exchange exchange = Exchange.create("r2", Operation.LIST_MODELS, null, null, null);
        RequestOutcome outcome = exchange.outcome();
        assertSame(RequestOutcome.empty(), outcome);
        assertEquals(List.of(), outcome.attempts());
        assertTrue(outcome.usage().isEmpty());
        assertEquals(RequestOutcome.AsyncDelivery.NONE, outcome.asyncDelivery());
        assertNull(exchange.model());
        assertTrue(exchange.body().isEmpty());
    }

    @Test
    void modelNamesSplitAtTheFirstSlash() {
        assertEquals(new ModelRef("openrouter", "meta-llama/llama-3-70b"), ModelRef.parse("openrouter/meta-llama/llama-3-70b"));
        assertEquals(new ModelRef("openai", "gpt-4o"), ModelRef.parse("gpt-4o"));
        assertThrows(IllegalArgumentException.class, () -> ModelRef.parse("/gpt"));
        assertThrows(IllegalArgumentException.class, () -> Exchange.create("r", Operation.CHAT_COMPLETION,
                JsonBodies.parse("{\"model\":\"openai/\"}"), null, null));
    }

    @Test
    void attemptsReadCompactlyWithoutKeys() {
        RoutingAttempt attempt = new RoutingAttempt("openai", "gpt-4o", "eu", 429, 12, 1);
        assertEquals("openai/gpt-4o key=eu status=429 12ms fallback=1", attempt.toString());
    }

    @Test
    void aContextWithoutServicesSaysSo() {
        PluginContext bare = new PluginContext() {
        };
        assertThrows(IllegalStateException.class, bare::upstream);
        assertThrows(IllegalStateException.class, bare::state);
        bare.metrics().count("x", 1);
        assertTrue(bare.clock() != null);
        assertTrue(bare.logger() != null);
    }

    /** An outcome with one attempt, for identity checks. */
    private static final class FixedOutcome implements RequestOutcome {
        @Override
        public List<RoutingAttempt> attempts() {
            return List.of(new RoutingAttempt("openai", "gpt-4o", "k", 200, 1, 0));
        }

        @Override
        public Optional<String> provider() {
            return Optional.of("openai");
        }

        @Override
        public Optional<String> model() {
            return Optional.of("gpt-4o");
        }

        @Override
        public int fallbackIndex() {
            return 0;
        }

        @Override
        public Optional<TokenUsage> usage() {
            return Optional.empty();
        }

        @Override
        public AsyncDelivery asyncDelivery() {
            return AsyncDelivery.NONE;
        }
    }
}
