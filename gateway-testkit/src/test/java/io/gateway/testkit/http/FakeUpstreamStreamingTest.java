package io.gateway.testkit.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SSE streaming, slow and broken replies, and client disconnect detection. */
class FakeUpstreamStreamingTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private FakeUpstream upstream;
    private HttpClient client;

    @BeforeEach
    void start() {
        upstream = FakeUpstream.start();
        client = TestHttp.client();
    }

    @AfterEach
    void stop() {
        client.close();
        upstream.close();
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Test
    void sseFramesArriveIncrementally() throws Exception {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data("{\"n\":1}"),
                SseFrame.data("{\"n\":2}").after(Duration.ofMillis(1_000)),
                SseFrame.done()));

        long start = System.nanoTime();
        HttpResponse<InputStream> response = client.send(TestHttp.post(upstream.uri("/v1/chat/completions"), "{}"),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
        assertEquals("no-cache", response.headers().firstValue("cache-control").orElseThrow());
        assertEquals("chunked", response.headers().firstValue("transfer-encoding").orElseThrow());

        try (SseParser events = new SseParser(response.body())) {
            SseFrame first = events.next();
            long firstAt = millisSince(start);
            SseFrame second = events.next();
            long secondAt = millisSince(start);
            SseFrame done = events.next();

            assertEquals(SseFrame.data("{\"n\":1}"), first);
            assertTrue(firstAt < 500, "first frame after " + firstAt + " ms, before the second frame's delay passed");
            assertEquals(2, second.json().getInt("n"));
            assertTrue(secondAt - firstAt >= 900, "second frame " + (secondAt - firstAt) + " ms after the first");
            assertTrue(done.isDone());
            assertFalse(events.hasNext());
        }
        assertTrue(upstream.lastRequest().awaitReplyCompleted(WAIT));
        assertEquals(0, upstream.clientDisconnects());
    }

    @Test
    void eachFrameReachesTheSocketAsItsOwnChunk() throws Exception {
        upstream.on("POST", "/stream").respond(Reply.sse(
                SseFrame.data("first"),
                SseFrame.data("second").after(Duration.ofMillis(1_000))));

        try (Socket socket = TestHttp.rawPost(upstream, "/stream", "{}")) {
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            long start = System.nanoTime();
            String head = TestHttp.readUntil(in, seen, "data: first\n\n");
            long firstAt = millisSince(start);
            assertTrue(firstAt < 500, "first frame after " + firstAt + " ms");
            assertFalse(seen.toString().contains("second"));
            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            assertTrue(head.toLowerCase().contains("transfer-encoding: chunked\r\n"), head);
            // one chunk per frame: size line, the frame, CRLF
            assertTrue(head.contains("\r\n\r\n" + Integer.toHexString("data: first\n\n".length()) + "\r\ndata: first\n\n"),
                    head);

            String all = TestHttp.readUntil(in, seen, "\r\n0\r\n\r\n");
            assertTrue(millisSince(start) >= 900);
            assertTrue(all.contains("data: second\n\n"), all);
        }
    }

    @Test
    void headersAreSentBeforeTheFirstDelayedFrame() throws Exception {
        upstream.on("POST", "/stream").respond(Reply.sse(SseFrame.data("late").after(Duration.ofMillis(1_500))));

        long start = System.nanoTime();
        HttpResponse<InputStream> response = client.send(TestHttp.post(upstream.uri("/stream"), "{}"),
                HttpResponse.BodyHandlers.ofInputStream());
        long headersAt = millisSince(start);

        assertEquals(200, response.statusCode());
        assertTrue(headersAt < 1_000, "headers after " + headersAt + " ms");
        assertEquals(List.of(SseFrame.data("late")), SseParser.readAll(response.body()));
    }

    @Test
    void namedEventsAndMultiLineDataRoundTrip() throws Exception {
        List<SseFrame> script = List.of(
                SseFrame.event("response.created", "{\"type\":\"response.created\"}"),
                SseFrame.data("line one\nline two\n\nline four"),
                SseFrame.data(""),
                SseFrame.event("ping", " leading space").after(Duration.ofMillis(20)));
        upstream.on("GET", "/events").respond(Reply.sse(script));

        HttpResponse<InputStream> response = client.send(TestHttp.get(upstream.uri("/events")),
                HttpResponse.BodyHandlers.ofInputStream());

        assertEquals(script, SseParser.readAll(response.body()));
    }

    @Test
    void chunkedRepliesCarryRawSseWithCommentsAndCrlf() throws Exception {
        upstream.on("POST", "/raw").respond(Reply.chunked(200, "text/event-stream", List.of(
                Reply.Chunk.of(": keep-alive\r\n\r\n"),
                Reply.Chunk.of("event: a\r\ndata: {\"x\":"),
                Reply.Chunk.of("1}\r\n\r\n").after(Duration.ofMillis(50)),
                Reply.Chunk.of("\n\n"),
                Reply.Chunk.of("data: two\rdata: lines\r\r"))));

        HttpResponse<InputStream> response = client.send(TestHttp.post(upstream.uri("/raw"), "{}"),
                HttpResponse.BodyHandlers.ofInputStream());

        try (SseParser parser = new SseParser(response.body())) {
            assertEquals(new SseFrame("a", "{\"x\":1}"), parser.next());
            assertEquals(SseFrame.data("two\nlines"), parser.next());
            assertFalse(parser.hasNext());
            assertEquals(1, parser.comments());
        }
    }

    @Test
    void streamThatDropsTheConnectionBreaksOffAfterItsFrames() throws Exception {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data("{\"n\":1}"),
                SseFrame.data("{\"n\":2}")).thenDropConnection());

        // on the wire: both frames as chunks, then the connection ends without the terminating chunk
        try (Socket socket = TestHttp.rawPost(upstream, "/v1/chat/completions", "{}")) {
            String raw = TestHttp.readToEnd(socket.getInputStream());
            assertTrue(raw.contains("data: {\"n\":1}\n\n"), raw);
            assertTrue(raw.endsWith("data: {\"n\":2}\n\n\r\n"), raw);
            assertFalse(raw.contains("\r\n0\r\n\r\n"), raw);
        }

        // a client sees the body break off (java.net.http may drop frames it had buffered but not yet
        // handed out once the body fails, so only the failure and a prefix are certain)
        HttpResponse<InputStream> response = client.send(TestHttp.post(upstream.uri("/v1/chat/completions"), "{}"),
                HttpResponse.BodyHandlers.ofInputStream());
        List<SseFrame> received = new ArrayList<>();
        try (SseParser parser = new SseParser(response.body())) {
            UncheckedIOException broken = assertThrows(UncheckedIOException.class, () -> {
                while (parser.hasNext()) {
                    received.add(parser.next());
                }
            });
            assertNotNull(broken.getCause());
        }
        List<SseFrame> script = List.of(SseFrame.data("{\"n\":1}"), SseFrame.data("{\"n\":2}"));
        assertEquals(script.subList(0, received.size()), received);

        assertTrue(upstream.awaitOpenConnections(0, WAIT));
        assertEquals(0, upstream.clientDisconnects(), "the server dropped it, not the client");
        upstream.requests().forEach(r -> assertFalse(r.awaitReplyCompleted(Duration.ofSeconds(1))));
    }

    @Test
    void dropConnectionClosesWithoutAnAnswer() throws Exception {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.dropConnection(), Reply.json(200, "{}"));

        ExecutionException failure = assertThrows(ExecutionException.class, () -> client.sendAsync(
                TestHttp.post(upstream.uri("/v1/chat/completions"), "{}"), HttpResponse.BodyHandlers.ofString())
                .get(30, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, failure.getCause());
        assertEquals(1, upstream.requestCount(), "the request was received and recorded");
        assertEquals(200, TestHttp.send(client, TestHttp.post(upstream.uri("/v1/chat/completions"), "{}")).statusCode());
        assertEquals(0, upstream.clientDisconnects());
    }

    @Test
    void dropConnectionOnARawSocketEndsTheStreamWithoutBytes() throws Exception {
        upstream.on("POST", "/drop").respond(Reply.dropConnection().delay(Duration.ofMillis(300)));

        try (Socket socket = TestHttp.rawPost(upstream, "/drop", "{}")) {
            long start = System.nanoTime();
            assertEquals(-1, socket.getInputStream().read());
            assertTrue(millisSince(start) >= 250);
        }
        assertTrue(upstream.awaitOpenConnections(0, WAIT));
    }

    @Test
    void truncatedBodyEndsBeforeItsContentLength() throws Exception {
        upstream.on("POST", "/v1/embeddings").respond(Reply.truncated(200, 100, "{\"object\":\"li"));

        IOException failure = assertThrows(IOException.class, () -> TestHttp.send(client,
                TestHttp.post(upstream.uri("/v1/embeddings"), "{}")));
        assertNotNull(failure.getMessage());

        try (Socket socket = TestHttp.rawPost(upstream, "/v1/embeddings", "{}")) {
            String raw = TestHttp.readToEnd(socket.getInputStream());
            assertTrue(raw.startsWith("HTTP/1.1 200 "), raw);
            assertTrue(raw.toLowerCase().contains("content-length: 100\r\n"), raw);
            assertTrue(raw.endsWith("\r\n\r\n{\"object\":\"li"), raw);
        }
        assertEquals(0, upstream.clientDisconnects());
    }

    @Test
    void clientClosingMidStreamIsDetectedEvenWhileTheStreamIsIdle() throws Exception {
        List<SseFrame> frames = new ArrayList<>();
        frames.add(SseFrame.data("{\"n\":0}"));
        for (int i = 1; i < 10; i++) {
            frames.add(SseFrame.data("{\"n\":" + i + "}").after(Duration.ofSeconds(10)));
        }
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(frames));

        HttpResponse<InputStream> response = client.send(TestHttp.post(upstream.uri("/v1/chat/completions"), "{}"),
                HttpResponse.BodyHandlers.ofInputStream());
        SseParser parser = new SseParser(response.body());
        assertEquals(0, parser.next().json().getInt("n"));
        RecordedRequest request = upstream.lastRequest();
        assertFalse(request.clientDisconnected());

        long closedAt = System.nanoTime();
        parser.close();

        assertTrue(upstream.awaitClientDisconnect(WAIT));
        assertTrue(millisSince(closedAt) < 2_000, "noticed after " + millisSince(closedAt) + " ms");
        assertTrue(request.awaitClientDisconnect(Duration.ZERO));
        assertTrue(request.clientDisconnected());
        assertFalse(request.awaitReplyCompleted(Duration.ofSeconds(1)));
        assertEquals(1, upstream.clientDisconnects());
        assertTrue(upstream.awaitOpenConnections(0, WAIT));
    }

    @Test
    void clientResetMidStreamIsDetectedByAFailedWrite() throws Exception {
        List<SseFrame> frames = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            frames.add(SseFrame.data("{\"n\":" + i + "}").after(Duration.ofMillis(20)));
        }
        upstream.on("POST", "/stream").respond(Reply.sse(frames));

        try (Socket socket = TestHttp.rawPost(upstream, "/stream", "{}")) {
            TestHttp.readUntil(socket.getInputStream(), new StringBuilder(), "data: {\"n\":2}");
            socket.setSoLinger(true, 0); // close with RST
        }

        RecordedRequest request = upstream.takeRequest(WAIT);
        assertNotNull(request);
        assertTrue(request.awaitClientDisconnect(WAIT));
        assertEquals(1, upstream.clientDisconnects());
        assertFalse(request.replyCompleted());
    }

    @Test
    void clientGivingUpDuringTheDelayIsDetected() throws Exception {
        upstream.on("POST", "/slow").respond(Reply.json(200, "{}").delay(Duration.ofSeconds(30)));

        long start;
        try (Socket socket = TestHttp.rawPost(upstream, "/slow", "{}")) {
            assertNotNull(upstream.takeRequest(WAIT));
            start = System.nanoTime();
        }

        assertTrue(upstream.awaitClientDisconnect(WAIT));
        assertTrue(millisSince(start) < 2_000);
        assertTrue(upstream.lastRequest().clientDisconnected());
    }

    @Test
    void httpClientTimeoutClosesTheUpstreamConnection() throws Exception {
        upstream.on("POST", "/slow").respond(Reply.json(200, "{}").delay(Duration.ofSeconds(30)));

        CompletableFuture<HttpResponse<String>> call = client.sendAsync(
                java.net.http.HttpRequest.newBuilder(upstream.uri("/slow"))
                        .timeout(Duration.ofMillis(300))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        ExecutionException failure = assertThrows(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
        assertInstanceOf(java.net.http.HttpTimeoutException.class, failure.getCause());
        assertTrue(upstream.awaitClientDisconnect(WAIT));
    }

    @Test
    void clientClosingAfterTheWholeReplyIsNotADisconnect() throws Exception {
        upstream.on("POST", "/stream").respond(Reply.sse(SseFrame.data("a"), SseFrame.data("b"), SseFrame.done()));
        upstream.on("POST", "/json").respond(Reply.json(200, "{\"done\":true}"));

        try (Socket socket = TestHttp.rawPost(upstream, "/stream", "{}")) {
            TestHttp.readUntil(socket.getInputStream(), new StringBuilder(), "\r\n0\r\n\r\n");
        }
        try (Socket socket = TestHttp.rawPost(upstream, "/json", "{}")) {
            TestHttp.readUntil(socket.getInputStream(), new StringBuilder(), "{\"done\":true}");
        }

        assertTrue(upstream.awaitOpenConnections(0, WAIT));
        assertEquals(0, upstream.clientDisconnects());
        upstream.requests().forEach(r -> assertFalse(r.clientDisconnected(), r.toString()));
        upstream.requests().forEach(r -> assertTrue(r.awaitReplyCompleted(WAIT), r.toString()));
    }

    @Test
    void closingTheUpstreamEndsAStreamInProgress() throws Exception {
        upstream.on("POST", "/stream").respond(Reply.sse(
                SseFrame.data("a"),
                SseFrame.data("b").after(Duration.ofSeconds(30))));

        HttpResponse<InputStream> response = client.send(TestHttp.post(upstream.uri("/stream"), "{}"),
                HttpResponse.BodyHandlers.ofInputStream());
        SseParser parser = new SseParser(response.body());
        assertEquals(SseFrame.data("a"), parser.next());

        long start = System.nanoTime();
        upstream.close();
        assertTrue(millisSince(start) < 3_000, "close took " + millisSince(start) + " ms");
        assertThrows(UncheckedIOException.class, parser::hasNext);
        parser.close();
    }
}
