import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many long streams through the gateway: N concurrent server-sent-event streams from a fake OpenAI
 * upstream that sends one {@code chat.completion.chunk} every INTERVAL ms for SECONDS s, received by
 * a client in the same JVM, first straight from the upstream ("direct"), then through the gateway
 * distribution. Run by bench/long-streams.sh; not part of the test suite.
 *
 * <pre>java LongStreams.java GATEWAY_DIR [streams=5000] [seconds=30] [interval-ms=20]</pre>
 *
 * <p>The upstream and the client are small non-blocking NIO loops (one selector thread each by
 * default), so that thousands of connections cost the harness little memory and no thread each.
 * Because both live in this JVM, the upstream writes its {@link System#nanoTime()} into every event
 * (in {@code choices[0].delta.content}) and the client takes the arrival time on the same clock:
 * each event's latency (arrival − send) and each stream's inter-event gaps (arrival − previous
 * arrival) are exact, and "added" is a percentile through the gateway minus the same percentile
 * direct, both pooled over every event of the phase.
 *
 * <p>Environment: RAMP_SECONDS (streams are started evenly over this time; default streams / 1000,
 * at least 1), CLIENT_THREADS and UPSTREAM_THREADS (selector threads, default 1 each), WARMUP_STREAMS
 * and WARMUP_SECONDS (a short run through the gateway and direct before measuring; default
 * min(streams, 500) and 10; WARMUP_STREAMS=0 skips it), GRACE_SECONDS (how long after the last
 * stream's scheduled end the phase waits before it counts unfinished streams as errors; default 60),
 * MAX_CONCURRENCY (the provider's max-concurrency in the gateway's configuration; default the
 * number of streams), PHASES (default "direct,gateway"). JAVA_OPTS reaches bin/gateway unchanged.
 * Exit status 1 when any stream of a measured phase failed.
 */
public final class LongStreams {

    static final long START = System.nanoTime();

    public static void main(String[] args) throws Exception {
        Path gatewayDir = Path.of(args[0]).toAbsolutePath();
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int intervalMs = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        if (streams < 1 || seconds < 1 || intervalMs < 1 || seconds * 1000L / intervalMs < 2) {
            throw new IllegalArgumentException("need streams ≥ 1 and at least two events per stream");
        }
        double ramp = doubleEnv("RAMP_SECONDS", Math.max(1.0, streams / 1000.0));
        int clientThreads = intEnv("CLIENT_THREADS", 1);
        int upstreamThreads = intEnv("UPSTREAM_THREADS", 1);
        int warmupStreams = intEnv("WARMUP_STREAMS", Math.min(streams, 500));
        int warmupSeconds = intEnv("WARMUP_SECONDS", 10);
        int grace = intEnv("GRACE_SECONDS", 60);
        int maxConcurrency = intEnv("MAX_CONCURRENCY", streams);
        List<String> phases = List.of(env("PHASES", "direct,gateway").split(","));
        int events = (int) (seconds * 1000L / intervalMs);
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);

        Report report = new Report(streams, seconds, intervalMs, events, ramp, clientThreads, upstreamThreads);
        report.loadStart = loadAverage();
        report.started = Instant.now();

        Upstream upstream = new Upstream(upstreamThreads, events, intervalNanos);
        int gatewayPort = freePort();
        int maxConnections = Math.max(10_000, streams + 1_000);
        String config = """
                # written by bench/longstreams/LongStreams.java
                server:
                  host: 127.0.0.1
                  port: %d
                  max-connections: %d
                gateway:
                  plugins-dir: %s
                  providers:
                    openai:
                      type: openai
                      base-url: http://127.0.0.1:%d/v1
                      keys:
                        - name: bench
                          value: sk-bench-not-a-real-key
                      max-concurrency: %d
                """.formatted(gatewayPort, maxConnections, gatewayDir.resolve("plugins"), upstream.port(),
                maxConcurrency);
        report.config = config.replace(gatewayDir.resolve("plugins").toString(), "GATEWAY_DIR/plugins")
                .replace("port: " + gatewayPort + "\n", "port: GATEWAY_PORT\n")
                .replace(":" + upstream.port() + "/", ":UPSTREAM_PORT/");
        Path configFile = Files.createTempFile("long-streams", ".yaml");
        Files.writeString(configFile, config);
        Path log = Files.createTempFile("long-streams-gateway", ".log");
        Process gateway = new ProcessBuilder(gatewayDir.resolve("bin/gateway").toString(), "--config",
                configFile.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Proc gw = new Proc(gateway.pid());
        int status = 1;
        try {
            waitForHealth(gatewayPort, gateway);
            report.gatewayFlags = gw.jvmFlags();
            report.rssAfterStart = gw.status("VmRSS");
            String model = "gpt-4o-mini";
            Target direct = new Target("direct", upstream.port(), model);
            Target through = new Target("gateway", gatewayPort, "openai/" + model);
            if (warmupStreams > 0) {
                int warmEvents = (int) (warmupSeconds * 1000L / intervalMs);
                log("warm-up: %d streams × %d s through the gateway, then direct", warmupStreams, warmupSeconds);
                upstream.events = warmEvents;
                for (Target target : List.of(through, direct)) {
                    Phase warm = runPhase(target, warmupStreams, warmEvents, intervalNanos,
                            Math.max(1.0, warmupStreams / 1000.0), clientThreads, upstream, gw, grace);
                    log("warm-up %s: %d of %d streams complete, errors %s", target.name, warm.ok, warmupStreams,
                            warm.errors);
                }
                upstream.events = events;
                Thread.sleep(3_000);
            }
            report.rssIdle = gw.status("VmRSS");
            for (String name : phases) {
                Target target = switch (name.trim()) {
                    case "direct" -> direct;
                    case "gateway" -> through;
                    default -> throw new IllegalArgumentException("PHASES: unknown phase " + name);
                };
                log("%s: %d streams × %d events, one every %d ms, started over %.1f s", target.name, streams,
                        events, intervalMs, ramp);
                Phase phase = runPhase(target, streams, events, intervalNanos, ramp, clientThreads, upstream, gw,
                        grace);
                report.phases.put(target.name, phase);
                log("%s: %d of %d streams complete, errors %s", target.name, phase.ok, streams, phase.errors);
                Thread.sleep(2_000);
            }
            report.rssEnd = gw.status("VmRSS");
            Thread.sleep(10_000);
            report.rssAfterIdle = gw.status("VmRSS");
            report.hwm = gw.status("VmHWM");
            report.gatewayAlive = gateway.isAlive();
            report.loadEnd = loadAverage();
            report.logLines = logSummary(log);
            report.print();
            boolean clean = report.phases.values().stream().allMatch(p -> p.failed() == 0);
            status = clean && report.gatewayAlive ? 0 : 1;
        } finally {
            gateway.destroy();
            gateway.waitFor(15, TimeUnit.SECONDS);
            upstream.stop();
            System.out.println("gateway log: " + log);
        }
        System.exit(status);
    }

    /** One side to stream from: the upstream itself or the gateway in front of it. */
    record Target(String name, int port, String model) {
    }

    /** Runs one phase: every stream, to its end or the deadline; measures CPU and RSS around it. */
    static Phase runPhase(Target target, int streams, int events, long intervalNanos, double ramp, int threads,
                          Upstream upstream, Proc gw, int graceSeconds) throws Exception {
        Phase phase = new Phase(target.name, streams, events);
        upstream.beginPhase(phase);
        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long rampNanos = (long) (ramp * 1e9);
        long deadline = t0 + rampNanos + events * intervalNanos + TimeUnit.SECONDS.toNanos(graceSeconds);
        byte[] body = ("{\"model\":\"" + target.model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Write a long story about many concurrent streams.\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] request = ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + target.port
                + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
                + "Authorization: Bearer sk-client-unused\r\nContent-Length: " + body.length + "\r\n\r\n"
                + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", target.port);
        ClientLoop[] loops = new ClientLoop[threads];
        for (int i = 0; i < threads; i++) {
            List<Stream> mine = new ArrayList<>();
            for (int s = i; s < streams; s += threads) {
                mine.add(new Stream(s, t0 + (long) ((double) rampNanos * s / streams)));
            }
            loops[i] = new ClientLoop(i, mine, address, request, events, deadline, phase);
        }
        Cpu before = Cpu.read(gw, upstream);
        Sampler sampler = new Sampler(gw, phase, t0 + rampNanos + events * intervalNanos / 2);
        sampler.start();
        for (ClientLoop loop : loops) {
            loop.start();
        }
        for (ClientLoop loop : loops) {
            loop.join();
        }
        phase.wallNanos = System.nanoTime() - t0;
        Cpu after = Cpu.read(gw, upstream);
        sampler.stopAndJoin();
        upstream.endPhase();
        phase.cpu = after.minus(before);
        for (ClientLoop loop : loops) {
            phase.merge(loop.stats);
            phase.clientCpuNanos += loop.cpuNanos;
        }
        return phase;
    }

    // ------------------------------------------------------------------------------------ upstream

    /**
     * The fake OpenAI upstream: answers every POST with a chunked SSE stream of {@code events}
     * chat.completion.chunk events, one every interval after the request arrived, then
     * {@code data: [DONE]}. Keeps connections alive for the next request.
     */
    static final class Upstream {
        final ServerSocketChannel server;
        final UpstreamLoop[] loops;
        volatile int events;
        final long intervalNanos;
        Phase phase;

        Upstream(int threads, int events, long intervalNanos) throws IOException {
            this.events = events;
            this.intervalNanos = intervalNanos;
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
            server.configureBlocking(false);
            loops = new UpstreamLoop[threads];
            for (int i = 0; i < threads; i++) {
                loops[i] = new UpstreamLoop(this, i);
            }
            server.register(loops[0].selector, SelectionKey.OP_ACCEPT);
            for (UpstreamLoop loop : loops) {
                loop.start();
            }
        }

        int port() throws IOException {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        }

        void beginPhase(Phase phase) throws Exception {
            swapStats();
            this.phase = phase;
        }

        void endPhase() throws Exception {
            for (UpstreamStats stats : swapStats()) {
                phase.mergeUpstream(stats);
            }
        }

        /** Gives every loop fresh counters, in its own thread, and returns the old ones. */
        List<UpstreamStats> swapStats() throws Exception {
            List<UpstreamStats> old = new ArrayList<>();
            for (UpstreamLoop loop : loops) {
                CompletableFuture<UpstreamStats> done = new CompletableFuture<>();
                loop.tasks.add(() -> {
                    done.complete(loop.stats);
                    loop.stats = new UpstreamStats();
                });
                loop.selector.wakeup();
                old.add(done.get(10, TimeUnit.SECONDS));
            }
            return old;
        }

        long cpuNanos() {
            long sum = 0;
            for (UpstreamLoop loop : loops) {
                sum += THREADS.getThreadCpuTime(loop.threadId());
            }
            return sum;
        }

        void stop() {
            for (UpstreamLoop loop : loops) {
                loop.running = false;
                loop.selector.wakeup();
            }
        }
    }

    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static final byte[] RESPONSE_HEAD = ("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            + "cache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    static final byte[] EVENT_PREFIX = "data: {\"id\":\"chatcmpl-ls".getBytes(StandardCharsets.US_ASCII);
    static final byte[] EVENT_MIDDLE = ("\",\"object\":\"chat.completion.chunk\",\"created\":1765000000,"
            + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"").getBytes(StandardCharsets.US_ASCII);
    static final byte[] EVENT_SUFFIX = "\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"
            .getBytes(StandardCharsets.US_ASCII);
    static final byte[] EVENT_SUFFIX_LAST = "\"},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n"
            .getBytes(StandardCharsets.US_ASCII);
    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CRLF = {'\r', '\n'};
    static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Counters of one upstream loop for one phase; written by that loop only. */
    static final class UpstreamStats {
        final Histogram lateness = new Histogram();
        long streamsStarted;
        long streamsCompleted;
        long closedMidStream;
        long partialWrites;
        long eventsSent;
    }

    /** One connection to the upstream. Owned by its loop's thread. */
    static final class UpConn {
        final SocketChannel channel;
        SelectionKey key;
        byte[] request = new byte[1024];
        int requestLength;
        boolean streaming;
        boolean closed;
        int seq;
        int events;
        long due;
        final byte[] id;
        ByteBuffer pending; // unwritten bytes, in write mode; null when none

        UpConn(SocketChannel channel, long number) {
            this.channel = channel;
            this.id = String.format(Locale.ROOT, "%08d", number).getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** One selector thread of the upstream: accepts (loop 0), reads requests, sends due events. */
    static final class UpstreamLoop extends Thread {
        final Upstream upstream;
        final int index;
        final Selector selector;
        final ConcurrentLinkedQueue<SocketChannel> handedOver = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        final PriorityQueue<UpConn> schedule = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
        final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
        volatile boolean running = true;
        UpstreamStats stats = new UpstreamStats(); // replaced by a task in this thread only
        long accepted;
        int nextLoop;

        UpstreamLoop(Upstream upstream, int index) throws IOException {
            super("upstream-" + index);
            setDaemon(true);
            this.upstream = upstream;
            this.index = index;
            this.selector = Selector.open();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    sendDue();
                    UpConn next = schedule.peek();
                    long wait = next == null ? TimeUnit.MILLISECONDS.toNanos(100) : next.due - System.nanoTime();
                    if (wait <= 0) {
                        selector.selectNow();
                    } else {
                        selector.select(Math.max(1, (wait + 999_999) / 1_000_000));
                    }
                    SocketChannel handed;
                    while ((handed = handedOver.poll()) != null) {
                        adopt(handed);
                    }
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                    }
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                            continue;
                        }
                        UpConn conn = (UpConn) key.attachment();
                        if (key.isWritable()) {
                            flushPending(conn);
                        }
                        if (key.isValid() && key.isReadable()) {
                            read(conn);
                        }
                    }
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }

        void accept() throws IOException {
            SocketChannel channel;
            while ((channel = upstream.server.accept()) != null) {
                UpstreamLoop target = upstream.loops[nextLoop++ % upstream.loops.length];
                if (target == this) {
                    adopt(channel);
                } else {
                    target.handedOver.add(channel);
                    target.selector.wakeup();
                }
            }
        }

        void adopt(SocketChannel channel) throws IOException {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            UpConn conn = new UpConn(channel, (long) index << 32 | accepted++);
            conn.key = channel.register(selector, SelectionKey.OP_READ, conn);
        }

        void read(UpConn conn) {
            int n;
            try {
                in.clear();
                n = conn.channel.read(in);
            } catch (IOException e) {
                n = -1;
            }
            if (n < 0) {
                if (conn.streaming) {
                    stats.closedMidStream++;
                }
                close(conn);
                return;
            }
            if (conn.requestLength + n > conn.request.length) {
                conn.request = Arrays.copyOf(conn.request, Math.max(conn.request.length * 2, conn.requestLength + n));
            }
            System.arraycopy(in.array(), 0, conn.request, conn.requestLength, n);
            conn.requestLength += n;
            if (!conn.streaming) {
                startIfRequestComplete(conn);
            }
        }

        /** Starts the stream when a whole request (headers and Content-Length body) has arrived. */
        void startIfRequestComplete(UpConn conn) {
            int headEnd = indexOf(conn.request, 0, conn.requestLength, HEAD_END);
            if (headEnd < 0) {
                return;
            }
            String head = new String(conn.request, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            int contentLength = 0;
            int at = head.indexOf("\r\ncontent-length:");
            if (at >= 0) {
                int end = head.indexOf('\r', at + 2);
                contentLength = Integer.parseInt(head.substring(at + 17, end < 0 ? head.length() : end).trim());
            }
            int total = headEnd + 4 + contentLength;
            if (conn.requestLength < total) {
                return;
            }
            System.arraycopy(conn.request, total, conn.request, 0, conn.requestLength - total);
            conn.requestLength -= total;
            conn.streaming = true;
            conn.seq = 0;
            conn.events = upstream.events;
            conn.due = System.nanoTime();
            stats.streamsStarted++;
            writeEvent(conn, true);
        }

        /**
         * Sends the events that are due, at most {@value #SEND_BATCH} before the loop looks at its
         * sockets again: when it falls behind it must still accept connections and read requests
         * (new streams would otherwise wait for the backlog of old ones).
         */
        void sendDue() {
            long now = System.nanoTime();
            UpConn next;
            int sent = 0;
            while (sent < SEND_BATCH && (next = schedule.peek()) != null && next.due - now <= 0) {
                schedule.poll();
                if (!next.closed) {
                    writeEvent(next, false);
                    sent++;
                }
                now = System.nanoTime();
            }
        }

        static final int SEND_BATCH = 256;

        /** Writes event {@code conn.seq} (with the response head before the first) and schedules the next. */
        void writeEvent(UpConn conn, boolean head) {
            ByteBuffer b = out;
            b.clear();
            if (head) {
                b.put(RESPONSE_HEAD);
            }
            boolean last = conn.seq == conn.events - 1;
            long sent = System.nanoTime();
            int length = EVENT_PREFIX.length + conn.id.length + EVENT_MIDDLE.length + digits(conn.seq) + 1
                    + digits(sent) + (last ? EVENT_SUFFIX_LAST.length + DONE.length : EVENT_SUFFIX.length);
            putHex(b, length);
            b.put(CRLF).put(EVENT_PREFIX).put(conn.id).put(EVENT_MIDDLE);
            putLong(b, conn.seq);
            b.put((byte) ' ');
            putLong(b, sent);
            if (last) {
                b.put(EVENT_SUFFIX_LAST).put(DONE).put(CRLF).put(LAST_CHUNK);
            } else {
                b.put(EVENT_SUFFIX).put(CRLF);
            }
            b.flip();
            UpstreamStats s = stats;
            s.lateness.record((sent - conn.due) / 1000);
            s.eventsSent++;
            send(conn, b);
            if (conn.closed) {
                return;
            }
            if (last) {
                conn.streaming = false;
                s.streamsCompleted++;
                startIfRequestComplete(conn);
            } else {
                conn.seq++;
                conn.due += upstream.intervalNanos;
                schedule.add(conn);
            }
        }

        void send(UpConn conn, ByteBuffer b) {
            if (conn.pending != null && conn.pending.position() > 0) {
                append(conn, b);
                return;
            }
            try {
                conn.channel.write(b);
            } catch (IOException e) {
                stats.closedMidStream++;
                close(conn);
                return;
            }
            if (b.hasRemaining()) {
                stats.partialWrites++;
                append(conn, b);
                conn.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        }

        void append(UpConn conn, ByteBuffer b) {
            if (conn.pending == null) {
                conn.pending = ByteBuffer.allocate(Math.max(4096, b.remaining()));
            }
            if (conn.pending.remaining() < b.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(conn.pending.capacity() * 2,
                        conn.pending.position() + b.remaining()));
                conn.pending.flip();
                bigger.put(conn.pending);
                conn.pending = bigger;
            }
            conn.pending.put(b);
        }

        void flushPending(UpConn conn) {
            if (conn.pending == null) {
                conn.key.interestOps(SelectionKey.OP_READ);
                return;
            }
            conn.pending.flip();
            try {
                conn.channel.write(conn.pending);
            } catch (IOException e) {
                stats.closedMidStream++;
                close(conn);
                return;
            }
            conn.pending.compact();
            if (conn.pending.position() == 0) {
                conn.key.interestOps(SelectionKey.OP_READ);
            }
        }

        void close(UpConn conn) {
            conn.closed = true;
            conn.key.cancel();
            try {
                conn.channel.close();
            } catch (IOException ignored) {
                // gone either way
            }
        }
    }

    static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

    // ------------------------------------------------------------------------------------ client

    /** One client stream: its connection and the state of its response parser. Owned by one loop. */
    static final class Stream {
        static final int CONNECTING = 0, HEAD = 1, CHUNK_SIZE = 2, CHUNK_EXT = 3, CHUNK_DATA = 4, CHUNK_CRLF = 5,
                TRAILER = 6, IDENTITY = 7, FINISHED = 8;
        final int index;
        final long startAt;
        SocketChannel channel;
        SelectionKey key;
        int state = CONNECTING;
        ByteBuffer request;
        byte[] head = new byte[512];
        int headLength;
        int status;
        long contentLength = -1;
        long chunkRemaining;
        int trailerLineLength;
        byte[] line = new byte[512];
        int lineLength;
        byte[] data = new byte[512];
        int dataLength;
        boolean hasData;
        int nextSeq;
        long lastArrival;
        boolean done;
        String error;
        byte[] errorBody;
        int errorBodyLength;

        Stream(int index, long startAt) {
            this.index = index;
            this.startAt = startAt;
        }

        void fail(String kind) {
            if (error == null) {
                error = kind;
            }
        }
    }

    /** What one client loop measured; merged into the phase at the end. */
    static final class ClientStats {
        final Histogram latency = new Histogram();
        final Histogram gap = new Histogram();
        final Histogram firstEvent = new Histogram();
        final Map<String, Integer> errors = new TreeMap<>();
        long ok;
        long events;
        long reads;
        long heartbeats;
    }

    static final byte[] CONTENT_KEY = "\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    static final byte[] DONE_DATA = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    /** One selector thread of the client: opens its streams on schedule and reads them to the end. */
    static final class ClientLoop extends Thread {
        final List<Stream> streams;
        final InetSocketAddress address;
        final byte[] request;
        final int events;
        final long deadline;
        final Phase phase;
        final Selector selector;
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        final ClientStats stats = new ClientStats();
        long cpuNanos;
        int active;

        ClientLoop(int index, List<Stream> streams, InetSocketAddress address, byte[] request, int events,
                   long deadline, Phase phase) throws IOException {
            super("client-" + index);
            this.streams = streams;
            this.address = address;
            this.request = request;
            this.events = events;
            this.deadline = deadline;
            this.phase = phase;
            this.selector = Selector.open();
        }

        @Override
        public void run() {
            try {
                int nextStart = 0;
                while (nextStart < streams.size() || active > 0) {
                    long now = System.nanoTime();
                    if (now - deadline >= 0) {
                        break;
                    }
                    while (nextStart < streams.size() && streams.get(nextStart).startAt - now <= 0) {
                        open(streams.get(nextStart++));
                    }
                    long wait = nextStart < streams.size() ? streams.get(nextStart).startAt - System.nanoTime()
                            : deadline - System.nanoTime();
                    if (wait <= 0) {
                        selector.selectNow();
                    } else {
                        selector.select(Math.max(1, Math.min(1000, (wait + 999_999) / 1_000_000)));
                    }
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        Stream stream = (Stream) key.attachment();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isConnectable()) {
                            connected(stream);
                        } else {
                            if (key.isWritable()) {
                                writeRequest(stream);
                            }
                            if (key.isValid() && key.isReadable()) {
                                read(stream);
                            }
                        }
                    }
                }
                for (Stream stream : streams) {
                    if (stream.state != Stream.FINISHED) {
                        stream.fail(stream.state == Stream.CONNECTING && stream.channel == null
                                ? "not started before the deadline"
                                : "no end within the deadline (" + bucket(stream.nextSeq, events) + " events)");
                        finish(stream);
                    }
                }
                selector.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            } finally {
                cpuNanos = THREADS.getCurrentThreadCpuTime();
            }
        }

        void open(Stream stream) {
            active++;
            try {
                SocketChannel channel = SocketChannel.open();
                stream.channel = channel;
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                stream.request = ByteBuffer.wrap(request);
                if (channel.connect(address)) {
                    stream.key = channel.register(selector, 0, stream);
                    connected(stream);
                } else {
                    stream.key = channel.register(selector, SelectionKey.OP_CONNECT, stream);
                }
            } catch (IOException e) {
                stream.fail("connect: " + e.getMessage());
                finish(stream);
            }
        }

        void connected(Stream stream) {
            try {
                stream.channel.finishConnect();
            } catch (IOException e) {
                stream.fail("connect: " + e.getMessage());
                finish(stream);
                return;
            }
            stream.state = Stream.HEAD;
            stream.key.interestOps(SelectionKey.OP_READ);
            writeRequest(stream);
        }

        void writeRequest(Stream stream) {
            try {
                stream.channel.write(stream.request);
            } catch (IOException e) {
                stream.fail("write: " + e.getMessage());
                finish(stream);
                return;
            }
            stream.key.interestOps(stream.request.hasRemaining()
                    ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void read(Stream stream) {
            int n;
            try {
                in.clear();
                n = stream.channel.read(in);
            } catch (IOException e) {
                stream.fail("read: " + e.getMessage() + " (" + bucket(stream.nextSeq, events) + " events)");
                finish(stream);
                return;
            }
            long arrival = System.nanoTime();
            if (n < 0) {
                if (stream.state == Stream.IDENTITY && stream.contentLength < 0) {
                    complete(stream);
                } else {
                    stream.fail("closed by the server after " + bucket(stream.nextSeq, events) + " events");
                }
                finish(stream);
                return;
            }
            stats.reads++;
            parse(stream, in.array(), 0, n, arrival);
        }

        void parse(Stream s, byte[] b, int offset, int length, long arrival) {
            int i = offset;
            int end = offset + length;
            while (i < end && s.state != Stream.FINISHED) {
                switch (s.state) {
                    case Stream.HEAD -> {
                        int take = end - i;
                        if (s.headLength + take > s.head.length) {
                            s.head = Arrays.copyOf(s.head, Math.max(s.head.length * 2, s.headLength + take));
                        }
                        System.arraycopy(b, i, s.head, s.headLength, take);
                        int from = Math.max(0, s.headLength - 3);
                        s.headLength += take;
                        int headEnd = indexOf(s.head, from, s.headLength, HEAD_END);
                        if (headEnd < 0) {
                            if (s.headLength > 64 * 1024) {
                                s.fail("response head larger than 64 KB");
                                finish(s);
                            }
                            return;
                        }
                        int bodyStart = headEnd + 4;
                        readHead(s, new String(s.head, 0, headEnd, StandardCharsets.ISO_8859_1));
                        if (s.state == Stream.FINISHED) {
                            return;
                        }
                        // the rest of the buffer after the head is body
                        int rest = s.headLength - bodyStart;
                        byte[] copy = Arrays.copyOfRange(s.head, bodyStart, s.headLength);
                        s.head = null;
                        parse(s, copy, 0, rest, arrival);
                        return;
                    }
                    case Stream.CHUNK_SIZE -> {
                        byte c = b[i++];
                        int v = Character.digit(c, 16);
                        if (v >= 0) {
                            s.chunkRemaining = s.chunkRemaining * 16 + v;
                        } else if (c == ';' || c == ' ') {
                            s.state = Stream.CHUNK_EXT;
                        } else if (c == '\n') {
                            endOfChunkSize(s);
                        } else if (c != '\r') {
                            s.fail("bad chunk size");
                            finish(s);
                        }
                    }
                    case Stream.CHUNK_EXT -> {
                        if (b[i++] == '\n') {
                            endOfChunkSize(s);
                        }
                    }
                    case Stream.CHUNK_DATA -> {
                        int take = (int) Math.min(s.chunkRemaining, end - i);
                        body(s, b, i, take, arrival);
                        i += take;
                        s.chunkRemaining -= take;
                        if (s.chunkRemaining == 0) {
                            s.state = Stream.CHUNK_CRLF;
                        }
                    }
                    case Stream.CHUNK_CRLF -> {
                        if (b[i++] == '\n') {
                            s.state = Stream.CHUNK_SIZE;
                        }
                    }
                    case Stream.TRAILER -> {
                        byte c = b[i++];
                        if (c == '\n') {
                            if (s.trailerLineLength == 0) {
                                complete(s);
                                finish(s);
                                return;
                            }
                            s.trailerLineLength = 0;
                        } else if (c != '\r') {
                            s.trailerLineLength++;
                        }
                    }
                    case Stream.IDENTITY -> {
                        int take = s.contentLength >= 0 ? (int) Math.min(s.contentLength, end - i) : end - i;
                        body(s, b, i, take, arrival);
                        i += take;
                        if (s.contentLength >= 0) {
                            s.contentLength -= take;
                            if (s.contentLength == 0) {
                                complete(s);
                                finish(s);
                                return;
                            }
                        }
                    }
                    default -> throw new IllegalStateException("state " + s.state);
                }
            }
        }

        void endOfChunkSize(Stream s) {
            if (s.chunkRemaining == 0) {
                s.state = Stream.TRAILER;
                s.trailerLineLength = 0;
            } else {
                s.state = Stream.CHUNK_DATA;
            }
        }

        void readHead(Stream s, String head) {
            String lower = head.toLowerCase(Locale.ROOT);
            try {
                s.status = Integer.parseInt(head.substring(9, 12));
            } catch (RuntimeException e) {
                s.fail("malformed status line");
                finish(s);
                return;
            }
            int at = lower.indexOf("\r\ncontent-length:");
            if (at >= 0) {
                int lineEnd = lower.indexOf('\r', at + 2);
                s.contentLength = Long.parseLong(lower.substring(at + 17, lineEnd < 0 ? lower.length() : lineEnd).trim());
            }
            boolean chunked = lower.contains("\r\ntransfer-encoding: chunked");
            s.state = chunked ? Stream.CHUNK_SIZE : Stream.IDENTITY;
            if (s.status != 200) {
                s.errorBody = new byte[4096];
            } else {
                phase.open.incrementAndGet();
            }
            if (!chunked && s.contentLength == 0) {
                complete(s);
                finish(s);
            }
        }

        /** Body bytes after the transfer coding: SSE for a 200, kept for the message otherwise. */
        void body(Stream s, byte[] b, int offset, int length, long arrival) {
            if (s.errorBody != null) {
                int take = Math.min(length, s.errorBody.length - s.errorBodyLength);
                System.arraycopy(b, offset, s.errorBody, s.errorBodyLength, take);
                s.errorBodyLength += take;
                return;
            }
            int i = offset;
            int end = offset + length;
            while (i < end) {
                int newline = i;
                while (newline < end && b[newline] != '\n') {
                    newline++;
                }
                int take = newline - i;
                if (s.lineLength + take > s.line.length) {
                    if (s.lineLength + take > 16 * 1024 * 1024) {
                        s.fail("an event line over 16 MB");
                        return;
                    }
                    s.line = Arrays.copyOf(s.line, Math.max(s.line.length * 2, s.lineLength + take));
                }
                System.arraycopy(b, i, s.line, s.lineLength, take);
                s.lineLength += take;
                if (newline == end) {
                    return;
                }
                i = newline + 1;
                int len = s.lineLength;
                if (len > 0 && s.line[len - 1] == '\r') {
                    len--;
                }
                s.lineLength = 0;
                line(s, len, arrival);
            }
        }

        void line(Stream s, int len, long arrival) {
            byte[] l = s.line;
            if (len == 0) {
                if (s.hasData) {
                    event(s, arrival);
                }
                s.hasData = false;
                s.dataLength = 0;
                return;
            }
            if (l[0] == ':') {
                stats.heartbeats++;
                return;
            }
            if (len >= 5 && l[0] == 'd' && l[1] == 'a' && l[2] == 't' && l[3] == 'a' && l[4] == ':') {
                int from = len > 5 && l[5] == ' ' ? 6 : 5;
                int add = len - from + (s.hasData ? 1 : 0);
                if (s.dataLength + add > s.data.length) {
                    s.data = Arrays.copyOf(s.data, Math.max(s.data.length * 2, s.dataLength + add));
                }
                if (s.hasData) {
                    s.data[s.dataLength++] = '\n';
                }
                System.arraycopy(l, from, s.data, s.dataLength, len - from);
                s.dataLength += len - from;
                s.hasData = true;
            }
        }

        void event(Stream s, long arrival) {
            byte[] d = s.data;
            int n = s.dataLength;
            if (n == DONE_DATA.length && indexOf(d, 0, n, DONE_DATA) == 0) {
                if (s.nextSeq != events) {
                    s.fail("[DONE] after " + bucket(s.nextSeq, events) + " events");
                }
                s.done = true;
                return;
            }
            int at = indexOf(d, 0, n, CONTENT_KEY);
            if (at < 0) {
                String text = new String(d, 0, Math.min(n, 2000), StandardCharsets.UTF_8);
                s.fail(text.contains("\"error\"") ? "error event: " + errorCode(text) + " after "
                        + bucket(s.nextSeq, events) + " events" : "an event without content");
                return;
            }
            int i = at + CONTENT_KEY.length;
            long seq = 0;
            while (i < n && d[i] >= '0' && d[i] <= '9') {
                seq = seq * 10 + (d[i++] - '0');
            }
            i++; // the blank
            boolean negative = i < n && d[i] == '-';
            if (negative) {
                i++;
            }
            long sent = 0;
            while (i < n && d[i] >= '0' && d[i] <= '9') {
                sent = sent * 10 + (d[i++] - '0');
            }
            if (negative) {
                sent = -sent;
            }
            if (s.done) {
                s.fail("an event after [DONE]");
            }
            if (seq != s.nextSeq) {
                s.fail("events missing or out of order");
            }
            stats.events++;
            stats.latency.record((arrival - sent) / 1000);
            if (s.nextSeq == 0) {
                stats.firstEvent.record((arrival - s.startAt) / 1000);
            } else {
                stats.gap.record((arrival - s.lastArrival) / 1000);
            }
            s.lastArrival = arrival;
            s.nextSeq = (int) seq + 1;
        }

        void complete(Stream s) {
            if (s.status != 200) {
                String body = s.errorBody == null ? "" : new String(s.errorBody, 0, s.errorBodyLength,
                        StandardCharsets.UTF_8);
                s.fail("HTTP " + s.status + " " + errorCode(body));
            } else if (s.nextSeq != events || !s.done) {
                s.fail("ended after " + bucket(s.nextSeq, events) + " events" + (s.done ? "" : " without [DONE]"));
            }
        }

        /** Ends a stream: closes it and counts it as complete or as its first error. */
        void finish(Stream s) {
            if (s.state == Stream.FINISHED) {
                return;
            }
            boolean wasOpen = s.status == 200 && s.state != Stream.HEAD && s.state != Stream.CONNECTING;
            s.state = Stream.FINISHED;
            active--;
            if (wasOpen) {
                phase.open.decrementAndGet();
            }
            if (s.key != null) {
                s.key.cancel();
            }
            if (s.channel != null) {
                try {
                    s.channel.close();
                } catch (IOException ignored) {
                    // closed either way
                }
            }
            if (s.error == null) {
                stats.ok++;
            } else {
                stats.errors.merge(s.error, 1, Integer::sum);
            }
            s.line = null;
            s.data = null;
            s.request = null;
        }
    }

    /** "0", "1–9", "10–99", …, or "all" of total: keeps error kinds few. */
    static String bucket(int count, int total) {
        if (count == 0) {
            return "0";
        }
        if (count >= total) {
            return "all " + total;
        }
        int low = 1;
        while (low * 10 <= count) {
            low *= 10;
        }
        return low + "–" + Math.min(total - 1, low * 10 - 1);
    }

    static String errorCode(String body) {
        int at = body.indexOf("\"code\":\"");
        if (at < 0) {
            at = body.indexOf("\"type\":\"");
        }
        if (at < 0) {
            return body.isEmpty() ? "(no body)" : "(" + body.substring(0, Math.min(60, body.length())) + ")";
        }
        int start = at + 8;
        int end = body.indexOf('"', start);
        return end < 0 ? body.substring(start) : body.substring(start, end);
    }

    // ------------------------------------------------------------------------------------ measurement

    /** A phase's results, merged from the client loops and the upstream loops after it ended. */
    static final class Phase {
        final String name;
        final int streams;
        final int events;
        final AtomicInteger open = new AtomicInteger();
        final Histogram latency = new Histogram();
        final Histogram gap = new Histogram();
        final Histogram firstEvent = new Histogram();
        final Histogram lateness = new Histogram();
        final Map<String, Integer> errors = new TreeMap<>();
        long ok;
        long eventsReceived;
        long reads;
        long heartbeats;
        long upstreamStarted;
        long upstreamCompleted;
        long upstreamClosedMidStream;
        long upstreamPartialWrites;
        long upstreamEvents;
        long clientCpuNanos;
        long wallNanos;
        Cpu cpu;
        // from the sampler
        long gatewayRssMax;
        long gatewayThreadsMax;
        long gatewayFdsMid = -1;
        int openMax;
        long harnessRssMax;
        final List<String> rssTimeline = new ArrayList<>();

        Phase(String name, int streams, int events) {
            this.name = name;
            this.streams = streams;
            this.events = events;
        }

        void merge(ClientStats s) {
            latency.add(s.latency);
            gap.add(s.gap);
            firstEvent.add(s.firstEvent);
            s.errors.forEach((k, v) -> errors.merge(k, v, Integer::sum));
            ok += s.ok;
            eventsReceived += s.events;
            reads += s.reads;
            heartbeats += s.heartbeats;
        }

        void mergeUpstream(UpstreamStats s) {
            lateness.add(s.lateness);
            upstreamStarted += s.streamsStarted;
            upstreamCompleted += s.streamsCompleted;
            upstreamClosedMidStream += s.closedMidStream;
            upstreamPartialWrites += s.partialWrites;
            upstreamEvents += s.eventsSent;
        }

        long failed() {
            return streams - ok;
        }
    }

    /**
     * A histogram of microsecond values: exact up to 100 ms, then in 1 ms steps up to 300 s. Not
     * thread-safe; one per thread, merged at the end.
     */
    static final class Histogram {
        static final int FINE = 100_000;
        static final int COARSE = 300_000;
        final long[] fine = new long[FINE];
        final long[] coarse = new long[COARSE];
        long count;
        long max;
        long sum;

        void record(long micros) {
            if (micros < 0) {
                micros = 0;
            }
            if (micros < FINE) {
                fine[(int) micros]++;
            } else {
                coarse[(int) Math.min(COARSE - 1, micros / 1000)]++;
            }
            count++;
            sum += micros;
            if (micros > max) {
                max = micros;
            }
        }

        void add(Histogram o) {
            for (int i = 0; i < FINE; i++) {
                fine[i] += o.fine[i];
            }
            for (int i = 0; i < COARSE; i++) {
                coarse[i] += o.coarse[i];
            }
            count += o.count;
            sum += o.sum;
            max = Math.max(max, o.max);
        }

        /** The value at quantile q (nearest rank), in µs; -1 when empty. */
        long quantile(double q) {
            if (count == 0) {
                return -1;
            }
            long rank = Math.max(1, (long) Math.ceil(q * count));
            long seen = 0;
            for (int i = 0; i < FINE; i++) {
                seen += fine[i];
                if (seen >= rank) {
                    return i;
                }
            }
            for (int i = 0; i < COARSE; i++) {
                seen += coarse[i];
                if (seen >= rank) {
                    return i * 1000L;
                }
            }
            return max;
        }

        /** Share of values at or above the given µs (a multiple of 1,000 above 100 ms). */
        double shareAtLeast(long micros) {
            if (count == 0) {
                return 0;
            }
            long below = 0;
            for (int i = 0; i < Math.min(FINE, micros); i++) {
                below += fine[i];
            }
            for (int i = FINE / 1000; i < Math.min(COARSE, micros / 1000); i++) {
                below += coarse[i];
            }
            return (double) (count - below) / count;
        }
    }

    /** A process seen through /proc. */
    record Proc(long pid) {
        /** A field of /proc/PID/status in kB (or a count), -1 if unreadable. */
        long status(String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith(field + ":")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }

        /**
         * User and system CPU time in clock ticks (USER_HZ, 100 per second on Linux): {user, system};
         * {-1, -1} when the process is gone.
         */
        long[] cpuTicks() {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
            } catch (IOException e) {
                return new long[] {-1, -1};
            }
        }

        /**
         * CPU ticks (user + system) per thread name, names with their numbers removed ("GC Thread#1"
         * and "GC Thread#0" are one group); empty when the process is gone.
         */
        Map<String, Long> threadTicks() {
            Map<String, Long> ticks = new TreeMap<>();
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                                .replaceAll("[#-]?[0-9]+$", "").replaceAll("-[0-9]+-$", "-");
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                    } catch (IOException | RuntimeException e) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException e) {
                return Map.of();
            }
            return ticks;
        }

        long fds() {
            try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                return list.count();
            } catch (IOException e) {
                return -1;
            }
        }

        String jvmFlags() {
            try {
                String[] args = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")),
                        StandardCharsets.UTF_8).split("\0");
                StringBuilder flags = new StringBuilder();
                for (String a : args) {
                    if ((a.startsWith("-X") || a.startsWith("-D")) && !a.startsWith("-Dgateway.home")
                            && !a.startsWith("-XX:SharedArchiveFile") && !a.startsWith("-XX:+AutoCreateSharedArchive")
                            && !a.startsWith("-Xlog:cds")) {
                        flags.append(flags.isEmpty() ? "" : " ").append(a);
                    }
                }
                return flags.toString();
            } catch (IOException e) {
                return "?";
            }
        }
    }

    static final Proc SELF = new Proc(ProcessHandle.current().pid());

    /** CPU counters at one instant: the gateway, this JVM, its upstream threads, the machine. */
    record Cpu(long gwUser, long gwSystem, long selfUser, long selfSystem, long upstreamNanos, long[] machine,
               Map<String, Long> gwThreads) {
        static Cpu read(Proc gw, Upstream upstream) {
            long[] g = gw.cpuTicks();
            long[] s = SELF.cpuTicks();
            return new Cpu(g[0], g[1], s[0], s[1], upstream.cpuNanos(), machineTicks(), gw.threadTicks());
        }

        Cpu minus(Cpu o) {
            long[] m = new long[machine.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = machine[i] - o.machine[i];
            }
            boolean gone = gwUser < 0 || o.gwUser < 0;
            Map<String, Long> threads = new TreeMap<>();
            gwThreads.forEach((name, ticks) -> threads.put(name, ticks - o.gwThreads.getOrDefault(name, 0L)));
            return new Cpu(gone ? -1 : gwUser - o.gwUser, gone ? -1 : gwSystem - o.gwSystem, selfUser - o.selfUser,
                    selfSystem - o.selfSystem, upstreamNanos - o.upstreamNanos, m, gone ? Map.of() : threads);
        }

        /** /proc/stat "cpu": user nice system idle iowait irq softirq steal. */
        static long[] machineTicks() {
            try {
                String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
                String[] f = first.trim().split("\\s+");
                long[] v = new long[8];
                for (int i = 0; i < 8; i++) {
                    v[i] = Long.parseLong(f[i + 1]);
                }
                return v;
            } catch (IOException e) {
                return new long[8];
            }
        }

        long machineTotal() {
            long t = 0;
            for (long v : machine) {
                t += v;
            }
            return t;
        }
    }

    /** Reads the gateway's RSS and threads once a second (a file read in this JVM, no process started). */
    static final class Sampler extends Thread {
        final Proc gw;
        final Phase phase;
        final long fdsAt;
        volatile boolean running = true;

        Sampler(Proc gw, Phase phase, long fdsAt) {
            super("sampler");
            setDaemon(true);
            this.gw = gw;
            this.phase = phase;
            this.fdsAt = fdsAt;
        }

        @Override
        public void run() {
            long started = System.nanoTime();
            int tick = 0;
            while (running) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                tick++;
                long rss = gw.status("VmRSS");
                phase.gatewayRssMax = Math.max(phase.gatewayRssMax, rss);
                phase.gatewayThreadsMax = Math.max(phase.gatewayThreadsMax, gw.status("Threads"));
                phase.harnessRssMax = Math.max(phase.harnessRssMax, SELF.status("VmRSS"));
                int open = phase.open.get();
                phase.openMax = Math.max(phase.openMax, open);
                if (phase.gatewayFdsMid < 0 && System.nanoTime() - fdsAt >= 0) {
                    phase.gatewayFdsMid = phase.name.equals("gateway") ? gw.fds() : 0;
                }
                if (tick % 5 == 0) {
                    phase.rssTimeline.add((System.nanoTime() - started) / 1_000_000_000 + "s:" + rss / 1024
                            + "MB/" + open);
                }
            }
        }

        void stopAndJoin() throws InterruptedException {
            running = false;
            interrupt();
            join();
        }
    }

    // ------------------------------------------------------------------------------------ report

    static final class Report {
        final int streams;
        final int seconds;
        final int intervalMs;
        final int events;
        final double ramp;
        final int clientThreads;
        final int upstreamThreads;
        final Map<String, Phase> phases = new java.util.LinkedHashMap<>();
        Instant started;
        String loadStart;
        String loadEnd;
        String config;
        String gatewayFlags;
        long rssAfterStart;
        long rssIdle;
        long rssEnd;
        long rssAfterIdle;
        long hwm;
        boolean gatewayAlive;
        String logLines;

        Report(int streams, int seconds, int intervalMs, int events, double ramp, int clientThreads,
               int upstreamThreads) {
            this.streams = streams;
            this.seconds = seconds;
            this.intervalMs = intervalMs;
            this.events = events;
            this.ramp = ramp;
            this.clientThreads = clientThreads;
            this.upstreamThreads = upstreamThreads;
        }

        void print() {
            PrintStreamLines out = new PrintStreamLines();
            out.line("");
            out.line("long streams: %d concurrent SSE streams, one event every %d ms for %d s (%d events and "
                            + "[DONE] each), started evenly over %.1f s; %s UTC",
                    streams, intervalMs, seconds, events, ramp, started.truncatedTo(ChronoUnit.SECONDS));
            out.line("");
            out.line("- machine: %d cores, %s; kernel %s; load average (1/5/15 min) %s at the start, %s at the end",
                    Runtime.getRuntime().availableProcessors(), memTotal(), kernel(), loadStart, loadEnd);
            out.line("- Java %s (%s); harness: %d client and %d upstream selector threads in one JVM",
                    System.getProperty("java.version"), System.getProperty("java.vm.name"), clientThreads,
                    upstreamThreads);
            out.line("- gateway JVM flags: %s", gatewayFlags);
            out.line("");
            List<Phase> list = new ArrayList<>(phases.values());
            Phase d = phases.get("direct");
            Phase g = phases.get("gateway");
            StringBuilder header = new StringBuilder("| |");
            StringBuilder rule = new StringBuilder("|---|");
            for (Phase p : list) {
                header.append(' ').append(p.name).append(" |");
                rule.append("---|");
            }
            boolean both = d != null && g != null;
            if (both) {
                header.append(" added (gateway − direct) |");
                rule.append("---|");
            }
            out.line(header.toString());
            out.line(rule.toString());
            row(out, list, both, "streams complete (all events, [DONE], 200)", p -> p.ok + " of " + p.streams, null);
            row(out, list, both, "streams failed", p -> String.valueOf(p.failed()), null);
            row(out, list, both, "events received", p -> String.valueOf(p.eventsReceived), null);
            row(out, list, both, "streams open at once (max, sampled 1/s)", p -> String.valueOf(p.openMax), null);
            for (double q : new double[] {0.5, 0.99, 0.999, 1.0}) {
                String label = q == 1.0 ? "max" : "p" + fmtQ(q);
                row(out, list, both, "inter-event gap " + label + " ms", p -> ms(q == 1.0 ? p.gap.max : p.gap.quantile(q)),
                        both ? ms((q == 1.0 ? g.gap.max : g.gap.quantile(q)) - (q == 1.0 ? d.gap.max : d.gap.quantile(q)))
                                : null);
            }
            row(out, list, both, "gaps ≥ 2 × interval", p -> pct(p.gap.shareAtLeast(2000L * intervalMs)), null);
            for (double q : new double[] {0.5, 0.99, 0.999, 1.0}) {
                String label = q == 1.0 ? "max" : "p" + fmtQ(q);
                row(out, list, both, "event latency (send → arrival) " + label + " ms",
                        p -> ms(q == 1.0 ? p.latency.max : p.latency.quantile(q)),
                        both ? ms((q == 1.0 ? g.latency.max : g.latency.quantile(q))
                                - (q == 1.0 ? d.latency.max : d.latency.quantile(q))) : null);
            }
            row(out, list, both, "event latency mean ms", p -> ms(p.latency.count == 0 ? 0 : p.latency.sum / p.latency.count),
                    both && g.latency.count > 0 && d.latency.count > 0
                            ? ms(g.latency.sum / g.latency.count - d.latency.sum / d.latency.count) : null);
            row(out, list, both, "first event after connect p50 / p99 ms",
                    p -> ms(p.firstEvent.quantile(0.5)) + " / " + ms(p.firstEvent.quantile(0.99)), null);
            row(out, list, both, "upstream send lateness p50 / p99 / max ms",
                    p -> ms(p.lateness.quantile(0.5)) + " / " + ms(p.lateness.quantile(0.99)) + " / " + ms(p.lateness.max),
                    null);
            row(out, list, both, "client reads per event", p -> String.format(Locale.ROOT, "%.2f",
                    p.eventsReceived == 0 ? 0.0 : (double) p.reads / p.eventsReceived), null);
            row(out, list, both, "wall time of the phase s", p -> String.format(Locale.ROOT, "%.1f", p.wallNanos / 1e9),
                    null);
            row(out, list, both, "CPU: gateway, cores (user + system)", p -> p.cpu.gwUser < 0 ? "(exited)"
                    : cores(p, p.cpu.gwUser + p.cpu.gwSystem)
                    + " (" + cores(p, p.cpu.gwUser) + " + " + cores(p, p.cpu.gwSystem) + ")", null);
            row(out, list, both, "CPU: gateway µs per event relayed", p -> p.name.equals("gateway") && p.eventsReceived > 0 && p.cpu.gwUser >= 0
                    ? String.format(Locale.ROOT, "%.1f", (p.cpu.gwUser + p.cpu.gwSystem) * 10_000.0 / p.eventsReceived)
                    : "—", null);
            row(out, list, both, "CPU: harness, cores (user + system)", p -> cores(p, p.cpu.selfUser + p.cpu.selfSystem)
                    + " (" + cores(p, p.cpu.selfUser) + " + " + cores(p, p.cpu.selfSystem) + ")", null);
            row(out, list, both, "CPU: of it the upstream thread(s) / the client thread(s), cores",
                    p -> String.format(Locale.ROOT, "%.2f / %.2f", p.cpu.upstreamNanos / (double) p.wallNanos,
                            p.clientCpuNanos / (double) p.wallNanos), null);
            row(out, list, both, "CPU: whole machine busy / steal, % of all cores", p -> machine(p), null);
            row(out, list, both, "CPU: other processes (machine busy − gateway − harness), cores", p -> others(p), null);
            row(out, list, both, "gateway RSS max MB (sampled 1/s)", p -> String.valueOf(p.gatewayRssMax / 1024), null);
            row(out, list, both, "gateway threads max", p -> String.valueOf(p.gatewayThreadsMax), null);
            row(out, list, both, "gateway open files mid-phase", p -> p.name.equals("gateway")
                    ? String.valueOf(p.gatewayFdsMid) : "—", null);
            row(out, list, both, "harness RSS max MB", p -> String.valueOf(p.harnessRssMax / 1024), null);
            row(out, list, both, "upstream: streams started / completed / closed by the peer",
                    p -> p.upstreamStarted + " / " + p.upstreamCompleted + " / " + p.upstreamClosedMidStream, null);
            row(out, list, both, "upstream: partial writes (socket buffer full)", p -> String.valueOf(p.upstreamPartialWrites),
                    null);
            out.line("");
            for (Phase p : list) {
                if (p.name.equals("gateway") && !p.cpu.gwThreads().isEmpty()) {
                    StringBuilder threads = new StringBuilder();
                    p.cpu.gwThreads().entrySet().stream()
                            .filter(e -> e.getValue() > 0)
                            .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                            .limit(10)
                            .forEach(e -> threads.append(threads.isEmpty() ? "" : ", ").append(e.getKey()).append(' ')
                                    .append(cores(p, e.getValue())));
                    out.line("gateway CPU by thread (cores; carriers are ForkJoinPool-, the JDK's socket pollers "
                            + "Read-Poller and Write-Poller): %s", threads);
                }
                if (!p.errors.isEmpty()) {
                    out.line("%s errors by kind:", p.name);
                    p.errors.forEach((k, v) -> out.line("  %6d × %s", v, k));
                }
                out.line("%s: gateway RSS every 5 s (s:MB/streams open): %s", p.name, String.join(" ", p.rssTimeline));
            }
            out.line("");
            out.line("gateway RSS: %d MB after start, %d MB idle after the warm-up, %d MB peak during the phases "
                            + "(VmHWM %d MB), %d MB right after the last phase, %d MB 10 s later; process %s",
                    rssAfterStart / 1024, rssIdle / 1024,
                    phases.values().stream().mapToLong(p -> p.gatewayRssMax).max().orElse(0) / 1024, hwm / 1024,
                    rssEnd / 1024, rssAfterIdle / 1024, gatewayAlive ? "alive"
                            : "GONE (exited during the run: its log says why)");
            out.line("gateway log: %s", logLines);
            if (both) {
                long added99 = g.latency.quantile(0.99) - d.latency.quantile(0.99);
                long addedGap99 = g.gap.quantile(0.99) - d.gap.quantile(0.99);
                long peak = Math.max(hwm, phases.values().stream().mapToLong(p -> p.gatewayRssMax).max().orElse(0));
                out.line("");
                out.line("goals: 0 errors: %s (%d failed streams through the gateway, %d direct); RSS ≤ 1 GB: %s "
                                + "(peak %d MB); added p99 ≤ 5 ms: event latency %s (%s ms), inter-event gap %s (%s ms)",
                        g.failed() == 0 && d.failed() == 0 ? "met" : "NOT met", g.failed(), d.failed(),
                        gatewayAlive && peak <= 1024 * 1024 ? "met" : "NOT met", peak / 1024,
                        added99 <= 5000 ? "met" : "NOT met", ms(added99), addedGap99 <= 5000 ? "met" : "NOT met",
                        ms(addedGap99));
            }
            out.line("");
            out.line("gateway configuration:");
            out.line(config.stripTrailing());
        }

        String machine(Phase p) {
            long[] m = p.cpu.machine;
            long total = p.cpu.machineTotal();
            if (total == 0) {
                return "?";
            }
            long idle = m[3] + m[4];
            return String.format(Locale.ROOT, "%.0f / %.1f", 100.0 * (total - idle) / total, 100.0 * m[7] / total);
        }

        /** What the rest of the machine used meanwhile: other work, the kernel's own threads. */
        String others(Phase p) {
            long[] m = p.cpu.machine;
            long total = p.cpu.machineTotal();
            if (total == 0) {
                return "?";
            }
            double busyCores = Runtime.getRuntime().availableProcessors() * (double) (total - m[3] - m[4]) / total;
            double gateway = p.cpu.gwUser < 0 ? 0 : (p.cpu.gwUser + p.cpu.gwSystem) * 10_000_000.0 / p.wallNanos;
            double harness = (p.cpu.selfUser + p.cpu.selfSystem) * 10_000_000.0 / p.wallNanos;
            return String.format(Locale.ROOT, "%.2f", Math.max(0, busyCores - gateway - harness));
        }

        static String cores(Phase p, long ticks) {
            if (ticks < 0) {
                return "(exited)";
            }
            return String.format(Locale.ROOT, "%.2f", ticks * 10_000_000.0 / p.wallNanos);
        }

        interface Cell {
            String of(Phase p);
        }

        void row(PrintStreamLines out, List<Phase> list, boolean both, String label, Cell cell, String added) {
            StringBuilder b = new StringBuilder("| ").append(label).append(" |");
            for (Phase p : list) {
                b.append(' ').append(cell.of(p)).append(" |");
            }
            if (both) {
                b.append(' ').append(added == null ? "" : added).append(" |");
            }
            out.line(b.toString());
        }
    }

    static final class PrintStreamLines {
        void line(String format, Object... args) {
            System.out.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
        }
    }

    static String fmtQ(double q) {
        String s = String.format(Locale.ROOT, "%.1f", q * 100);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    static String ms(long micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.3f %%", share * 100);
    }

    // ------------------------------------------------------------------------------------ helpers

    static int indexOf(byte[] hay, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static int digits(long v) {
        if (v < 0) {
            return 1 + digits(-v);
        }
        int d = 1;
        while (v >= 10) {
            v /= 10;
            d++;
        }
        return d;
    }

    static void putLong(ByteBuffer b, long v) {
        if (v < 0) {
            b.put((byte) '-');
            v = -v;
        }
        int n = digits(v);
        int at = b.position();
        for (int i = n - 1; i >= 0; i--) {
            b.put(at + i, (byte) ('0' + v % 10));
            v /= 10;
        }
        b.position(at + n);
    }

    static void putHex(ByteBuffer b, int v) {
        String hex = Integer.toHexString(v);
        for (int i = 0; i < hex.length(); i++) {
            b.put((byte) hex.charAt(i));
        }
    }

    static void waitForHealth(int port, Process gateway) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!gateway.isAlive()) {
                throw new IllegalStateException("the gateway exited at start-up with status " + gateway.exitValue());
            }
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the gateway did not answer /health within 30 s");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    static String memTotal() {
        long kb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return "?";
        }
        return (kb / 1024 / 1024 + 1) + " GiB";
    }

    /** Lines of the gateway's log by level, to notice warnings and errors. */
    static String logSummary(Path log) throws IOException {
        Map<String, Integer> levels = new HashMap<>();
        for (String line : Files.readAllLines(log)) {
            for (String level : List.of(" SEVERE ", " WARNING ", " INFO ")) {
                if (line.contains(level)) {
                    levels.merge(level.trim(), 1, Integer::sum);
                }
            }
            if (line.contains("OutOfMemoryError")) {
                levels.merge("OutOfMemoryError", 1, Integer::sum);
            }
        }
        return levels.isEmpty() ? "no lines" : new TreeMap<>(levels).toString();
    }

    static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[%5.1f s] %s%n", (System.nanoTime() - START) / 1e9,
                String.format(Locale.ROOT, format, args));
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    static int intEnv(String name, int fallback) {
        return Integer.parseInt(env(name, String.valueOf(fallback)));
    }

    static double doubleEnv(String name, double fallback) {
        return Double.parseDouble(env(name, String.valueOf(fallback)));
    }
}
