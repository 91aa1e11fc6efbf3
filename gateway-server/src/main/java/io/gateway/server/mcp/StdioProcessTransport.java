package io.gateway.server.mcp;

import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SDK's stdio transport with two changes the gateway needs: the child process does not inherit the
 * gateway's environment (which holds provider keys and tokens) but only a few harmless variables plus
 * the server's own {@code env}, and it can start in a configured working directory. The supervisor
 * ({@link ToolServer}) also needs the process itself, to notice its exit at once and to kill one that
 * ignores the polite signal; the SDK keeps it in a private field, read here once after start.
 *
 * <p>Owned by one {@link ToolServer} connection; used from that connection's threads only.
 */
final class StdioProcessTransport extends StdioClientTransport {

    /** What a tool server may see of the gateway's environment: where programs are, who and where it runs. */
    static final List<String> INHERITED = List.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG",
            "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC",
            "PATHEXT", "APPDATA", "LOCALAPPDATA", "PROGRAMDATA", "PROGRAMFILES", "USERPROFILE", "JAVA_HOME");

    private final Path workingDir;

    StdioProcessTransport(McpSettings.Server server, McpJsonMapper mapper) {
        super(ServerParameters.builder(server.command()).args(server.args()).env(server.env()).build(), mapper);
        this.workingDir = server.workingDir();
    }

    @Override
    protected ProcessBuilder getProcessBuilder() {
        ProcessBuilder builder = new ProcessBuilder();
        Map<String, String> environment = builder.environment();
        Map<String, String> inherited = Map.copyOf(environment);
        environment.clear();
        for (String name : INHERITED) {
            String value = inherited.get(name);
            if (value != null) {
                environment.put(name, value);
            }
        }
        if (workingDir != null) {
            builder.directory(workingDir.toFile());
        }
        return builder;
    }

    /**
     * The started process. The SDK gives no accessor; without one (another SDK version) the
     * supervisor falls back to {@link #awaitForExit()} and the SDK's own close.
     *
     * @return the process, or empty before start or when it cannot be read
     */
    Optional<Process> process() {
        try {
            java.lang.reflect.Field field = StdioClientTransport.class.getDeclaredField("process");
            field.setAccessible(true);
            return Optional.ofNullable((Process) field.get(this));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
