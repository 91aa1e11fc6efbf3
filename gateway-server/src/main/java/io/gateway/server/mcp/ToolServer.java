package io.gateway.server.mcp;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;

/**
 * One configured tool server and its supervisor: a virtual thread that connects it (initialize, then
 * the tool list), watches it (a ping every {@code health-interval}, the process of a stdio server, calls
 * that fail on the transport) and, when it is down or drops, reconnects it after a pause that doubles
 * from {@code reconnect-initial} up to {@code reconnect-max}; a stdio server is started again. While it
 * is not connected it offers no tools and calls to it fail at once with {@link ToolException.Kind#UNAVAILABLE}.
 * Nothing a server does (refusing connections, answering garbage, exiting, hanging) escapes this class
 * as anything but that state and a {@link ToolException}.
 *
 * <p>Thread-safe: {@link #tools()}, {@link #call} and {@link #status()} are called from request threads
 * while the supervisor replaces the connection.
 */
final class ToolServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("gateway.mcp");
    /** How long closing a connection may take before its process is killed. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    /** Where a server stands. */
    enum State {
        /** Being connected for the first time. */
        CONNECTING,
        /** Initialized; its tools are offered. */
        CONNECTED,
        /** Not reachable; reconnecting after a pause. */
        DOWN,
        /** The gateway is stopping. */
        CLOSED
    }

    /**
     * What {@code /admin/mcp} and {@code /health/ready} show of a server.
     *
     * @param name        the configured name
     * @param transport   http, sse or stdio
     * @param target      the URL without query, or the command
     * @param state       where it stands
     * @param tools       the names of its tools as the server names them (empty unless connected)
     * @param since       when it entered the state
     * @param lastError   why it was last down, or {@code null}
     * @param connects    successful connections since start
     * @param serverInfo  the name and version the server reported, or {@code null}
     */
    record Status(String name, String transport, String target, State state, List<String> tools, Instant since,
                  String lastError, long connects, String serverInfo) {
    }

    /** One live connection: its client, transport, process (stdio) and tools. */
    private static final class Connection {
        final McpAsyncClient client;
        final Process process;
        final String serverInfo;
        volatile List<McpSchema.Tool> tools;
        volatile String trouble;

        Connection(McpAsyncClient client, Process process, String serverInfo, List<McpSchema.Tool> tools) {
            this.client = client;
            this.process = process;
            this.serverInfo = serverInfo;
            this.tools = tools;
        }
    }

    private final McpSettings.Server settings;
    private final McpSettings global;
    private final McpJsonMapper mapper;
    private final JsonSchemaValidator validator;
    private final Runnable onChange;
    private final Object signal = new Object();
    private final AtomicLong connects = new AtomicLong();
    private volatile Connection current;
    private volatile State state = State.CONNECTING;
    private volatile Instant since = Instant.now();
    private volatile String lastError;
    private volatile boolean closed;
    private Thread supervisor;

    /**
     * A server, not yet started.
     *
     * @param settings its configuration
     * @param global   the reconnect and health settings
     * @param mapper    the SDK's JSON mapper
     * @param validator the SDK's schema validator (given, so the SDK looks up no service)
     * @param onChange  called whenever its tools change
     */
    ToolServer(McpSettings.Server settings, McpSettings global, McpJsonMapper mapper, JsonSchemaValidator validator,
               Runnable onChange) {
        this.settings = settings;
        this.global = global;
        this.mapper = mapper;
        this.validator = validator;
        this.onChange = onChange;
    }

    /** Starts the supervisor; the first connection is made in the background, so a dead server delays nothing. */
    synchronized void start() {
        if (supervisor == null) {
            supervisor = Thread.ofVirtual().name("mcp-" + settings.name()).start(this::supervise);
        }
    }

    String name() {
        return settings.name();
    }

    McpSettings.Server settings() {
        return settings;
    }

    /**
     * The server's tools while it is connected.
     *
     * @return the tools as the server names them, or empty
     */
    List<McpSchema.Tool> tools() {
        Connection connection = current;
        return connection == null ? List.of() : connection.tools;
    }

    State state() {
        return state;
    }

    /**
     * Calls a tool.
     *
     * @param tool      the tool as the server names it
     * @param arguments its arguments, or {@code null}
     * @return the result (with {@code isError} when the tool failed)
     * @throws ToolException when the server is not connected, does not answer in time, or refuses the call
     */
    McpSchema.CallToolResult call(String tool, Map<String, Object> arguments) {
        Connection connection = current;
        if (connection == null) {
            throw new ToolException(ToolException.Kind.UNAVAILABLE, "tool server '" + name() + "' is not connected"
                    + (lastError == null ? "" : " (" + lastError + ")") + "; its tools are back when it is (GET "
                    + "/admin/mcp shows its state)");
        }
        McpSchema.CallToolRequest request = McpSchema.CallToolRequest.builder(tool).arguments(arguments).build();
        try {
            McpSchema.CallToolResult result = connection.client.callTool(request).block();
            if (result == null) {
                throw new ToolException(ToolException.Kind.FAILED, "tool server '" + name() + "' answered tools/call"
                        + " for '" + tool + "' with nothing");
            }
            return result;
        } catch (McpError e) {
            McpSchema.JSONRPCResponse.JSONRPCError error = e.getJsonRpcError();
            String message = error == null ? printable(e.getMessage()) : printable(error.message());
            throw new ToolException(ToolException.Kind.REFUSED, "tool server '" + name() + "' refused the call of '"
                    + tool + "': " + message, error == null ? McpSchema.ErrorCodes.INTERNAL_ERROR : error.code());
        } catch (ToolException e) {
            throw e;
        } catch (RuntimeException e) {
            if (causedBy(e, TimeoutException.class)) {
                throw new ToolException(ToolException.Kind.TIMEOUT, "tool server '" + name() + "' did not answer the"
                        + " call of '" + tool + "' within " + settings.timeout().toSeconds() + "s (its timeout)");
            }
            String reason = reason(e);
            trouble(connection, reason);
            throw new ToolException(ToolException.Kind.UNAVAILABLE, "tool server '" + name() + "' failed the call of '"
                    + tool + "': " + reason + "; it is being reconnected");
        }
    }

    Status status() {
        Connection connection = current;
        List<String> names = connection == null ? List.of()
                : connection.tools.stream().map(McpSchema.Tool::name).toList();
        return new Status(name(), settings.transport().name().toLowerCase(java.util.Locale.ROOT), settings.target(),
                state, names, since, lastError, connects.get(), connection == null ? null : connection.serverInfo);
    }

    // ---------------------------------------------------------------- supervision

    private void supervise() {
        Duration pause = global.reconnectInitial();
        boolean reported = false;
        while (!closed) {
            Connection connection;
            try {
                connection = connect();
            } catch (RuntimeException | LinkageError e) {
                String reason = reason(e);
                lastError = reason;
                if (closed) {
                    break;
                }
                enter(State.DOWN);
                if (!reported) {
                    LOG.log(System.Logger.Level.WARNING, "mcp server " + name() + " (" + settings.target()
                            + ") is not reachable: " + reason + "; its tools are absent until it is, retrying in "
                            + pause.toMillis() + " ms and then with a growing pause up to "
                            + global.reconnectMax().toSeconds() + "s");
                    reported = true;
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "mcp server " + name() + " still not reachable: " + reason);
                }
                sleep(pause);
                pause = pause.multipliedBy(2).compareTo(global.reconnectMax()) > 0 ? global.reconnectMax()
                        : pause.multipliedBy(2);
                continue;
            }
            reported = false;
            pause = global.reconnectInitial();
            connects.incrementAndGet();
            current = connection;
            lastError = null;
            enter(State.CONNECTED);
            onChange.run();
            LOG.log(System.Logger.Level.INFO, "mcp server " + name() + " connected (" + settings.target() + ", "
                    + connection.serverInfo + ") with " + connection.tools.size() + " tools");
            String trouble = watch(connection);
            current = null;
            onChange.run();
            disconnect(connection);
            if (closed) {
                break;
            }
            lastError = trouble;
            enter(State.DOWN);
            LOG.log(System.Logger.Level.WARNING, "mcp server " + name() + " dropped: " + trouble
                    + "; its tools are absent until it is reconnected, retrying in " + pause.toMillis() + " ms");
            reported = true;
            sleep(pause);
        }
        enter(State.CLOSED);
    }

    private void enter(State next) {
        if (state != next) {
            state = next;
            since = Instant.now();
        }
    }

    /** Connects once: a new transport and client, initialize, and the whole tool list. */
    private Connection connect() {
        McpClientTransport transport = transport();
        AtomicReference<Connection> made = new AtomicReference<>();
        McpAsyncClient client = McpClient.async(transport)
                .requestTimeout(settings.timeout())
                .initializationTimeout(settings.timeout())
                .jsonSchemaValidator(validator)
                .clientInfo(McpSchema.Implementation.builder("llm-gateway", version()).build())
                .toolsChangeConsumer(tools -> {
                    Connection connection = made.get();
                    if (connection != null && tools != null) {
                        connection.tools = List.copyOf(tools);
                        LOG.log(System.Logger.Level.INFO, "mcp server " + name() + " changed its tools: now "
                                + tools.size());
                        onChange.run();
                    }
                    return Mono.empty();
                })
                .build();
        try {
            McpSchema.InitializeResult init = client.initialize().block();
            if (init == null || init.capabilities() == null || init.capabilities().tools() == null) {
                throw new ToolException(ToolException.Kind.FAILED, "it does not offer tools (no tools capability)");
            }
            McpSchema.ListToolsResult list = client.listTools().block();
            List<McpSchema.Tool> tools = list == null ? List.of() : validTools(list.tools());
            Process process = transport instanceof StdioProcessTransport stdio ? stdio.process().orElse(null) : null;
            McpSchema.Implementation info = init.serverInfo();
            Connection connection = new Connection(client, process,
                    info == null ? "unnamed" : printable(info.name()) + " " + printable(info.version()), tools);
            made.set(connection);
            if (transport instanceof StdioProcessTransport stdio) {
                watchProcess(connection, stdio);
            }
            return connection;
        } catch (RuntimeException | Error e) {
            close(client, transport instanceof StdioProcessTransport stdio ? stdio.process().orElse(null) : null);
            throw e;
        }
    }

    /** Tools with a name the gateway can offer: non-blank, at most 128 characters, no control characters. */
    private List<McpSchema.Tool> validTools(List<McpSchema.Tool> tools) {
        if (tools == null) {
            return List.of();
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<McpSchema.Tool> valid = new java.util.ArrayList<>();
        for (McpSchema.Tool tool : tools) {
            String toolName = tool == null ? null : tool.name();
            if (toolName == null || toolName.isBlank() || toolName.length() > 128 || !printable(toolName).equals(toolName)
                    || !seen.add(toolName)) {
                LOG.log(System.Logger.Level.WARNING, "mcp server " + name() + " offers a tool the gateway leaves out:"
                        + " its name is empty, too long, repeated or holds control characters");
                continue;
            }
            valid.add(tool);
        }
        return List.copyOf(valid);
    }

    private McpClientTransport transport() {
        return switch (settings.transport()) {
            case STDIO -> {
                StdioProcessTransport stdio = new StdioProcessTransport(settings, mapper);
                stdio.setStdErrorHandler(line -> LOG.log(System.Logger.Level.DEBUG, "mcp server " + name()
                        + " stderr: " + printable(line)));
                yield stdio;
            }
            case HTTP -> HttpClientStreamableHttpTransport.builder(base(settings.url()))
                    .endpoint(endpoint(settings.url()))
                    .jsonMapper(mapper)
                    .connectTimeout(connectTimeout())
                    .requestBuilder(requestBuilder())
                    .build();
            case SSE -> HttpClientSseClientTransport.builder(base(settings.url()))
                    .sseEndpoint(endpoint(settings.url()))
                    .jsonMapper(mapper)
                    .connectTimeout(connectTimeout())
                    .requestBuilder(requestBuilder())
                    .build();
        };
    }

    private Duration connectTimeout() {
        return settings.timeout().compareTo(Duration.ofSeconds(10)) < 0 ? settings.timeout() : Duration.ofSeconds(10);
    }

    private HttpRequest.Builder requestBuilder() {
        HttpRequest.Builder builder = HttpRequest.newBuilder();
        settings.headers().forEach(builder::header);
        return builder;
    }

    static String base(URI url) {
        return url.getScheme() + "://" + url.getRawAuthority();
    }

    static String endpoint(URI url) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    /** Signals the supervisor when a stdio server's process exits. */
    private void watchProcess(Connection connection, StdioProcessTransport stdio) {
        Thread.ofVirtual().name("mcp-" + name() + "-process").start(() -> {
            String why;
            try {
                if (connection.process != null) {
                    int code = connection.process.waitFor();
                    why = "its process exited with code " + code;
                } else {
                    stdio.awaitForExit();
                    why = "its process exited";
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                why = "its process could not be watched: " + reason(e);
            }
            trouble(connection, why);
        });
    }

    /**
     * Waits while the connection is healthy: until the gateway closes, its process exits, a call failed
     * on the transport, or a ping goes unanswered.
     *
     * @return why it ended
     */
    private String watch(Connection connection) {
        Duration pingTimeout = settings.timeout().compareTo(Duration.ofSeconds(5)) < 0 ? settings.timeout()
                : Duration.ofSeconds(5);
        while (true) {
            synchronized (signal) {
                if (!closed && connection.trouble == null) {
                    try {
                        signal.wait(global.healthInterval().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return "the gateway is stopping";
                    }
                }
            }
            if (closed) {
                return "the gateway is stopping";
            }
            if (connection.trouble != null) {
                return connection.trouble;
            }
            try {
                connection.client.ping().timeout(pingTimeout).block();
            } catch (RuntimeException e) {
                return "it did not answer a ping: " + (causedBy(e, TimeoutException.class)
                        ? "no answer within " + pingTimeout.toSeconds() + "s" : reason(e));
            }
        }
    }

    private void trouble(Connection connection, String why) {
        if (connection.trouble == null) {
            connection.trouble = why;
        }
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void disconnect(Connection connection) {
        close(connection.client, connection.process);
    }

    /** Closes a client; a process that is still alive after the grace is killed. */
    private void close(McpAsyncClient client, Process process) {
        try {
            client.closeGracefully().block(CLOSE_GRACE);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "mcp server " + name() + " did not close cleanly: " + reason(e));
        }
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(CLOSE_GRACE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void sleep(Duration pause) {
        long until = System.nanoTime() + pause.toNanos();
        synchronized (signal) {
            while (!closed) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    signal.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Stops the supervisor and closes the connection (a stdio server's process ends with it). */
    @Override
    public void close() {
        closed = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        Thread thread;
        synchronized (this) {
            thread = supervisor;
        }
        if (thread != null) {
            try {
                if (!thread.join(Duration.ofSeconds(10))) {
                    thread.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Connection connection = current;
        if (connection != null) {
            current = null;
            disconnect(connection);
        }
        enter(State.CLOSED);
    }

    // ---------------------------------------------------------------- helpers

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A failure in a few words for logs and {@code /admin/mcp}: the innermost message, cut, without
     * control characters. Header values never reach exception messages of the HTTP client or the SDK.
     */
    static String reason(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof java.net.ConnectException) {
                return "connection refused";
            }
            if (cause instanceof java.net.http.HttpConnectTimeoutException) {
                return "connecting timed out";
            }
            if (cause instanceof io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException) {
                return "the server refused the gateway's credentials (401 or 403); check the server's headers";
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof ToolException) {
                break;
            }
            root = root.getCause();
        }
        String message = root.getMessage();
        String text = root.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
        if (root instanceof TimeoutException) {
            text = "no answer in time";
        } else if (root instanceof ToolException tool) {
            text = tool.getMessage();
        }
        return printable(text.length() > 300 ? text.substring(0, 300) + "…" : text);
    }

    /** Text from a server for logs and messages: control characters replaced, at most 300 characters. */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), 300));
        for (int i = 0; i < text.length() && i < 300; i++) {
            char c = text.charAt(i);
            out.append(c < ' ' || c == 127 || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        return out.toString();
    }

    private static String version() {
        String version = ToolServer.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    @Override
    public String toString() {
        return "ToolServer[" + name() + " " + state + "]";
    }
}
