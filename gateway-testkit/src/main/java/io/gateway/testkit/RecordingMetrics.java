package io.gateway.testkit;

import io.gateway.spi.PluginMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link PluginMetrics} that keep every count and timing, so a test can check what a plugin exported
 * and that its tags stay low-cardinality. Like the server's, it refuses a negative count and an odd
 * number of tag strings.
 *
 * <p>Thread-safe; records are kept in the order they were made.
 */
public final class RecordingMetrics implements PluginMetrics {

    /**
     * One recorded count or timing.
     *
     * @param name     the metric name
     * @param amount   the amount added, for counts; 0 for timings
     * @param duration the duration, for timings; {@code null} for counts
     * @param tags     alternating tag names and values
     */
    public record Record(String name, double amount, Duration duration, List<String> tags) {

        /**
         * The record as {@code name tag=value …}, without the amount.
         *
         * @return the text
         */
        public String line() {
            StringBuilder line = new StringBuilder(name);
            for (int i = 0; i + 1 < tags.size(); i += 2) {
                line.append(' ').append(tags.get(i)).append('=').append(tags.get(i + 1));
            }
            return line.toString();
        }
    }

    private final List<Record> counts = new CopyOnWriteArrayList<>();
    private final List<Record> timings = new CopyOnWriteArrayList<>();

    /** Metrics with nothing recorded. */
    public RecordingMetrics() {
    }

    @Override
    public void count(String name, double amount, String... tags) {
        Objects.requireNonNull(name, "name");
        if (amount < 0 || Double.isNaN(amount)) {
            throw new IllegalArgumentException("a count must not be negative, was " + amount + " for " + name);
        }
        counts.add(new Record(name, amount, null, tags(name, tags)));
    }

    @Override
    public void time(String name, Duration duration, String... tags) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(duration, "duration");
        timings.add(new Record(name, 0, duration, tags(name, tags)));
    }

    private static List<String> tags(String name, String[] tags) {
        if (tags.length % 2 != 0) {
            throw new IllegalArgumentException("tags come as name, value pairs; " + name + " got " + tags.length
                    + " strings");
        }
        return List.of(tags);
    }

    /**
     * Every count, as {@link Record#line()}: one line per call.
     *
     * @return a snapshot
     */
    public List<String> counts() {
        return counts.stream().map(Record::line).toList();
    }

    /**
     * Every count with its amount and tags.
     *
     * @return a snapshot
     */
    public List<Record> countRecords() {
        return List.copyOf(counts);
    }

    /**
     * Every timing with its duration and tags.
     *
     * @return a snapshot
     */
    public List<Record> timings() {
        return List.copyOf(timings);
    }

    /**
     * The sum of the amounts counted under a name with exactly these tags.
     *
     * @param name the metric name
     * @param tags alternating tag names and values, as the plugin passed them
     * @return the total, 0 when never counted
     */
    public double total(String name, String... tags) {
        List<String> wanted = List.of(tags);
        return counts.stream().filter(r -> r.name().equals(name) && r.tags().equals(wanted))
                .mapToDouble(Record::amount).sum();
    }

    @Override
    public String toString() {
        return "RecordingMetrics[" + counts.size() + " counts, " + timings.size() + " timings]";
    }
}
