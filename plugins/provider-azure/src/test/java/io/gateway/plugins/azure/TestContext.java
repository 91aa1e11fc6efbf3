package io.gateway.plugins.azure;

import io.gateway.spi.PluginContext;
import io.gateway.spi.PluginMetrics;
import io.gateway.spi.state.StateStore;
import io.gateway.spi.upstream.UpstreamClient;
import java.text.MessageFormat;
import java.time.Clock;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** The services a factory needs in tests: an upstream client and a logger that keeps its messages. */
final class TestContext implements PluginContext {

    private final UpstreamClient upstream;
    private final RecordingLogger logger = new RecordingLogger();

    TestContext(UpstreamClient upstream) {
        this.upstream = upstream;
    }

    /**
     * The messages logged at WARNING or above.
     *
     * @return the messages in order
     */
    List<String> warnings() {
        return List.copyOf(logger.warnings);
    }

    @Override
    public UpstreamClient upstream() {
        return upstream;
    }

    @Override
    public StateStore state() {
        throw new UnsupportedOperationException("the azure provider keeps no shared state");
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public PluginMetrics metrics() {
        throw new UnsupportedOperationException("the azure provider exports no metrics of its own");
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    private static final class RecordingLogger implements System.Logger {
        private final List<String> warnings = new CopyOnWriteArrayList<>();

        @Override
        public String getName() {
            return "gateway.plugin.provider-azure";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            record(level, msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            record(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params));
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            record(level, msgSupplier.get());
        }

        private void record(Level level, String message) {
            if (level.getSeverity() >= Level.WARNING.getSeverity()) {
                warnings.add(message);
            }
        }
    }
}
