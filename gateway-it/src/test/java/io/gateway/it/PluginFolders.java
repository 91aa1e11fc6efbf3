package io.gateway.it;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Lays out a plugins directory for a test gateway: one folder per plugin holding its jar (and its own
 * dependencies), exactly as the distribution does.
 */
public final class PluginFolders {

    private final Path root;

    private PluginFolders(Path root) {
        this.root = root;
    }

    /**
     * A new, empty plugins directory.
     *
     * @param root where to create it
     * @return the folders
     */
    public static PluginFolders create(Path root) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PluginFolders(root);
    }

    /**
     * The plugins directory.
     *
     * @return the path
     */
    public Path root() {
        return root;
    }

    /**
     * Adds the plugin that contains {@code pluginClass} (on the test class path, as a jar or as a
     * classes directory, which is packed into a jar), plus extra jars it needs.
     *
     * @param id           the folder name
     * @param pluginClass  any class of the plugin
     * @param dependencies jars to place beside it
     * @return this
     */
    public PluginFolders add(String id, Class<?> pluginClass, Path... dependencies) {
        return add(id, codeSource(pluginClass), dependencies);
    }

    /**
     * Adds a plugin by class name, for tests that must not link against the plugin.
     *
     * @param id        the folder name
     * @param className a class of the plugin on the test class path
     * @return this
     */
    public PluginFolders add(String id, String className) {
        try {
            return add(id, Class.forName(className, false, PluginFolders.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("plugin class " + className + " is not on the test class path", e);
        }
    }

    /**
     * Adds a plugin from a jar or a classes directory.
     *
     * @param id           the folder name
     * @param jarOrClasses the plugin's jar, or a directory of its classes and resources
     * @param dependencies jars to place beside it
     * @return this
     */
    public PluginFolders add(String id, Path jarOrClasses, Path... dependencies) {
        Path folder = root.resolve(id);
        try {
            Files.createDirectories(folder);
            if (Files.isDirectory(jarOrClasses)) {
                pack(jarOrClasses, folder.resolve(id + ".jar"));
            } else {
                Files.copy(jarOrClasses, folder.resolve(jarOrClasses.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            for (Path dependency : dependencies) {
                Files.copy(dependency, folder.resolve(dependency.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pack(Path classes, Path jar) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
            for (Path file : files) {
                zip.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
    }
}
