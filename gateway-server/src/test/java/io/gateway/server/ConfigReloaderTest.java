package io.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file watcher: a change is reloaded once, within the 2 s the gateway promises; no change, no reload. */
class ConfigReloaderTest {

    @TempDir
    Path temp;

    static void awaitSize(List<String> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(size, list.size(), "reloads asked: " + list);
    }

    @Test
    void aChangedFileIsReloadedOnceAndAnUnchangedOneNever() throws Exception {
        Path file = temp.resolve("gateway.yaml");
        Files.writeString(file, "gateway: {}\n");
        List<String> reloads = new CopyOnWriteArrayList<>();
        try (ConfigReloader reloader = new ConfigReloader(file, reloads::add)) {
            reloader.start();
            Thread.sleep(700);
            assertEquals(List.of(), reloads, "nothing changed");

            Files.writeString(file, "gateway: {providers: {}}\n");
            awaitSize(reloads, 1);
            Thread.sleep(700);
            assertEquals(1, reloads.size(), "once per change");

            // the same bytes written again are no change
            Files.writeString(file, "gateway: {providers: {}}\n");
            Thread.sleep(700);
            assertEquals(1, reloads.size());

            // a file replaced by a rename, as editors do
            Path next = temp.resolve("gateway.yaml.next");
            Files.writeString(next, "gateway: {pricing: {}}\n");
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            awaitSize(reloads, 2);

            // a file that is gone is skipped until it is back
            Files.delete(file);
            Thread.sleep(700);
            assertEquals(2, reloads.size());
            Files.writeString(file, "gateway: {pricing: {}}\n");
            Thread.sleep(700);
            assertEquals(2, reloads.size(), "back as it was: no change");
            assertEquals(List.of("file changed", "file changed"), reloads);
        }
    }
}
