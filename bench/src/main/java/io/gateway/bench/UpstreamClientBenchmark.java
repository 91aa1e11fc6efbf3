package io.gateway.bench;

import io.gateway.server.upstream.Http1UpstreamClient;
import io.gateway.server.upstream.UpstreamProxy;
import io.gateway.spi.Headers;
import io.gateway.spi.upstream.UpstreamClient;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One upstream call as a pass-through provider makes it: a 894-byte chat request POSTed, the
 * 651-byte {@code chat.completion} answer read whole. The upstream is a minimal HTTP/1.1 server in the
 * same JVM on loopback (one platform thread per connection, a fixed keep-alive answer), so the figure
 * is the client's own cost plus two loopback socket round trips; run with {@code -prof gc} for the bytes
 * each call allocates.
 *
 * <p>{@code client}: {@code http1} is {@link Http1UpstreamClient}, {@code http1-gzip} the same with
 * {@code accept-gzip} and a gzip answer (the decoding cost). Helidon 4.5's WebClient was measured here
 * too before it was removed (docs/performance.md, finding 19).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class UpstreamClientBenchmark {

    static final String ANSWER = "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion\","
            + "\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"Risk: 40% of new bookings come from two accounts. Action: start a "
            + "mid-market campaign this quarter to widen the pipeline.\",\"refusal\":null,\"annotations\":[]},"
            + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":212,\"completion_tokens\":31,"
            + "\"total_tokens\":243,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0}},\"service_tier\":\"default\","
            + "\"system_fingerprint\":\"fp_06737a9306\"}";

    /** Which client, see the class comment. */
    @Param({"http1", "http1-gzip"})
    public String client;

    private ServerSocket server;
    private UpstreamClient upstream;
    private UpstreamRequest request;

    /** Starts the loopback upstream and the client. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        boolean gzip = client.equals("http1-gzip");
        byte[] answer = answer(gzip);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> accept(answer), "bench-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
        upstream = switch (client) {
            case "http1" -> new Http1UpstreamClient(Duration.ofSeconds(5), Clock.systemUTC());
            case "http1-gzip" -> new Http1UpstreamClient(Duration.ofSeconds(5), Clock.systemUTC(), null,
                    UpstreamProxy.NONE, true);
            default -> throw new IllegalArgumentException(client);
        };
        byte[] body = Payloads.chatRequest(894);
        request = UpstreamRequest.builder("POST", URI.create("http://127.0.0.1:" + server.getLocalPort()
                        + "/v1/chat/completions"))
                .headers(Headers.of("content-type", "application/json", "authorization", "Bearer sk-bench"))
                .body(body).deadline(Instant.now().plus(Duration.ofDays(1))).build();
        if (!new String(call(), StandardCharsets.UTF_8).equals(ANSWER)) {
            throw new IllegalStateException("unexpected answer");
        }
    }

    /** Stops the upstream. */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        ((AutoCloseable) upstream).close();
        server.close();
    }

    /**
     * One call: request out, answer read whole.
     *
     * @return the answer's bytes
     */
    @Benchmark
    public byte[] call() {
        try (UpstreamResponse response = upstream.send(request)) {
            return response.body();
        }
    }

    private static byte[] answer(boolean gzip) throws IOException {
        byte[] body = ANSWER.getBytes(StandardCharsets.UTF_8);
        if (gzip) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                out.write(body);
            }
            body = bytes.toByteArray();
        }
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + (gzip ? "Content-Encoding: gzip\r\n" : "") + "Content-Length: " + body.length + "\r\n\r\n";
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        all.writeBytes(body);
        return all.toByteArray();
    }

    private void accept(byte[] answer) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread connection = new Thread(() -> serve(socket, answer), "bench-upstream-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads each request (head, then Content-Length bytes) and writes the fixed answer. */
    private static void serve(Socket socket, byte[] answer) {
        try (socket) {
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream(), 16384);
            OutputStream out = socket.getOutputStream();
            StringBuilder line = new StringBuilder();
            while (true) {
                int length = 0;
                boolean blank = false;
                while (!blank) {
                    line.setLength(0);
                    int b;
                    while ((b = in.read()) != '\n') {
                        if (b < 0) {
                            return;
                        }
                        if (b != '\r') {
                            line.append((char) b);
                        }
                    }
                    if (line.isEmpty()) {
                        blank = true;
                    } else if (line.length() > 15 && line.substring(0, 15).equalsIgnoreCase("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                in.skipNBytes(length);
                out.write(answer);
                out.flush();
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }
}
