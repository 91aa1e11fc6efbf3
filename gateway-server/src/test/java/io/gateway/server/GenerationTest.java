package io.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.async.AsyncJobs;
import io.gateway.server.config.GatewayConfig;
import io.gateway.server.core.Pricing;
import io.gateway.server.keys.FileKeys;
import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.plugin.PluginMiddleware;
import io.gateway.server.routing.Router;
import io.gateway.server.state.MemoryStateStore;
import io.gateway.server.telemetry.Telemetry;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.Response;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A configuration's generation: requests hold it, a retired one closes its middleware (and providers
 * and clients) only once the last hold is released, and a closed one cannot be held again.
 */
class GenerationTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private Generation generation(long version, AtomicInteger closed, AtomicReference<Generation> current) {
        Clock clock = Clock.systemUTC();
        GatewayConfig config = GatewayConfig.parse("gateway: {}\n", Map.of(), Path.of("."));
        Pricing pricing = Pricing.read(null);
        Middleware counting = new Middleware() {
            @Override
            public Response handle(Exchange exchange, Chain chain) {
                return chain.proceed(exchange);
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
        AsyncJobs async = new AsyncJobs(new MemoryStateStore(clock, 100), clock, Duration.ofHours(1),
                Duration.ofSeconds(30), 10, scheduler, runnable -> runnable, pricing);
        return new Generation(version, config, Map.of(), List.of(new PluginMiddleware(counting,
                GenerationTest.class.getClassLoader())), List.of(), pricing,
                new Router(Map.of(), clock, new GatewayMetrics(), Telemetry.off(), pricing), async,
                FileKeys.read(config.root(), null), null, "anthropic", current::get, Runnable::run, terminal -> terminal);
    }

    @Test
    void aRetiredGenerationClosesWhenItsLastRequestEnds() {
        AtomicInteger closed = new AtomicInteger();
        AtomicReference<Generation> current = new AtomicReference<>();
        Generation old = generation(1, closed, current);
        current.set(old);
        assertTrue(old.tryHold());
        assertTrue(old.tryHold());
        current.set(generation(2, new AtomicInteger(), current));
        old.retire();
        assertEquals(0, closed.get(), "two requests still run on it");
        old.close();
        assertEquals(0, closed.get());
        assertFalse(old.closed());
        old.close();
        assertEquals(1, closed.get(), "closed with its last request");
        assertTrue(old.closed());
        assertFalse(old.tryHold(), "a closed generation takes no request");
        old.retire();
        assertEquals(1, closed.get(), "closed once");
    }

    @Test
    void aGenerationNobodyHoldsClosesWhenRetiredAndTheCurrentOneStaysOpen() {
        AtomicInteger closedOld = new AtomicInteger();
        AtomicInteger closedNew = new AtomicInteger();
        AtomicReference<Generation> current = new AtomicReference<>();
        Generation old = generation(1, closedOld, current);
        Generation next = generation(2, closedNew, current);
        current.set(next);
        old.retire();
        assertEquals(1, closedOld.get());
        assertTrue(next.tryHold());
        next.close();
        assertEquals(0, closedNew.get(), "not retired: released holds never close it");
        assertEquals(0, next.holds());
    }
}
