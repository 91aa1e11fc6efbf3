package io.gateway.testkit;

import io.gateway.spi.PluginContext;
import io.gateway.spi.PriceList;
import io.gateway.spi.middleware.VirtualKeyDirectory;
import io.gateway.spi.middleware.Chain;
import io.gateway.spi.upstream.UpstreamClient;
import java.util.Objects;

/**
 * The {@link PluginContext} a test lends the plugin under test, standing in for the server's: a
 * {@link TestClock} that stands still until the test moves it, a {@link MemoryStateStore} whose
 * expiry follows that clock, {@link RecordingMetrics}, a {@link RecordingLogger}, and the upstream
 * client the test chose ({@link ScriptedUpstream} for canned answers, {@link HttpUpstream} for real
 * HTTP to a fake upstream), or none, the price list the test chose ({@link TestPrices}), or none, and
 * the router lent to middleware ({@link PluginContext#router()}: a {@link RouterStandIn}, say), or none.
 *
 * <pre>{@code
 * TestContext context = TestContext.builder().upstream(HttpUpstream.create()).build();
 * Provider provider = factory.create(config, context);
 * ...
 * assertTrue(context.logger().warnings().isEmpty());
 * }</pre>
 *
 * <p>The accessors return the kit's own types, so a test reaches the clock, store, metrics and logger
 * it gave the plugin without keeping separate references. Thread-safe (every part is); immutable.
 */
public final class TestContext implements PluginContext {

    private final UpstreamClient upstream;
    private final TestClock clock;
    private final MemoryStateStore state;
    private final RecordingMetrics metrics;
    private final RecordingLogger logger;
    private final PriceList prices;
    private final VirtualKeyDirectory virtualKeys;
    private final Chain router;

    private TestContext(Builder builder) {
        this.prices = builder.prices;
        this.virtualKeys = builder.virtualKeys;
        this.router = builder.router;
        this.upstream = builder.upstream;
        this.clock = builder.clock;
        this.state = builder.withoutState ? null : builder.state != null ? builder.state : new MemoryStateStore(clock);
        this.metrics = builder.metrics;
        this.logger = builder.logger;
    }

    /**
     * A context without an upstream client, with a clock at {@link TestClock#DEFAULT_START}, an empty
     * store, and recording metrics and logger.
     *
     * @return the context
     */
    public static TestContext create() {
        return builder().build();
    }

    /**
     * A context whose upstream client is {@code upstream}, otherwise as {@link #create()}.
     *
     * @param upstream the client
     * @return the context
     */
    public static TestContext with(UpstreamClient upstream) {
        return builder().upstream(upstream).build();
    }

    /**
     * A builder with the defaults of {@link #create()}.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The upstream client the test gave.
     *
     * @return the client
     * @throws IllegalStateException when the test gave none, as the server's context for a state store
     *                               factory has none
     */
    @Override
    public UpstreamClient upstream() {
        if (upstream == null) {
            throw new IllegalStateException("this plugin context offers no upstream client; give one with "
                    + "TestContext.builder().upstream(...)");
        }
        return upstream;
    }

    /**
     * The state store.
     *
     * @return the store
     * @throws IllegalStateException for a context built {@link Builder#withoutState() without one}, as the
     *                               server's context for a state store factory
     */
    @Override
    public MemoryStateStore state() {
        if (state == null) {
            throw new IllegalStateException("this plugin context offers no state store (a state store factory's "
                    + "context has none)");
        }
        return state;
    }

    @Override
    public TestClock clock() {
        return clock;
    }

    @Override
    public RecordingMetrics metrics() {
        return metrics;
    }

    @Override
    public RecordingLogger logger() {
        return logger;
    }

    /**
     * The price list the test gave.
     *
     * @return the list; {@link PriceList#none()} unless the builder was given one
     */
    @Override
    public PriceList prices() {
        return prices;
    }

    /**
     * The managed virtual keys the test gave.
     *
     * @return the directory; {@link VirtualKeyDirectory#empty()} unless the builder was given one
     */
    @Override
    public VirtualKeyDirectory virtualKeys() {
        return virtualKeys;
    }

    /**
     * The router the test gave, standing in for the gateway's.
     *
     * @return the router
     * @throws IllegalStateException when the test gave none, as the server's contexts for providers and
     *                               state stores have none
     */
    @Override
    public Chain router() {
        if (router == null) {
            throw new IllegalStateException("this plugin context offers no router; give one with "
                    + "TestContext.builder().router(...)");
        }
        return router;
    }

    @Override
    public String toString() {
        return "TestContext[" + clock + ", " + (state == null ? "no store" : state) + (upstream == null ? "" : ", " + upstream) + "]";
    }

    /** Builds a {@link TestContext}. Not thread-safe. */
    public static final class Builder {
        private UpstreamClient upstream;
        private TestClock clock = TestClock.create();
        private MemoryStateStore state;
        private RecordingMetrics metrics = new RecordingMetrics();
        private RecordingLogger logger = new RecordingLogger();
        private PriceList prices = PriceList.none();
        private VirtualKeyDirectory virtualKeys = VirtualKeyDirectory.empty();
        private Chain router;
        private boolean withoutState;

        private Builder() {
        }

        /**
         * The upstream client.
         *
         * @param value the client, or {@code null} for none
         * @return this builder
         */
        public Builder upstream(UpstreamClient value) {
            upstream = value;
            return this;
        }

        /**
         * The clock; the default store measures expiry on it.
         *
         * @param value the clock
         * @return this builder
         */
        public Builder clock(TestClock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * The state store, instead of a fresh one on the context's clock.
         *
         * @param value the store
         * @return this builder
         */
        public Builder state(MemoryStateStore value) {
            state = Objects.requireNonNull(value, "state");
            return this;
        }

        /**
         * No state store, as the server's context for a state store factory: {@code state()} throws.
         *
         * @return this builder
         */
        public Builder withoutState() {
            withoutState = true;
            return this;
        }

        /**
         * The metrics.
         *
         * @param value the metrics
         * @return this builder
         */
        public Builder metrics(RecordingMetrics value) {
            metrics = Objects.requireNonNull(value, "metrics");
            return this;
        }

        /**
         * The logger.
         *
         * @param value the logger
         * @return this builder
         */
        public Builder logger(RecordingLogger value) {
            logger = Objects.requireNonNull(value, "logger");
            return this;
        }

        /**
         * The price list lent to the plugin, as the server lends {@code gateway.pricing}.
         *
         * @param value the list, e.g. a {@link TestPrices}
         * @return this builder
         */
        public Builder prices(PriceList value) {
            prices = Objects.requireNonNull(value, "prices");
            return this;
        }

        /**
         * The managed virtual keys lent to the plugin, as the server lends the keys of its admin API.
         *
         * @param value the directory, e.g. a {@link TestVirtualKeys}
         * @return this builder
         */
        public Builder virtualKeys(VirtualKeyDirectory value) {
            virtualKeys = Objects.requireNonNull(value, "virtualKeys");
            return this;
        }

        /**
         * The router lent to the plugin, as the server lends its router to middleware
         * ({@link PluginContext#router()}), e.g. a {@link RouterStandIn} answering embeddings.
         *
         * @param value the router, or {@code null} for none
         * @return this builder
         */
        public Builder router(Chain value) {
            router = value;
            return this;
        }

        /**
         * The context.
         *
         * @return a new context
         */
        public TestContext build() {
            return new TestContext(this);
        }
    }
}
