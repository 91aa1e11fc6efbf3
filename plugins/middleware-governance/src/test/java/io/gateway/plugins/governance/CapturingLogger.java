package io.gateway.plugins.governance;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** A logger that keeps every line it is given. */
final class CapturingLogger implements System.Logger {

    /** One logged line. */
    record Entry(Level level, String message) {
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    List<String> lines() {
        return entries.stream().map(Entry::message).toList();
    }

    List<String> warnings() {
        return entries.stream().filter(e -> e.level() == Level.WARNING).map(Entry::message).toList();
    }

    @Override
    public String getName() {
        return "middleware-governance";
    }

    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        entries.add(new Entry(level, msg));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        entries.add(new Entry(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
    }

    @Override
    public void log(Level level, Supplier<String> msgSupplier) {
        entries.add(new Entry(level, msgSupplier.get()));
    }
}
