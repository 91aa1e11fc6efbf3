package io.gateway.plugins.redis;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** A {@link System.Logger} that keeps every line, so tests can read what the store logged. */
final class RecordingLogger implements System.Logger {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    List<String> lines() {
        return List.copyOf(lines);
    }

    String all() {
        return String.join("\n", lines);
    }

    @Override
    public String getName() {
        return "test.store-redis";
    }

    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        lines.add(level + " " + msg + (thrown == null ? "" : " " + thrown));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        lines.add(level + " " + (params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
    }

    @Override
    public void log(Level level, Supplier<String> msgSupplier) {
        lines.add(level + " " + msgSupplier.get());
    }

    /**
     * A plugin context whose logger is this one, as the server gives a state store factory.
     *
     * @return the context
     */
    io.gateway.spi.PluginContext context() {
        RecordingLogger self = this;
        return new io.gateway.spi.PluginContext() {
            @Override
            public System.Logger logger() {
                return self;
            }
        };
    }
}
