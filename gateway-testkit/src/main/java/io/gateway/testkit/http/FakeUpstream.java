package io.gateway.testkit.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gateway.spi.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A scriptable HTTP/1.1 server on a free loopback port, standing in for an LLM provider in tests.
 *
 * <pre>{@code
 * try (FakeUpstream upstream = FakeUpstream.start()) {
 *     upstream.on("POST", "/v1/chat/completions").respond(
 *             Reply.error(500, "overloaded"),
 *             Reply.error(500, "overloaded"),
 *             Reply.json(200, "{\"id\":\"chatcmpl-1\"}"));
 *     // ... point the code under test at upstream.baseUrl() ...
 *     RecordedRequest first = upstream.takeRequest(Duration.ofSeconds(5));
 *     assertEquals("gpt-4o-mini", first.bodyJson().getString("model"));
 * }
 * }</pre>
 *
 * <p><b>Stubs.</b> {@link #on(String, String)} matches a method and an exact path (the query is
 * ignored), {@link #onPrefix(String, String)} a path prefix; method {@code "*"} matches any method.
 * The most recently registered matching stub answers; stubs of a preset such as {@link #openAi()}
 * answer only when no stub added with {@code on}/{@code onPrefix} matches. A stub with several
 * replies answers them in turn, and repeats the last one. Unmatched requests get a 404 OpenAI-style
 * error with code {@code not_found}.
 *
 * <p><b>Recording.</b> Every request is recorded, with its body, before its reply is written:
 * {@link #requests()}, {@link #lastRequest()}, {@link #takeRequest(Duration)}.
 *
 * <p><b>Connections.</b> Clients connect to a small relay in front of the HTTP server, so the fake
 * upstream sees every TCP connection open and close: {@link #openConnections()},
 * {@link #totalConnections()}, {@link RecordedRequest#connectionId()}. When a client closes or
 * resets its connection while a reply is delayed or streaming, or a write of the reply fails, the
 * request is marked ({@link RecordedRequest#clientDisconnected()}) and counted
 * ({@link #clientDisconnects()}, {@link #awaitClientDisconnect(Duration)}). A client that
 * half-closes its sending side is treated as gone, as HTTP clients close connections to abandon them.
 *
 * <p>Thread-safe. Handlers, the relay and streaming run on virtual threads. Close it to release the
 * port; closing ends replies still being written.
 */
public final class FakeUpstream implements AutoCloseable {

    static {
        // com.sun.net.httpserver leaves Nagle's algorithm on unless told otherwise, which can hold a
        // small SSE frame back until the previous segment is acknowledged. The property is read once,
        // when the first HttpServer is created in this JVM.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final System.Logger LOGGER = System.getLogger(FakeUpstream.class.getName());
    private static final InetAddress LOOPBACK = loopback();

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ServerSocket listener;
    private final HttpServer server;
    private final InetSocketAddress backendAddress;

    private final List<Stub> presetStubs = new CopyOnWriteArrayList<>();
    private final List<Stub> stubs = new CopyOnWriteArrayList<>();

    private final List<RecordedRequest> recorded = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<RecordedRequest> unclaimed = new LinkedBlockingQueue<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicInteger clientDisconnects = new AtomicInteger();
    private final Set<RecordedRequest> inFlight = ConcurrentHashMap.newKeySet();

    private final Map<Integer, Connection> connectionsByBackendPort = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicLong totalConnections = new AtomicLong();

    private final Object monitor = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();

    private FakeUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 128);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        backendAddress = new InetSocketAddress(LOOPBACK, server.getAddress().getPort());
        try {
            listener = new ServerSocket(0, 128, LOOPBACK);
        } catch (IOException e) {
            server.stop(0);
            executor.shutdownNow();
            throw e;
        }
        executor.execute(this::acceptLoop);
    }

    /**
     * Starts an upstream without stubs on {@code 127.0.0.1} and a free port.
     *
     * @return the running upstream
     * @throws UncheckedIOException if no port could be bound
     */
    public static FakeUpstream start() {
        try {
            return new FakeUpstream();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the fake upstream", e);
        }
    }

    /**
     * Starts an upstream that answers the OpenAI routes under {@code /v1} like OpenAI does, with
     * fixed content and the requested model echoed: {@code POST chat/completions}, {@code completions},
     * {@code responses}, {@code embeddings}, {@code images/generations} (SSE when the request says
     * {@code "stream": true}) and {@code GET models}. See {@link OpenAiPreset} for the exact answers.
     * Stubs added with {@link #on} take precedence, so a test can still script failures.
     *
     * @return the running upstream
     */
    public static FakeUpstream openAi() {
        FakeUpstream upstream = start();
        String prefix = "/v1/";
        upstream.preset("POST", prefix + "chat/completions", Reply.from(OpenAiPreset::chatCompletions));
        upstream.preset("POST", prefix + "completions", Reply.from(OpenAiPreset::completions));
        upstream.preset("POST", prefix + "responses", Reply.from(OpenAiPreset::responses));
        upstream.preset("POST", prefix + "embeddings", Reply.from(OpenAiPreset::embeddings));
        upstream.preset("POST", prefix + "images/generations", Reply.from(OpenAiPreset::imageGenerations));
        upstream.preset("GET", prefix + "models", Reply.from(OpenAiPreset::models));
        return upstream;
    }

    private void preset(String method, String path, Reply reply) {
        presetStubs.add(new Stub(method, path, false).replies(List.of(reply)));
    }

    // ---------------------------------------------------------------- addresses

    /**
     * The base URL, without a trailing slash.
     *
     * @return e.g. {@code http://127.0.0.1:54321}
     */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * The base URL plus a path.
     *
     * @param path a path starting with {@code /}, may include a query
     * @return the URI
     */
    public URI uri(String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        return URI.create(baseUrl() + path);
    }

    /**
     * The port clients connect to.
     *
     * @return the port
     */
    public int port() {
        return listener.getLocalPort();
    }

    // ---------------------------------------------------------------- stubbing

    /**
     * Starts a stub for a method and an exact path; finish it with {@link Stub#respond}.
     *
     * @param method the HTTP method, or {@code "*"} for any
     * @param path   the exact path, starting with {@code /}; the query is not part of it
     * @return the stub builder
     */
    public Stub on(String method, String path) {
        return new Stub(method, path, false);
    }

    /**
     * Starts a stub for a method and every path starting with a prefix; finish it with
     * {@link Stub#respond}.
     *
     * @param method     the HTTP method, or {@code "*"} for any
     * @param pathPrefix the path prefix, starting with {@code /}
     * @return the stub builder
     */
    public Stub onPrefix(String method, String pathPrefix) {
        return new Stub(method, pathPrefix, true);
    }

    /**
     * Removes the stubs added with {@link #on}/{@link #onPrefix} (a preset's routes stay), forgets
     * the recorded requests and sets {@link #clientDisconnects()} to zero. Connections stay open.
     *
     * @return this upstream
     */
    public FakeUpstream reset() {
        stubs.clear();
        recorded.clear();
        unclaimed.clear();
        clientDisconnects.set(0);
        signal();
        return this;
    }

    /**
     * A stub being defined: which requests it matches. Nothing is registered until
     * {@link #respond} is called.
     */
    public final class Stub {
        private final String method;
        private final String path;
        private final boolean prefix;
        private final List<Reply> replies;
        private final AtomicInteger calls = new AtomicInteger();

        private Stub(String method, String path, boolean prefix) {
            this(method, path, prefix, List.of());
        }

        private Stub(String method, String path, boolean prefix, List<Reply> replies) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            if (method.isBlank()) {
                throw new IllegalArgumentException("method must not be blank");
            }
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/': " + path);
            }
            this.method = method.equals("*") ? "*" : method.toUpperCase(Locale.ROOT);
            this.path = path;
            this.prefix = prefix;
            this.replies = replies;
        }

        private Stub replies(List<Reply> replies) {
            return new Stub(method, path, prefix, replies);
        }

        /**
         * Registers the stub. The first matching request gets the first reply, the second the
         * second, and so on; once they are used up the last reply repeats. Registering the same
         * method and path again replaces the earlier stub, and its sequence starts over.
         *
         * @param first the first reply
         * @param then  the following replies
         * @return the upstream, for more stubs
         */
        public FakeUpstream respond(Reply first, Reply... then) {
            List<Reply> all = new ArrayList<>(1 + then.length);
            all.add(Objects.requireNonNull(first, "first"));
            for (Reply reply : then) {
                all.add(Objects.requireNonNull(reply, "reply"));
            }
            return respond(all);
        }

        /**
         * Registers the stub with a sequence of replies, see {@link #respond(Reply, Reply...)}.
         *
         * @param sequence the replies, at least one
         * @return the upstream, for more stubs
         */
        public FakeUpstream respond(List<Reply> sequence) {
            if (sequence.isEmpty()) {
                throw new IllegalArgumentException("a stub needs at least one reply");
            }
            stubs.add(replies(List.copyOf(sequence)));
            return FakeUpstream.this;
        }

        private boolean matches(String requestMethod, String requestPath) {
            boolean methodMatches = method.equals("*") || method.equals(requestMethod);
            boolean pathMatches = prefix ? requestPath.startsWith(path) : requestPath.equals(path);
            return methodMatches && pathMatches;
        }

        private Reply next() {
            int call = calls.getAndIncrement();
            return replies.get(Math.min(call, replies.size() - 1));
        }

        @Override
        public String toString() {
            return "Stub[" + method + " " + path + (prefix ? "*" : "") + ", " + replies.size() + " replies]";
        }
    }

    // ---------------------------------------------------------------- recording

    /**
     * Every request received since start or the last {@link #reset()}, in arrival order.
     *
     * @return a snapshot
     */
    public List<RecordedRequest> requests() {
        return List.copyOf(recorded);
    }

    /**
     * The recorded requests to an exact path (query ignored).
     *
     * @param path the path
     * @return a snapshot, in arrival order
     */
    public List<RecordedRequest> requests(String path) {
        return recorded.stream().filter(r -> r.path().equals(path)).toList();
    }

    /**
     * The most recent request.
     *
     * @return the request
     * @throws IllegalStateException if none was received
     */
    public RecordedRequest lastRequest() {
        List<RecordedRequest> snapshot = requests();
        if (snapshot.isEmpty()) {
            throw new IllegalStateException("the fake upstream has not received a request");
        }
        return snapshot.get(snapshot.size() - 1);
    }

    /**
     * Takes the oldest request not taken yet, waiting for one to arrive. Each request is returned
     * once; {@link #requests()} is not affected.
     *
     * @param timeout how long to wait at most
     * @return the request, or {@code null} if none arrived in time
     */
    public RecordedRequest takeRequest(Duration timeout) {
        try {
            return unclaimed.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a request", e);
        }
    }

    /**
     * How many requests were received since start or the last {@link #reset()}.
     *
     * @return the count
     */
    public int requestCount() {
        return recorded.size();
    }

    /**
     * Waits until at least {@code count} requests were received.
     *
     * @param count   the number of requests
     * @param timeout how long to wait at most
     * @return {@code true} if they arrived, {@code false} on timeout
     */
    public boolean awaitRequestCount(int count, Duration timeout) {
        return await(() -> recorded.size() >= count, timeout);
    }

    // ---------------------------------------------------------------- connections

    /**
     * How many client connections are open now.
     *
     * @return the count
     */
    public int openConnections() {
        return connections.size();
    }

    /**
     * How many client connections were accepted since start.
     *
     * @return the count
     */
    public long totalConnections() {
        return totalConnections.get();
    }

    /**
     * Waits until exactly {@code count} client connections are open, for example 0 after a client
     * should have released everything.
     *
     * @param count   the expected number of open connections
     * @param timeout how long to wait at most
     * @return {@code true} if reached, {@code false} on timeout
     */
    public boolean awaitOpenConnections(int count, Duration timeout) {
        return await(() -> connections.size() == count, timeout);
    }

    /**
     * How many requests' clients went away before their reply was complete, since start or the last
     * {@link #reset()} (see {@link RecordedRequest#clientDisconnected()}).
     *
     * @return the count
     */
    public int clientDisconnects() {
        return clientDisconnects.get();
    }

    /**
     * Waits until some request's client went away before its reply was complete.
     *
     * @param timeout how long to wait at most
     * @return {@code true} if one did (since start or the last {@link #reset()}), {@code false} on timeout
     */
    public boolean awaitClientDisconnect(Duration timeout) {
        return await(() -> clientDisconnects.get() > 0, timeout);
    }

    private boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting", e);
                }
            }
            return true;
        }
    }

    private void signal() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Stops the server, closes every connection and ends replies still being written. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            listener.close();
        } catch (IOException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "closing the listener failed", e);
        }
        inFlight.forEach(RecordedRequest::stop);
        for (Connection connection : List.copyOf(connections)) {
            connection.close();
        }
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        signal();
    }

    @Override
    public String toString() {
        return "FakeUpstream[" + baseUrl() + ", " + stubs.size() + " stubs, " + recorded.size() + " requests, "
                + connections.size() + " open connections]";
    }

    // ---------------------------------------------------------------- relay

    private void acceptLoop() {
        while (!closed.get()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOGGER.log(System.Logger.Level.WARNING, "fake upstream stopped accepting connections", e);
                }
                return;
            }
            Socket backend = new Socket();
            try {
                client.setTcpNoDelay(true);
                backend.setTcpNoDelay(true);
                backend.connect(backendAddress, 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(backend);
                continue;
            }
            Connection connection = new Connection(connectionIds.incrementAndGet(), client, backend);
            connectionsByBackendPort.put(backend.getLocalPort(), connection);
            connections.add(connection);
            totalConnections.incrementAndGet();
            signal();
            try {
                executor.execute(connection::pumpClientToBackend);
                executor.execute(connection::pumpBackendToClient);
            } catch (RuntimeException e) {
                connection.close();
                return;
            }
        }
    }

    /**
     * One client connection, relayed byte for byte to its own connection to the HTTP server. The
     * relay sees the client close or reset the connection at once, even while no reply bytes flow.
     */
    private final class Connection {
        private final long id;
        private final Socket client;
        private final Socket backend;
        private final AtomicBoolean closing = new AtomicBoolean();
        private volatile boolean clientGone;
        private volatile RecordedRequest current;

        Connection(long id, Socket client, Socket backend) {
            this.id = id;
            this.client = client;
            this.backend = backend;
        }

        void pumpClientToBackend() {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = client.getInputStream();
                OutputStream out = backend.getOutputStream();
                while (true) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (IOException e) {
                        n = -1;
                    }
                    if (n < 0) {
                        clientClosed();
                        return;
                    }
                    try {
                        out.write(buffer, 0, n);
                    } catch (IOException e) {
                        close();
                        return;
                    }
                }
            } catch (IOException e) {
                close();
            }
        }

        void pumpBackendToClient() {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = backend.getInputStream();
                OutputStream out = client.getOutputStream();
                while (true) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (IOException e) {
                        n = -1;
                    }
                    if (n < 0) {
                        // the HTTP server closed the connection: propagate the close to the client
                        close();
                        return;
                    }
                    try {
                        out.write(buffer, 0, n);
                    } catch (IOException e) {
                        clientClosed();
                        return;
                    }
                }
            } catch (IOException e) {
                close();
            }
        }

        void attach(RecordedRequest request) {
            current = request;
            if (clientGone) {
                request.clientWentAway(false);
            }
        }

        void detach(RecordedRequest request) {
            if (current == request) {
                current = null;
            }
        }

        private void clientClosed() {
            if (closing.get()) {
                return;
            }
            clientGone = true;
            RecordedRequest request = current;
            if (request != null) {
                request.clientWentAway(false);
            }
            close();
        }

        void close() {
            if (!closing.compareAndSet(false, true)) {
                return;
            }
            closeQuietly(client);
            closeQuietly(backend);
            connectionsByBackendPort.remove(backend.getLocalPort(), this);
            connections.remove(this);
            signal();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOGGER.log(System.Logger.Level.TRACE, "closing a socket failed", e);
        }
    }

    // ---------------------------------------------------------------- HTTP handling

    /** Thrown from the handler to make com.sun.net.httpserver close the connection. */
    private static final class DropConnection extends RuntimeException {
        DropConnection() {
            super("fake upstream drops the connection", null, false, false);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        Connection connection = connectionsByBackendPort.get(exchange.getRemoteAddress().getPort());
        RecordedRequest request = record(exchange, connection);
        inFlight.add(request);
        if (connection != null) {
            connection.attach(request);
        }
        try {
            if (closed.get()) {
                throw new DropConnection();
            }
            send(exchange, request, match(request));
        } catch (IOException e) {
            request.clientWentAway(true);
            throw new DropConnection();
        } finally {
            request.ended();
            inFlight.remove(request);
            if (connection != null) {
                connection.detach(request);
            }
        }
    }

    private RecordedRequest record(HttpExchange exchange, Connection connection) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Headers.Builder headers = Headers.builder();
        exchange.getRequestHeaders().forEach((name, values) -> values.forEach(value -> headers.add(name, value)));
        URI uri = exchange.getRequestURI();
        RecordedRequest request = new RecordedRequest(sequence.getAndIncrement(), exchange.getRequestMethod(),
                uri.getRawPath() == null ? "/" : uri.getRawPath(), uri.getRawQuery(), headers.build(), body,
                connection == null ? 0 : connection.id, Instant.now(), this::countClientDisconnect);
        recorded.add(request);
        unclaimed.add(request);
        signal();
        return request;
    }

    private void countClientDisconnect() {
        clientDisconnects.incrementAndGet();
        signal();
    }

    private Reply match(RecordedRequest request) {
        for (List<Stub> group : List.of(stubs, presetStubs)) {
            for (int i = group.size() - 1; i >= 0; i--) {
                Stub stub = group.get(i);
                if (stub.matches(request.method(), request.path())) {
                    return stub.next();
                }
            }
        }
        return Reply.json(404, Reply.errorBody("invalid_request_error", "not_found",
                "Invalid URL (" + request.method() + " " + request.path() + "): no stub of the fake upstream matches"));
    }

    private void send(HttpExchange exchange, RecordedRequest request, Reply initial) throws IOException {
        Reply reply = initial;
        for (int depth = 0; ; depth++) {
            if (!reply.delayBefore().isZero() && !request.pause(reply.delayBefore())) {
                throw new DropConnection();
            }
            if (reply.kind() != Reply.Kind.DYNAMIC) {
                break;
            }
            if (depth > 16) {
                throw new IllegalStateException("Reply.from handlers nested more than 16 deep");
            }
            reply = resolve(reply, request);
        }
        switch (reply.kind()) {
            case DROP -> {
                request.lastWriteStarting();
                throw new DropConnection();
            }
            case FIXED -> sendFixed(exchange, request, reply);
            case TRUNCATED -> sendTruncated(exchange, request, reply);
            case STREAM -> sendStream(exchange, request, reply);
            case GENERATED -> sendGenerated(exchange, request, reply);
            case DYNAMIC -> throw new IllegalStateException("unresolved dynamic reply");
        }
    }

    private static Reply resolve(Reply dynamic, RecordedRequest request) {
        try {
            Reply reply = dynamic.handler().apply(request);
            if (reply == null) {
                throw new NullPointerException("the Reply.from handler returned null");
            }
            return reply;
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "a Reply.from handler of the fake upstream failed", e);
            return Reply.json(500, Reply.errorBody("server_error", "fake_upstream_handler_failed",
                    "the fake upstream's reply handler failed: " + e));
        }
    }

    private static void applyHeaders(HttpExchange exchange, Reply reply) {
        com.sun.net.httpserver.Headers out = exchange.getResponseHeaders();
        for (Reply.Header header : reply.effectiveHeaders()) {
            out.add(header.name(), header.value());
        }
    }

    private void sendFixed(HttpExchange exchange, RecordedRequest request, Reply reply) throws IOException {
        applyHeaders(exchange, reply);
        byte[] body = reply.body();
        int status = reply.status();
        boolean bodyless = status < 200 || status == 204 || status == 304
                || exchange.getRequestMethod().equals("HEAD") || body.length == 0;
        request.lastWriteStarting();
        request.replied(body);
        exchange.sendResponseHeaders(status, bodyless ? -1 : body.length);
        if (bodyless) {
            exchange.close();
        } else {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        request.completed();
    }

    private void sendTruncated(HttpExchange exchange, RecordedRequest request, Reply reply) throws IOException {
        applyHeaders(exchange, reply);
        request.lastWriteStarting();
        exchange.sendResponseHeaders(reply.status(), reply.declaredLength());
        OutputStream out = exchange.getResponseBody();
        out.write(reply.body());
        // sendResponseHeaders only buffers the head; flush so the client gets head and partial body
        out.flush();
        throw new DropConnection();
    }

    private void sendGenerated(HttpExchange exchange, RecordedRequest request, Reply reply) throws IOException {
        applyHeaders(exchange, reply);
        request.lastWriteStarting();
        exchange.sendResponseHeaders(reply.status(), reply.declaredLength() == 0 ? -1 : reply.declaredLength());
        if (reply.declaredLength() == 0) {
            exchange.close();
            request.completed();
            return;
        }
        try (InputStream in = reply.generator().get(); OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
        } catch (IOException e) {
            request.clientWentAway(true);
            throw new DropConnection();
        }
        request.completed();
    }

    private void sendStream(HttpExchange exchange, RecordedRequest request, Reply reply) throws IOException {
        applyHeaders(exchange, reply);
        List<Reply.Chunk> chunks = reply.chunks();
        if (chunks.isEmpty()) {
            request.lastWriteStarting();
        }
        exchange.sendResponseHeaders(reply.status(), 0);
        OutputStream out = exchange.getResponseBody();
        try {
            // com.sun.net.httpserver buffers the status line and headers until the first flush
            out.flush();
            for (int i = 0; i < chunks.size(); i++) {
                Reply.Chunk chunk = chunks.get(i);
                if (i == reply.holdAfter() && !request.hold(reply.gate())) {
                    throw new DropConnection();
                }
                if (!chunk.delay().isZero() && !request.pause(chunk.delay())) {
                    throw new DropConnection();
                }
                if (i == chunks.size() - 1) {
                    request.lastWriteStarting();
                }
                byte[] bytes = chunk.raw();
                if (bytes.length > 0) {
                    out.write(bytes);
                    // one chunk per frame, pushed to the socket now rather than when 4 KiB are buffered
                    out.flush();
                }
            }
        } catch (IOException e) {
            request.clientWentAway(true);
            throw new DropConnection();
        }
        if (reply.dropAfterBody()) {
            throw new DropConnection();
        }
        try {
            out.close();
        } catch (IOException e) {
            request.clientWentAway(true);
            throw new DropConnection();
        }
        request.completed();
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
