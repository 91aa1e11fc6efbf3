package io.gateway.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Lays out a plugins directory for a test gateway: one folder per plugin holding its jar (and its own
 * dependencies), exactly as the distribution does. A plugin whose classes use the plugin toolkit
 * ({@code io.gateway.toolkit}) or a vendor translation ({@code io.gateway.translation.gemini},
 * {@code io.gateway.translation.anthropic}) gets its own copy of that library's jar beside it, taken from
 * the class path.
 */
public final class PluginFolders {

    /**
     * A library the distribution copies into the folder of each plugin that uses it.
     *
     * @param reference how a class file names the library's classes
     * @param className a class of the library, to find its jar (or classes directory) on the class path
     * @param jarName   the artifact id its jar's file name starts with
     */
    private record Library(String reference, String className, String jarName) {
        boolean referencedBy(byte[] classFile) {
            return contains(classFile, reference.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static final List<Library> LIBRARIES = List.of(
            new Library("io/gateway/toolkit/", "io.gateway.toolkit.json.Json", "gateway-plugin-toolkit"),
            new Library("io/gateway/translation/gemini/", "io.gateway.translation.gemini.GeminiTranslation",
                    "translation-gemini"),
            new Library("io/gateway/translation/anthropic/",
                    "io.gateway.translation.anthropic.AnthropicTranslation", "translation-anthropic"));

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
            for (Library library : LIBRARIES) {
                if (uses(jarOrClasses, library) && !holds(folder, library)) {
                    addLibrary(folder, library);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private static boolean holds(Path folder, Library library) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(library.jarName()));
        }
    }

    /** Whether any class of the plugin refers to a class of the library. */
    private static boolean uses(Path jarOrClasses, Library library) throws IOException {
        if (Files.isDirectory(jarOrClasses)) {
            try (Stream<Path> walk = Files.walk(jarOrClasses)) {
                for (Path file : walk.filter(f -> f.toString().endsWith(".class")).toList()) {
                    if (library.referencedBy(Files.readAllBytes(file))) {
                        return true;
                    }
                }
            }
            return false;
        }
        try (JarFile jar = new JarFile(jarOrClasses.toFile())) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                if (entry.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        if (library.referencedBy(in.readAllBytes())) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    private static boolean contains(byte[] classFile, byte[] reference) {
        outer:
        for (int i = 0; i <= classFile.length - reference.length; i++) {
            for (int j = 0; j < reference.length; j++) {
                if (classFile[i + j] != reference[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void addLibrary(Path folder, Library library) throws IOException {
        Class<?> type;
        try {
            type = Class.forName(library.className(), false, PluginFolders.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("plugin folder " + folder.getFileName() + ": the plugin uses "
                    + library.jarName() + ", which is not on the test class path; add io.gateway:"
                    + library.jarName(), e);
        }
        Path source = codeSource(type);
        if (Files.isDirectory(source)) {
            pack(source, folder.resolve(library.jarName() + ".jar"));
        } else {
            Files.copy(source, folder.resolve(source.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
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
