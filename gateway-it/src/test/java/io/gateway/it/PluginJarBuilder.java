package io.gateway.it;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Builds plugin jars from Java source at test time, including deliberately broken ones.
 *
 * <pre>{@code
 * Path jar = PluginJarBuilder.create(tempDir)
 *         .source("com.example.EchoPlugin", """
 *                 package com.example;
 *                 public final class EchoPlugin implements io.gateway.spi.Plugin {
 *                     public String id() { return "echo"; }
 *                     public int spiVersion() { return io.gateway.spi.SpiVersion.MAJOR; }
 *                 }
 *                 """)
 *         .service("io.gateway.spi.Plugin", "com.example.EchoPlugin")
 *         .buildInto(pluginsDir, "echo");          // pluginsDir/echo/echo.jar
 * }</pre>
 *
 * <p>Sources are compiled with the system Java compiler ({@code --release 21}, annotation processing
 * off) against the current class path (so the SPI is available) plus {@link #classpath(Path...)}.
 * Only the compiled classes of this builder and its {@link #resource resources} go into the jar:
 * classes compiled against from other jars are not bundled, which is how a test builds a plugin
 * whose dependency is missing at run time. Leave out the services file to build a plugin that
 * ServiceLoader cannot find. The jar is reproducible: entries are sorted and carry a fixed time.
 *
 * <p>Not thread-safe; build each jar on one thread.
 */
public final class PluginJarBuilder {

    /** Fixed entry time, so equal input gives an identical jar. */
    private static final FileTime ENTRY_TIME = FileTime.from(Instant.parse("2000-01-01T00:00:00Z"));

    private final Path workDir;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();
    private final List<Path> classpath = new ArrayList<>();
    private final Map<String, String> manifestAttributes = new LinkedHashMap<>();
    private boolean inheritClasspath = true;
    private String release = "21";

    private PluginJarBuilder(Path workDir) {
        this.workDir = Objects.requireNonNull(workDir, "workDir");
    }

    /**
     * A builder that keeps its scratch files (sources' class output) under {@code workDir}.
     *
     * @param workDir a directory for temporary files, typically JUnit's {@code @TempDir}; created if absent
     * @return the builder
     */
    public static PluginJarBuilder create(Path workDir) {
        return new PluginJarBuilder(workDir);
    }

    /**
     * Adds a compilation unit.
     *
     * @param className  the fully qualified name of the unit's top-level class, e.g. {@code com.example.MyPlugin}
     * @param javaSource the source text
     * @return this builder
     * @throws IllegalArgumentException if the name is not a valid qualified name or was added before
     */
    public PluginJarBuilder source(String className, String javaSource) {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(javaSource, "javaSource");
        if (!SourceVersion.isName(className)) {
            throw new IllegalArgumentException("not a valid qualified class name: " + className);
        }
        if (sources.putIfAbsent(className, javaSource) != null) {
            throw new IllegalArgumentException("source for " + className + " was already added");
        }
        return this;
    }

    /**
     * Adds a text resource (UTF-8), e.g. {@code META-INF/services/io.gateway.spi.Plugin}.
     *
     * @param path    the path inside the jar, with {@code /} separators
     * @param content the content
     * @return this builder
     */
    public PluginJarBuilder resource(String path, String content) {
        return resource(path, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Adds a binary resource.
     *
     * @param path    the path inside the jar, with {@code /} separators
     * @param content the content (copied)
     * @return this builder
     * @throws IllegalArgumentException for an empty path, a {@code ..} segment, or a path added before
     */
    public PluginJarBuilder resource(String path, byte[] content) {
        String name = entryName(path);
        if (resources.putIfAbsent(name, content.clone()) != null) {
            throw new IllegalArgumentException("resource " + name + " was already added");
        }
        return this;
    }

    /**
     * Adds implementations to {@code META-INF/services/<serviceInterface>}, one per line. Calling it
     * again for the same interface appends.
     *
     * @param serviceInterface the service type, e.g. {@code io.gateway.spi.Plugin}
     * @param implementations  fully qualified implementation class names
     * @return this builder
     */
    public PluginJarBuilder service(String serviceInterface, String... implementations) {
        Objects.requireNonNull(serviceInterface, "serviceInterface");
        List<String> list = services.computeIfAbsent(serviceInterface, s -> new ArrayList<>());
        for (String implementation : implementations) {
            list.add(Objects.requireNonNull(implementation, "implementation"));
        }
        return this;
    }

    /**
     * Compiles against these jars or class directories too. They are not put into the built jar.
     *
     * @param entries jars or directories
     * @return this builder
     */
    public PluginJarBuilder classpath(Path... entries) {
        for (Path entry : entries) {
            classpath.add(Objects.requireNonNull(entry, "entry"));
        }
        return this;
    }

    /**
     * Whether to compile against the current class path ({@code java.class.path}, manifest
     * {@code Class-Path} entries such as Surefire's included, and {@code jdk.module.path}).
     * On by default; turn it off to compile against {@link #classpath(Path...)} only.
     *
     * @param inherit {@code false} to leave the current class path out
     * @return this builder
     */
    public PluginJarBuilder inheritClasspath(boolean inherit) {
        this.inheritClasspath = inherit;
        return this;
    }

    /**
     * The {@code --release} to compile for; {@code 21} by default.
     *
     * @param javaRelease the release, e.g. {@code 21}
     * @return this builder
     */
    public PluginJarBuilder release(int javaRelease) {
        this.release = Integer.toString(javaRelease);
        return this;
    }

    /**
     * Adds a main attribute to the jar manifest.
     *
     * @param name  the attribute name, e.g. {@code Implementation-Version}
     * @param value the value
     * @return this builder
     */
    public PluginJarBuilder manifestAttribute(String name, String value) {
        manifestAttributes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Compiles the sources and writes the jar.
     *
     * @param jarFile where to write the jar; parent directories are created, an existing file replaced
     * @return {@code jarFile}
     * @throws CompilationException if the sources do not compile
     * @throws UncheckedIOException if writing fails
     */
    public Path build(Path jarFile) {
        Objects.requireNonNull(jarFile, "jarFile");
        try {
            Files.createDirectories(workDir);
            Path scratch = Files.createTempDirectory(workDir, "plugin-jar-");
            try {
                Path classes = Files.createDirectories(scratch.resolve("classes"));
                if (!sources.isEmpty()) {
                    compile(classes);
                }
                writeJar(classes, jarFile);
            } finally {
                deleteRecursively(scratch);
            }
            return jarFile;
        } catch (IOException e) {
            throw new UncheckedIOException("building plugin jar " + jarFile + " failed", e);
        }
    }

    /**
     * Builds the jar as {@code pluginsDir/id/id.jar}, the layout the gateway scans.
     *
     * @param pluginsDir the plugins directory
     * @param id         the plugin directory name
     * @return the jar's path
     * @throws CompilationException if the sources do not compile
     */
    public Path buildInto(Path pluginsDir, String id) {
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        Objects.requireNonNull(id, "id");
        if (id.isBlank() || id.contains("/") || id.contains("\\") || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("not a valid plugin directory name: " + id);
        }
        return build(pluginsDir.resolve(id).resolve(id + ".jar"));
    }

    /** The sources did not compile; the message lists every diagnostic. */
    public static final class CompilationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The formatted diagnostics. */
        private final List<String> diagnostics;

        CompilationException(List<String> diagnostics, String compilerOutput) {
            super("plugin sources did not compile:\n" + String.join("\n", diagnostics)
                    + (compilerOutput.isBlank() ? "" : "\n" + compilerOutput.strip()));
            this.diagnostics = List.copyOf(diagnostics);
        }

        /**
         * The compiler's diagnostics, one per entry, as {@code Name.java:line:column: kind: message}.
         *
         * @return the diagnostics
         */
        public List<String> diagnostics() {
            return diagnostics;
        }
    }

    // ---------------------------------------------------------------- compilation

    private void compile(Path classes) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
        }
        DiagnosticCollector<JavaFileObject> collector = new DiagnosticCollector<>();
        StringWriter output = new StringWriter();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(collector, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            files.setLocationFromPaths(StandardLocation.CLASS_OUTPUT, List.of(classes));
            files.setLocationFromPaths(StandardLocation.CLASS_PATH, compileClasspath());
            List<JavaFileObject> units = new ArrayList<>();
            sources.forEach((name, text) -> units.add(new SourceUnit(name, text)));
            List<String> options = List.of("--release", release, "-proc:none", "-g", "-Xlint:-options",
                    "-implicit:none");
            Boolean ok = compiler.getTask(output, files, collector, options, null, units).call();
            if (!Boolean.TRUE.equals(ok)) {
                List<String> messages = new ArrayList<>();
                for (Diagnostic<? extends JavaFileObject> diagnostic : collector.getDiagnostics()) {
                    messages.add(format(diagnostic));
                }
                throw new CompilationException(messages, output.toString());
            }
        }
    }

    private static String format(Diagnostic<? extends JavaFileObject> diagnostic) {
        String source = diagnostic.getSource() == null ? "" : diagnostic.getSource().getName();
        int slash = source.lastIndexOf('/');
        String file = slash >= 0 ? source.substring(slash + 1) : source;
        String where = file.isEmpty() ? "" : file + ":" + diagnostic.getLineNumber() + ":"
                + diagnostic.getColumnNumber() + ": ";
        return where + diagnostic.getKind().name().toLowerCase(Locale.ROOT) + ": "
                + diagnostic.getMessage(Locale.ROOT);
    }

    private List<Path> compileClasspath() throws IOException {
        Set<Path> entries = new LinkedHashSet<>();
        for (Path entry : classpath) {
            entries.add(entry.toAbsolutePath().normalize());
        }
        if (inheritClasspath) {
            for (String property : List.of("java.class.path", "jdk.module.path")) {
                String value = System.getProperty(property);
                if (value == null || value.isBlank()) {
                    continue;
                }
                for (String element : value.split(File.pathSeparator)) {
                    if (!element.isBlank()) {
                        addWithManifestClassPath(Path.of(element).toAbsolutePath().normalize(), entries);
                    }
                }
            }
        }
        List<Path> existing = new ArrayList<>();
        for (Path entry : entries) {
            if (Files.exists(entry)) {
                existing.add(entry);
            }
        }
        return existing;
    }

    /** Adds an entry and, for a jar, the entries its manifest's {@code Class-Path} names (Surefire's booter jar). */
    private static void addWithManifestClassPath(Path entry, Set<Path> entries) throws IOException {
        if (!entries.add(entry) || !Files.isRegularFile(entry) || !entry.toString().endsWith(".jar")) {
            return;
        }
        String classPath;
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest manifest = jar.getManifest();
            classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        } catch (IOException e) {
            return;
        }
        if (classPath == null) {
            return;
        }
        URI base = entry.toUri();
        for (String element : classPath.trim().split("\\s+")) {
            if (element.isEmpty()) {
                continue;
            }
            try {
                URI resolved = base.resolve(element);
                if ("file".equals(resolved.getScheme())) {
                    addWithManifestClassPath(Path.of(resolved).normalize(), entries);
                }
            } catch (IllegalArgumentException e) {
                // not a usable URI; javac would skip it too
            }
        }
    }

    /** A compilation unit held in memory. */
    private static final class SourceUnit extends SimpleJavaFileObject {
        private final String text;

        SourceUnit(String className, String text) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.text = text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }

    // ---------------------------------------------------------------- jar

    private void writeJar(Path classes, Path jarFile) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(classes)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                entries.put(classes.relativize(file).toString().replace(File.separatorChar, '/'),
                        Files.readAllBytes(file));
            }
        }
        Map<String, byte[]> extra = new LinkedHashMap<>(resources);
        services.forEach((service, implementations) -> {
            String name = "META-INF/services/" + service;
            StringBuilder text = new StringBuilder();
            implementations.forEach(implementation -> text.append(implementation).append('\n'));
            byte[] existing = extra.get(name);
            String merged = (existing == null ? "" : new String(existing, StandardCharsets.UTF_8)) + text;
            extra.put(name, merged.getBytes(StandardCharsets.UTF_8));
        });
        for (Map.Entry<String, byte[]> resource : extra.entrySet()) {
            if (resource.getKey().equals(JarFile.MANIFEST_NAME)) {
                throw new IllegalArgumentException("set manifest attributes with manifestAttribute(), not as a resource");
            }
            if (entries.putIfAbsent(resource.getKey(), resource.getValue()) != null) {
                throw new IllegalArgumentException("resource " + resource.getKey() + " clashes with a compiled class");
            }
        }

        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Created-By", "gateway-it PluginJarBuilder");
        manifestAttributes.forEach(main::putValue);

        Path parent = jarFile.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream file = Files.newOutputStream(jarFile);
             JarOutputStream jar = new JarOutputStream(file)) {
            JarEntry manifestEntry = new JarEntry(JarFile.MANIFEST_NAME);
            manifestEntry.setLastModifiedTime(ENTRY_TIME);
            jar.putNextEntry(manifestEntry);
            manifest.write(jar);
            jar.closeEntry();
            Set<String> directories = new LinkedHashSet<>();
            directories.add("META-INF/");
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                String name = entry.getKey();
                for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
                    String directory = name.substring(0, slash + 1);
                    if (directories.add(directory)) {
                        JarEntry directoryEntry = new JarEntry(directory);
                        directoryEntry.setLastModifiedTime(ENTRY_TIME);
                        jar.putNextEntry(directoryEntry);
                        jar.closeEntry();
                    }
                }
                JarEntry jarEntry = new JarEntry(name);
                jarEntry.setLastModifiedTime(ENTRY_TIME);
                jar.putNextEntry(jarEntry);
                jar.write(entry.getValue());
                jar.closeEntry();
            }
        }
    }

    private static String entryName(String path) {
        Objects.requireNonNull(path, "path");
        String name = path.replace('\\', '/');
        while (name.startsWith("/")) {
            name = name.substring(1);
        }
        if (name.isEmpty() || name.endsWith("/")) {
            throw new IllegalArgumentException("not a file path: " + path);
        }
        for (String segment : name.split("/")) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("resource path must not contain empty, '.' or '..' segments: "
                        + path);
            }
        }
        return name;
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
