package io.gateway.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The provider-vertex plugin folder for a test gateway: the plugin jar plus its run-time dependencies (the
 * toolkit, both translations, Google's auth library with Guava, Gson and google-http-client), as
 * {@code mvn package} leaves them in plugins/provider-vertex/target — the folder the distribution lays out.
 */
final class VertexPluginFolder {

    private VertexPluginFolder() {
    }

    /**
     * Adds the {@code provider-vertex} folder.
     *
     * @param folders the plugins directory being laid out
     * @return {@code folders}
     */
    static PluginFolders add(PluginFolders folders) {
        Path target = Path.of("..", "plugins", "provider-vertex", "target").toAbsolutePath().normalize();
        Path jar = target.resolve("provider-vertex.jar");
        Path deps = target.resolve("plugin-deps");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(deps)) {
            fail("the provider-vertex plugin is not built: expected " + jar + " and " + deps + "/*.jar; build the"
                    + " tree (mvn -B verify) or plugins/provider-vertex with -am first");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(deps)) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (jars.stream().noneMatch(p -> p.getFileName().toString().startsWith("google-auth-library-oauth2-http"))) {
            fail(deps + " has no google-auth-library-oauth2-http jar; rebuild plugins/provider-vertex");
        }
        return folders.add("provider-vertex", jar, jars.toArray(Path[]::new));
    }
}
