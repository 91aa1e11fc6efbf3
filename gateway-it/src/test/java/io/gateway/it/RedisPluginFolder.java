package io.gateway.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The store-redis plugin folder for a test gateway: the plugin jar plus its run-time dependencies
 * (Lettuce, Netty 4.2, Reactor), as {@code mvn package} leaves them in plugins/store-redis/target.
 */
final class RedisPluginFolder {

    private RedisPluginFolder() {
    }

    /**
     * Adds the {@code store-redis} folder.
     *
     * @param folders the plugins directory being laid out
     * @return {@code folders}
     */
    static PluginFolders add(PluginFolders folders) {
        Path target = Path.of("..", "plugins", "store-redis", "target").toAbsolutePath().normalize();
        Path jar = target.resolve("store-redis.jar");
        Path deps = target.resolve("plugin-deps");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(deps)) {
            fail("the store-redis plugin is not built: expected " + jar + " and " + deps + "/*.jar; run "
                    + "'mvn -B install' in plugins/store-redis (or build the whole tree) first");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(deps)) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (jars.stream().noneMatch(p -> p.getFileName().toString().startsWith("lettuce-core"))) {
            fail(deps + " has no lettuce-core jar; rebuild plugins/store-redis with 'mvn -B install'");
        }
        return folders.add("store-redis", jar, jars.toArray(Path[]::new));
    }
}
