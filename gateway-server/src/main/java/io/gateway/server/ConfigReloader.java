package io.gateway.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches the configuration file: reads it every 250 ms on a thread of its own and asks for a reload
 * when its bytes changed and stayed the same for one more look (so a file caught half-written is not
 * taken). Reading the bytes, rather than watching the folder, also sees a file replaced by a rename or a
 * symbolic link swapped (as editors and Kubernetes config maps do). A file that cannot be read is
 * skipped until it can. A reload thus starts within about half a second of a change; one that fails is
 * not retried until the file changes again. Thread-safe; closed with the gateway.
 */
final class ConfigReloader implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("gateway");
    private static final long TICK_MILLIS = 250;

    private final Path file;
    private final Consumer<String> reload;
    private final ScheduledExecutorService thread;
    /** The bytes last reloaded from (or read at start-up). */
    private byte[] applied;
    /** The bytes of the previous look, when they differed from {@link #applied}. */
    private byte[] pending;
    private boolean unreadable;

    /**
     * A watcher; call {@link #start()}.
     *
     * @param file   the configuration file
     * @param reload what reloads, given the trigger's name
     */
    ConfigReloader(Path file, Consumer<String> reload) {
        this.file = file;
        this.reload = reload;
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "gateway-config-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes the file's bytes as those in use and starts looking. */
    void start() {
        applied = read();
        thread.scheduleWithFixedDelay(this::look, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private byte[] read() {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (unreadable) {
                unreadable = false;
                LOG.log(System.Logger.Level.INFO, "config file " + file.getFileName() + " is readable again");
            }
            return bytes;
        } catch (IOException e) {
            if (!unreadable) {
                unreadable = true;
                LOG.log(System.Logger.Level.WARNING, "config file " + file.getFileName() + " cannot be read ("
                        + e.getClass().getSimpleName() + "); the running configuration keeps serving");
            }
            return null;
        }
    }

    private void look() {
        try {
            byte[] now = read();
            if (now == null || Arrays.equals(now, applied)) {
                pending = null;
                return;
            }
            if (!Arrays.equals(now, pending)) {
                pending = now;
                return;
            }
            applied = now;
            pending = null;
            reload.accept("file changed");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "config file watch: " + e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
