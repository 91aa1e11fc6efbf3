package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardening issue against the real server: hostile request bodies, headers and connections,
 * and upstreams that answer garbage. Each case must end in the error envelope with a 4xx or a 502,
 * never a 500, a dropped connection or garbage relayed as success.
 */
class HardeningIT {

    private static final String CHAT = "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    private static final String STREAM = "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    private static final String CHUNK = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}";

    @TempDir
    static Path temp;

    static FakeUpstream upstream;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.openAi();
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin");
        gateway = TestGateway.start("""
                  request-head-timeout: 1s
                """, """
                gateway:
                  providers:
                    openai:
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: sk-upstream-secret
                      timeout: 5s
                    mock:
                      type: mock
                """.formatted(upstream.baseUrl()), plugins.root(), Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void deeplyNestedJsonIsRefusedNamingTheLimit() {
        String deep = "{\"model\":\"mock/m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"x\":"
                + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        JsonObject error = envelope(Http.post(gateway.uri("/v1/chat/completions"), deep), 400);
        assertTrue(error.getJsonObject("error").getString("message").contains("128 levels"),
                error.toString());
        assertEquals("invalid_request_error", error.getJsonObject("error").getString("type"));
        // a body nested exactly to the limit is fine
        String atLimit = "{\"model\":\"mock/m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"x\":"
                + "[".repeat(126) + "]".repeat(126) + "}";
        assertEquals(200, Http.post(gateway.uri("/v1/chat/completions"), atLimit).statusCode());
    }

    @Test
    void invalidUtf8IsRefusedAndNotForwarded() throws IOException {
        byte[] head = "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(
                StandardCharsets.US_ASCII);
        byte[] tail = "\"}]}".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(head);
        body.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}); // truncated sequence, then an invalid byte
        body.write(tail);
        RawAnswer answer = raw(post("/v1/chat/completions", body.toByteArray(), ""));
        assertEquals(400, answer.status);
        JsonObject error = JsonBodies.parse(answer.body).getJsonObject("error");
        assertEquals("invalid_request_error", error.getString("type"));
        assertTrue(error.getString("message").contains("UTF-8"), error.toString());
        assertEquals(0, upstream.requestCount(), "a body that is not UTF-8 must not reach the provider");
        // well-formed multi-byte text still works
        upstream.on("POST", "/v1/chat/completions").respond(Reply.json(200, "{\"id\":\"ok\",\"object\":\"chat.completion\"}"));
        assertEquals(200, Http.post(gateway.uri("/v1/chat/completions"),
                CHAT.replace("\"x\"", "\"日本語 ✓ emoji 😀\"")).statusCode());
        assertTrue(upstream.lastRequest().bodyString().contains("日本語 ✓ emoji 😀"));
    }

    @Test
    void anOverlongModelIsRefusedAndNeverEchoedInAHeader() {
        String model = "openai/" + "a".repeat(100_000);
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), CHAT.replace("openai/gpt-4o-mini",
                model));
        JsonObject error = envelope(response, 400);
        assertEquals("model", error.getJsonObject("error").getString("param"));
        assertTrue(error.getJsonObject("error").getString("message").contains("at most 256"), error.toString());
        long headerBytes = response.headers().map().entrySet().stream()
                .mapToLong(e -> e.getKey().length() + e.getValue().stream().mapToLong(String::length).sum()).sum();
        assertTrue(headerBytes < 2_000, "headers of " + headerBytes + " bytes");
        assertTrue(response.body().length() < 2_000, "the error echoed the whole model: " + response.body().length());
        // overlong fallbacks as well
        String withFallback = CHAT.replace("\"messages\"", "\"fallbacks\":[\"mock/" + "b".repeat(300) + "\"],\"messages\"");
        assertEquals("fallbacks", envelope(Http.post(gateway.uri("/v1/chat/completions"), withFallback), 400)
                .getJsonObject("error").getString("param"));
    }

    @Test
    void aModelWithControlCharactersIsRefusedAndNonAsciiIsEncodedInTheHeader() {
        JsonObject error = envelope(Http.post(gateway.uri("/v1/chat/completions"),
                CHAT.replace("openai/gpt-4o-mini", "mock/a\\r\\nx-injected: 1")), 400);
        assertEquals("model", error.getJsonObject("error").getString("param"));
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"),
                CHAT.replace("openai/gpt-4o-mini", "mock/モデル"));
        assertEquals(200, response.statusCode());
        assertEquals("%E3%83%A2%E3%83%87%E3%83%AB", response.headers().firstValue("x-bifrost-resolved-model")
                .orElseThrow());
    }

    @Test
    void hugeRequestHeadersAnswer431WithTheEnvelope() throws IOException {
        RawAnswer answer = raw(post("/v1/chat/completions", CHAT.getBytes(StandardCharsets.UTF_8),
                "X-Big: " + "a".repeat(64 * 1024) + "\r\n"));
        assertEquals(431, answer.status);
        JsonObject envelope = JsonBodies.parse(answer.body);
        assertEquals(431, envelope.getInt("status_code"));
        assertEquals("request_header_fields_too_large", envelope.getJsonObject("error").getString("code"));
        assertTrue(answer.head.toLowerCase(Locale.ROOT).contains("content-type: application/json"), answer.head);
    }

    @Test
    void malformedHeadersAnswer400WithTheEnvelope() throws IOException {
        RawAnswer answer = raw("GET /v1/models HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals(400, answer.status);
        assertEquals("invalid_request_error", JsonBodies.parse(answer.body).getJsonObject("error").getString("type"));
    }

    @Test
    void aConnectionThatNeverFinishesItsHeadersIsClosed() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 2000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            boolean closed = false;
            // trickle a header line every 200 ms; the gateway must close the connection after ~1 s
            while (System.nanoTime() - started < Duration.ofSeconds(8).toNanos()) {
                try {
                    out.write("X-Slow: a\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                Thread.sleep(200);
            }
            long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertTrue(closed, "the connection stayed open for 8 s of trickled headers");
            assertTrue(elapsed >= 900 && elapsed < 5_000, "closed after " + elapsed + " ms");
        }
        assertTrue(Http.get(gateway.uri("/metrics")).body()
                .contains("gateway_connections_closed_total{reason=\"request_head_timeout\"}"));
        // a normal request on a fresh connection still works
        assertEquals(200, Http.get(gateway.uri("/health")).statusCode());
    }

    @Test
    void connectionsBeyondTheCapWaitUntilOneCloses() throws Exception {
        // a gateway of its own, so no other client's pooled connection counts against the cap
        try (TestGateway capped = TestGateway.start("  max-connections: 5\n", """
                gateway:
                  providers:
                    mock:
                      type: mock
                """, temp.resolve("plugins"), Map.of())) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Socket socket = new Socket("127.0.0.1", capped.port());
                    socket.setSoTimeout(3000);
                    held.add(socket);
                    // a complete request on each, so the server has surely accepted it
                    assertEquals(200, raw(socket, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII)).status);
                }
                Socket extra = new Socket("127.0.0.1", capped.port()); // the kernel queues it in the backlog
                held.add(extra);
                extra.setSoTimeout(700);
                OutputStream out = extra.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                boolean answered;
                try {
                    answered = extra.getInputStream().read() >= 0;
                } catch (SocketTimeoutException e) {
                    answered = false;
                }
                assertFalse(answered, "the 6th connection was served while 5 were open (server.max-connections: 5)");
                held.remove(0).close();
                extra.setSoTimeout(5000);
                RawAnswer late = readAnswer(extra.getInputStream());
                assertEquals(200, late.status, "the waiting connection is served once another closes");
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }

    // ------------------------------------------------------------------ broken upstreams

    @Test
    void anUpstreamThatAnswers200WithGarbageIs502() {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.of(200, "application/json",
                "<html>Bad gateway</html>".getBytes(StandardCharsets.UTF_8)));
        JsonObject error = envelope(Http.post(gateway.uri("/v1/chat/completions"), CHAT), 502);
        assertEquals("invalid_upstream_response", error.getJsonObject("error").getString("type"));
        assertEquals("openai", error.getJsonObject("extra_fields").getString("provider"));
        assertTrue(error.getJsonObject("error").getString("message").contains("'openai'"), error.toString());

        upstream.on("POST", "/v1/chat/completions").respond(Reply.json(200, "{\"id\":\"x\"} trailing"));
        assertEquals("invalid_upstream_response", envelope(Http.post(gateway.uri("/v1/chat/completions"), CHAT), 502)
                .getJsonObject("error").getString("type"));

        upstream.on("POST", "/v1/chat/completions").respond(Reply.json(200, "{\"id\":\"x\",\"choices\":[1,2"));
        assertEquals(502, Http.post(gateway.uri("/v1/chat/completions"), CHAT).statusCode());

        upstream.on("POST", "/v1/chat/completions").respond(Reply.json(200, "[1,2,3]"));
        assertEquals(502, Http.post(gateway.uri("/v1/chat/completions"), CHAT).statusCode());
    }

    @Test
    void aValidAnswerIsRelayedByteForByte() {
        String answer = "{ \"id\" : \"chatcmpl-1\", \"object\":\"chat.completion\", \"usage\": {\"prompt_tokens\": 3,"
                + " \"completion_tokens\": 1.0e0, \"total_tokens\": 4}, \"choices\": [] }";
        upstream.on("POST", "/v1/chat/completions").respond(Reply.json(200, answer));
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), CHAT);
        assertEquals(200, response.statusCode());
        assertEquals(answer, response.body());
    }

    @Test
    void aStreamEventThatIsNotJsonEndsTheStreamWithAnErrorFrame() throws Exception {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data(CHUNK),
                SseFrame.data("this is not json"),
                SseFrame.data(CHUNK).after(Duration.ofSeconds(5)),
                SseFrame.done()));
        HttpResponse<InputStream> response = Http.postStream(gateway.uri("/v1/chat/completions"), STREAM);
        assertEquals(200, response.statusCode());
        List<SseFrame> events = new ArrayList<>();
        long started = System.nanoTime();
        try (InputStream body = response.body()) {
            SseParser parser = new SseParser(body);
            SseFrame event;
            while ((event = parser.nextOrNull()) != null) {
                events.add(event);
            }
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 3_000,
                "the stream waited for the upstream's next event instead of ending");
        assertEquals(2, events.size(), events.toString());
        assertEquals(CHUNK, events.get(0).data());
        JsonObject error = JsonBodies.parse(events.get(1).data());
        assertEquals("invalid_upstream_response", error.getJsonObject("error").getString("type"));
        assertTrue(upstream.awaitClientDisconnect(Duration.ofSeconds(3)), "the upstream stream was not closed");
    }

    @Test
    void aStreamWhoseFirstEventIsNotJsonIsAPlain502() {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(SseFrame.data("{broken"), SseFrame.done()));
        HttpResponse<String> response = Http.post(gateway.uri("/v1/chat/completions"), STREAM);
        JsonObject error = envelope(response, 502);
        assertEquals("invalid_upstream_response", error.getJsonObject("error").getString("type"));
    }

    // ------------------------------------------------------------------ helpers

    private static JsonObject envelope(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonObject envelope = JsonBodies.parse(response.body());
        assertEquals(status, envelope.getInt("status_code"));
        return envelope;
    }

    private static byte[] post(String path, byte[] body, String extraHeaders) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n" + extraHeaders + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    private record RawAnswer(int status, String head, String body) {
    }

    private static RawAnswer raw(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(5000);
            return raw(socket, request);
        }
    }

    private static RawAnswer raw(Socket socket, byte[] request) throws IOException {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        return readAnswer(socket.getInputStream());
    }

    /** Reads one answer with a Content-Length body. */
    private static RawAnswer readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of head: " + head);
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0 ? b == '\r' : b == '\n') ? matched + 1
                    : (b == '\r' ? 1 : 0);
        }
        String headText = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(headText.substring(9, 12));
        int length = 0;
        for (String line : headText.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new RawAnswer(status, headText, new String(body, StandardCharsets.UTF_8));
    }
}
