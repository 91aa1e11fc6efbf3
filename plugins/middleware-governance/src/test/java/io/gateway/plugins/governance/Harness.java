package io.gateway.plugins.governance;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.middleware.UsageReport;
import io.gateway.testkit.MemoryStateStore;
import io.gateway.testkit.RecordingLogger;
import io.gateway.testkit.RecordingMetrics;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.TestExchange;
import io.gateway.testkit.TestOutcome;
import io.gateway.testkit.TestPrices;
import java.util.List;
import java.util.Map;

/** One governance middleware made by its factory, with the test kit's store, clock, logger and metrics. */
final class Harness {

    static final String TEAM_A_SECRET = "sk-bf-team-a-0123456789SECRET";
    static final String TEAM_B_SECRET = "sk-bf-team-b-9876543210SECRET";

    final TestClock clock;
    final MemoryStateStore store;
    final RecordingLogger logger;
    final RecordingMetrics metrics;
    final TestConfig config;
    final Middleware middleware;
    final GovernanceMiddleware governance;

    private Harness(Map<String, ?> config, String now) {
        this(config, TestContext.builder().clock(TestClock.at(now)).prices(PRICES).build());
    }

    private Harness(Map<String, ?> config, TestContext context) {
        this.clock = context.clock();
        this.store = context.state();
        this.logger = context.logger();
        this.metrics = context.metrics();
        this.config = TestConfig.middleware(0, config);
        this.middleware = new GovernanceFactory().create(this.config, context);
        this.governance = (GovernanceMiddleware) middleware;
    }

    static Harness of(Map<String, ?> config) {
        return new Harness(config, "2026-11-24T02:00:10Z");
    }

    static Harness of(Map<String, ?> config, String now) {
        return new Harness(config, now);
    }

    /**
     * A middleware that also sees keys managed through the admin API.
     *
     * @param config  the governance entry
     * @param managed the managed keys
     * @return the harness
     */
    static Harness withManaged(Map<String, ?> config, io.gateway.testkit.TestVirtualKeys managed) {
        return new Harness(config, TestContext.builder().clock(TestClock.at("2026-11-24T02:00:10Z")).prices(PRICES)
                .virtualKeys(managed).build());
    }

    /**
     * A second replica: another middleware with the same configuration, clock and store.
     *
     * @param config the governance entry
     * @return the replica
     */
    Harness replica(Map<String, ?> config) {
        return new Harness(config, TestContext.builder().clock(clock).state(store).prices(PRICES).build());
    }

    /** The middleware block of a governance entry with these virtual keys. */
    static Map<String, Object> config(Object... virtualKeys) {
        return TestConfig.mapOf("type", "governance", "virtual-keys", List.of(virtualKeys));
    }

    /** A virtual key block: name, value, then further alternating keys and values. */
    static Map<String, Object> key(String name, String value, Object... more) {
        Map<String, Object> block = TestConfig.mapOf("name", name, "value", value);
        block.putAll(TestConfig.mapOf(more));
        return block;
    }

    UsageReport reporter() {
        return middleware.usageReport().orElseThrow();
    }

    Response send(Exchange exchange, Chain chain) {
        return middleware.handle(exchange, chain);
    }

    GatewayException refused(Exchange exchange, Chain chain) {
        return assertThrows(GatewayException.class, () -> middleware.handle(exchange, chain));
    }

    static Exchange chat(String model, String... headers) {
        return exchange(Operation.CHAT_COMPLETION,
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}", headers);
    }

    static Exchange chatAs(String secret, String model) {
        return chat(model, "x-bf-vk", secret);
    }

    /**
     * The prices the gateway would put into the outcome (gateway.pricing): what the tests' answers cost
     * at the model that served.
     */
    static final TestPrices PRICES = TestPrices.of("test/model", "10", "20")
            .and("openai/gpt-4o-mini", "0.15", "0.60")
            .and("anthropic/claude-sonnet-4-20250514", "3", "15")
            .and("openai/text-embedding-3-large", "0.13", "0")
            .and("openai/gpt-image-1", "5", "40");

    static Exchange exchange(Operation operation, String body, String... headers) {
        return TestExchange.of(operation, body).headers(headers).build(new TestOutcome().prices(PRICES));
    }
}
