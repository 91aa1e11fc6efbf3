import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Soak test of the gateway distribution: a fixed rate of mixed requests for a long time, with
 * streams, client aborts and upstreams that fail in every way the hardening issue lists. Run by
 * bench/soak.sh; not part of the test suite.
 *
 * <pre>java Soak.java GATEWAY_DIR [seconds=600] [rate=200]</pre>
 *
 * It starts a misbehaving upstream (the JDK's HTTP server) on loopback, writes a configuration, starts
 * GATEWAY_DIR/bin/gateway with it, sends the load, samples the gateway's RSS, and prints one report.
 * Every request has an expected outcome; anything else (another status, a malformed answer, a
 * connection error, a timeout) counts as unexpected. Exit status 1 when any was unexpected.
 */
public class Soak {

    private static final String CHAT = "{\"model\":\"%s\",%s\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";

    /** Each kind of request, its share of the load and what must come back. */
    enum Kind {
        SYNC(35, "mock/soak", false, 200),
        STREAM(25, "mock/soak", true, 200),
        STREAM_ABORTED(10, "mock/soak", true, 200),
        UPSTREAM_ERROR(10, "mock/error-503", false, 503),
        UPSTREAM_DOWN(5, "down/gpt", false, 502),
        UPSTREAM_GARBAGE(5, "bad/garbage", false, 502),
        UPSTREAM_BROKEN_STREAM(5, "bad/broken-stream", true, 200),
        UPSTREAM_DROPS(5, "bad/drop", false, 502);

        final int weight;
        final String model;
        final boolean stream;
        final int status;

        Kind(int weight, String model, boolean stream, int status) {
            this.weight = weight;
            this.model = model;
            this.stream = stream;
            this.status = status;
        }
    }

    record Counts(LongAdder sent, LongAdder expected, LongAdder unexpected) {
        Counts() {
            this(new LongAdder(), new LongAdder(), new LongAdder());
        }
    }

    static final Map<Kind, Counts> COUNTS = new ConcurrentHashMap<>();
    static final Map<String, LongAdder> UNEXPECTED = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        Path gatewayDir = Path.of(args[0]).toAbsolutePath();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        for (Kind kind : Kind.values()) {
            COUNTS.put(kind, new Counts());
        }

        HttpServer bad = badUpstream();
        int port = freePort();
        Path config = Files.createTempFile("soak-gateway", ".yaml");
        Files.writeString(config, """
                server:
                  host: 127.0.0.1
                  port: %d
                gateway:
                  plugins-dir: %s
                  providers:
                    mock:
                      type: mock
                      latency: 20ms
                      stream-interval: 10ms
                    down:
                      type: openai
                      base-url: http://127.0.0.1:1/v1
                    bad:
                      type: openai
                      base-url: http://127.0.0.1:%d/v1
                      timeout: 5s
                """.formatted(port, gatewayDir.resolve("plugins"), bad.getAddress().getPort()));
        Path log = Files.createTempFile("soak-gateway", ".log");
        Process gateway = new ProcessBuilder(gatewayDir.resolve("bin/gateway").toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        URI base = URI.create("http://127.0.0.1:" + port);
        try {
            waitForHealth(client, base);
            long pid = gateway.pid();
            // warm up a little before the first RSS reading
            runLoad(client, base, 5, rate, false);
            long rssStart = rssKb(pid);
            List<long[]> samples = new ArrayList<>();
            Instant started = Instant.now();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (true) {
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    synchronized (samples) {
                        samples.add(new long[] {Duration.between(started, Instant.now()).toSeconds(), rssKb(pid)});
                    }
                }
            });
            runLoad(client, base, seconds, rate, true);
            sampler.interrupt();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long rssEnd = rssKb(pid);
            long rssMax;
            synchronized (samples) {
                rssMax = samples.stream().mapToLong(s -> s[1]).max().orElse(rssEnd);
            }
            report(seconds, rate, rssStart, rssEnd, Math.max(rssMax, rssEnd), samples, health.statusCode(),
                    gateway.isAlive());
            long unexpected = COUNTS.values().stream().mapToLong(c -> c.unexpected.sum()).sum();
            System.exit(unexpected == 0 && health.statusCode() == 200 ? 0 : 1);
        } finally {
            gateway.destroy();
            gateway.waitFor(10, TimeUnit.SECONDS);
            bad.stop(0);
            System.out.println("gateway log: " + log);
        }
    }

    static void runLoad(HttpClient client, URI base, int seconds, int rate, boolean count) throws InterruptedException {
        int total = 0;
        for (Kind kind : Kind.values()) {
            total += kind.weight;
        }
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long next = System.nanoTime();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            while (next < end) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int pick = ThreadLocalRandom.current().nextInt(total);
                Kind chosen = Kind.SYNC;
                for (Kind kind : Kind.values()) {
                    if (pick < kind.weight) {
                        chosen = kind;
                        break;
                    }
                    pick -= kind.weight;
                }
                Kind kind = chosen;
                workers.execute(() -> one(client, base, kind, count));
                next += intervalNanos;
            }
        }
    }

    static void one(HttpClient client, URI base, Kind kind, boolean count) {
        Counts counts = COUNTS.get(kind);
        if (count) {
            counts.sent.increment();
        }
        String problem;
        try {
            problem = kind.stream ? stream(client, base, kind) : sync(client, base, kind);
        } catch (Exception e) {
            problem = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        if (!count) {
            return;
        }
        if (problem == null) {
            counts.expected.increment();
        } else {
            counts.unexpected.increment();
            UNEXPECTED.computeIfAbsent(kind + " " + problem, k -> new LongAdder()).increment();
        }
    }

    static HttpRequest chat(URI base, Kind kind) {
        String body = CHAT.formatted(kind.model, kind.stream ? "\"stream\":true," : "",
                "soak " + ThreadLocalRandom.current().nextInt(1_000_000));
        return HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static String sync(HttpClient client, URI base, Kind kind) throws Exception {
        HttpResponse<String> response = client.send(chat(base, kind), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != kind.status) {
            return "status " + response.statusCode();
        }
        String body = response.body();
        if (kind.status == 200) {
            return body.contains("\"chat.completion\"") ? null : "malformed answer";
        }
        if (!body.contains("\"status_code\":" + kind.status)) {
            return "not the error envelope";
        }
        if (kind == Kind.UPSTREAM_GARBAGE && !body.contains("invalid_upstream_response")) {
            return "garbage not reported as invalid_upstream_response";
        }
        return null;
    }

    static String stream(HttpClient client, URI base, Kind kind) throws Exception {
        HttpResponse<InputStream> response = client.send(chat(base, kind), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body();
             BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            if (response.statusCode() != kind.status) {
                return "status " + response.statusCode();
            }
            int events = 0;
            String last = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    events++;
                    last = line.substring(6);
                    if (kind == Kind.STREAM_ABORTED && events == 2) {
                        return null; // the client walks away; closing the stream aborts it
                    }
                }
            }
            if (kind == Kind.UPSTREAM_BROKEN_STREAM) {
                return last != null && last.contains("invalid_upstream_response") ? null
                        : "broken stream not ended with invalid_upstream_response";
            }
            return "[DONE]".equals(last) && events > 2 ? null : "stream ended without [DONE] after " + events;
        }
    }

    /** An upstream that answers 200 with HTML, drops the connection, or sends a broken stream. */
    static HttpServer badUpstream() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", exchange -> {
            String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (request.contains("\"garbage\"")) {
                send(exchange, 200, "application/json", "<html><body>502 Bad Gateway</body></html>");
            } else if (request.contains("\"broken-stream\"")) {
                exchange.getResponseHeaders().set("content-type", "text/event-stream");
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                            + "\"delta\":{\"content\":\"a\"}}]}\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    out.write("data: <html>oops</html>\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException ignored) {
                    // the gateway closed the stream, as it should
                }
            } else {
                // promise a body, then drop the connection halfway
                exchange.getResponseHeaders().set("content-type", "application/json");
                exchange.sendResponseHeaders(200, 1000);
                exchange.getResponseBody().write("{\"id\":\"x\",".getBytes(StandardCharsets.UTF_8));
                exchange.getResponseBody().flush();
                exchange.getHttpContext().getServer();
                exchange.close();
            }
        });
        server.start();
        return server;
    }

    static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void waitForHealth(HttpClient client, URI base) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
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

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void report(int seconds, int rate, long rssStart, long rssEnd, long rssMax, List<long[]> samples,
                       int health, boolean alive) {
        System.out.printf("%nsoak: %d s at %d req/s%n%n", seconds, rate);
        System.out.println("| kind | sent | expected outcome | unexpected |");
        System.out.println("|---|---|---|---|");
        long sent = 0;
        long unexpected = 0;
        for (Kind kind : Kind.values()) {
            Counts c = COUNTS.get(kind);
            sent += c.sent.sum();
            unexpected += c.unexpected.sum();
            System.out.printf("| %s (%s%s → %d) | %d | %d | %d |%n", kind.name().toLowerCase(), kind.model,
                    kind.stream ? ", stream" : "", kind.status, c.sent.sum(), c.expected.sum(), c.unexpected.sum());
        }
        System.out.printf("| all | %d | %d | %d |%n%n", sent, sent - unexpected, unexpected);
        UNEXPECTED.forEach((what, n) -> System.out.println("unexpected: " + n.sum() + " × " + what));
        System.out.printf("RSS: %d MB at the start, %d MB at the end, %d MB at most (sampled every 10 s)%n",
                rssStart / 1024, rssEnd / 1024, rssMax / 1024);
        synchronized (samples) {
            StringBuilder line = new StringBuilder("RSS samples (s:MB):");
            for (long[] s : samples) {
                line.append(' ').append(s[0]).append(':').append(s[1] / 1024);
            }
            System.out.println(line);
        }
        System.out.println("after the run: /health " + health + ", process " + (alive ? "alive" : "GONE"));
    }
}
