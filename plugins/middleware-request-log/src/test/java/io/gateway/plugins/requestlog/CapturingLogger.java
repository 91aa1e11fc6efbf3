package io.gateway.plugins.requestlog;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** A logger that keeps every line it is given, and logs only at or above a threshold. */
final class CapturingLogger implements System.Logger {

    /** One logged line. */
    record Entry(Level level, String message) {
    }

    private final Level threshold;
    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    CapturingLogger() {
        this(Level.INFO);
    }

    CapturingLogger(Level threshold) {
        this.threshold = threshold;
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    List<String> lines() {
        return entries.stream().map(Entry::message).toList();
    }

    @Override
    public String getName() {
        return "middleware-request-log";
    }

    @Override
    public boolean isLoggable(Level level) {
        return level.getSeverity() >= threshold.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (isLoggable(level)) {
            entries.add(new Entry(level, msg));
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            entries.add(new Entry(level, params == null || params.length == 0
                    ? format : MessageFormat.format(format, params)));
        }
    }

    @Override
    public void log(Level level, Supplier<String> msgSupplier) {
        if (isLoggable(level)) {
            entries.add(new Entry(level, msgSupplier.get()));
        }
    }
}
