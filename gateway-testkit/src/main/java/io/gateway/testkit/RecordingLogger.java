package io.gateway.testkit;

import java.text.MessageFormat;
import java.util.List;
import java.util.Objects;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A {@link System.Logger} that keeps every message at or above a threshold, so a test can check what a
 * plugin logged, and that it logged no secret. {@code {0}}-style parameters are formatted as
 * {@link MessageFormat} does, as the JDK's default logger would.
 *
 * <p>Thread-safe. Entries are kept in the order they were logged.
 */
public final class RecordingLogger implements System.Logger {

    /**
     * One logged message.
     *
     * @param level   the level
     * @param message the formatted message, never {@code null}
     * @param thrown  the throwable logged with it, or {@code null}
     */
    public record Entry(Level level, String message, Throwable thrown) {

        /**
         * The entry as {@link RecordingLogger#text()} shows it: {@code LEVEL message} and the
         * throwable's {@code toString()} when there is one.
         *
         * @return the line
         */
        public String line() {
            return level + " " + message + (thrown == null ? "" : " " + thrown);
        }
    }

    private final String name;
    private final Level threshold;
    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    /** A logger named {@code gateway.plugin.test} that keeps every level. */
    public RecordingLogger() {
        this("gateway.plugin.test", Level.ALL);
    }

    /**
     * A logger that keeps (and reports loggable) only messages at or above a level, as a logger
     * configured at that level would.
     *
     * @param name      the logger's name
     * @param threshold the lowest level kept
     */
    public RecordingLogger(String name, Level threshold) {
        this.name = Objects.requireNonNull(name, "name");
        this.threshold = Objects.requireNonNull(threshold, "threshold");
    }

    /**
     * Every entry so far.
     *
     * @return a snapshot
     */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * The messages so far, without levels.
     *
     * @return a snapshot
     */
    public List<String> lines() {
        return entries.stream().map(Entry::message).toList();
    }

    /**
     * The messages logged at exactly one level.
     *
     * @param level the level
     * @return a snapshot
     */
    public List<String> messages(Level level) {
        return entries.stream().filter(entry -> entry.level() == level).map(Entry::message).toList();
    }

    /**
     * The messages logged at {@link Level#WARNING}.
     *
     * @return a snapshot
     */
    public List<String> warnings() {
        return messages(Level.WARNING);
    }

    /**
     * Everything logged, one {@link Entry#line()} per line: what to search for a secret.
     *
     * @return the text
     */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (Entry entry : entries) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(entry.line());
        }
        return out.toString();
    }

    /** Forgets every entry. */
    public void clear() {
        entries.clear();
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean isLoggable(Level level) {
        return level != Level.OFF && level.getSeverity() >= threshold.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (isLoggable(level)) {
            entries.add(new Entry(level, String.valueOf(msg), thrown));
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            String message = params == null || params.length == 0 ? String.valueOf(format)
                    : MessageFormat.format(format, params);
            entries.add(new Entry(level, message, null));
        }
    }

    @Override
    public void log(Level level, Supplier<String> msgSupplier) {
        if (isLoggable(level)) {
            entries.add(new Entry(level, String.valueOf(msgSupplier.get()), null));
        }
    }

    @Override
    public void log(Level level, Supplier<String> msgSupplier, Throwable thrown) {
        if (isLoggable(level)) {
            entries.add(new Entry(level, String.valueOf(msgSupplier.get()), thrown));
        }
    }

    @Override
    public String toString() {
        return "RecordingLogger[" + name + ", " + entries.size() + " entries]";
    }
}
