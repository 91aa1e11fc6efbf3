package io.gateway.plugins.governance;

import io.gateway.spi.PluginMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every counter increment as {@code name tag=value ...}. */
final class RecordingMetrics implements PluginMetrics {

    private final List<String> counts = new CopyOnWriteArrayList<>();

    List<String> counts() {
        return List.copyOf(counts);
    }

    @Override
    public void count(String name, double amount, String... tags) {
        StringBuilder line = new StringBuilder(name);
        for (int i = 0; i + 1 < tags.length; i += 2) {
            line.append(' ').append(tags[i]).append('=').append(tags[i + 1]);
        }
        counts.add(line.toString());
    }

    @Override
    public void time(String name, Duration duration, String... tags) {
    }
}
