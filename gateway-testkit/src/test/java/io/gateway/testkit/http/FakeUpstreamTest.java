package io.gateway.testkit.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeUpstreamTest {

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

    @Test
    void listensOnLoopbackOnAFreePort() {
        try (FakeUpstream other = FakeUpstream.start()) {
            assertTrue(upstream.port() > 0);
            assertEquals("http://127.0.0.1:" + upstream.port(), upstream.baseUrl());
            assertEquals(upstream.baseUrl() + "/v1/models?x=1", upstream.uri("/v1/models?x=1").toString());
            assertNotEquals(upstream.port(), other.port());
        }
    }

    @Test
    void stubAnswersJsonWithStatusAndHeaders() throws Exception {
        upstream.on("POST", "/v1/chat/completions")
                .respond(Reply.json(201, "{\"ok\":true}").header("x-ratelimit-remaining-requests", "7"));

        HttpResponse<String> response = TestHttp.send(client,
                TestHttp.post(upstream.uri("/v1/chat/completions"), "{}"));

        assertEquals(201, response.statusCode());
        assertEquals("{\"ok\":true}", response.body());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        assertEquals("7", response.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals("11", response.headers().firstValue("content-length").orElseThrow());
    }

    @Test
    void headerReplacesTheFactoryContentType() throws Exception {
        upstream.on("GET", "/a").respond(Reply.json(200, "[]").header("Content-Type", "application/x-ndjson"));

        HttpResponse<String> response = TestHttp.send(client, TestHttp.get(upstream.uri("/a")));

        assertEquals(List.of("application/x-ndjson"), response.headers().allValues("content-type"));
    }

    @Test
    void repeatedHeaderSendsEveryValue() throws Exception {
        upstream.on("GET", "/a").respond(Reply.text(200, "x").header("x-multi", "1").header("x-multi", "2"));

        HttpResponse<String> response = TestHttp.send(client, TestHttp.get(upstream.uri("/a")));

        assertEquals(List.of("1", "2"), response.headers().allValues("x-multi"));
        assertEquals("text/plain; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void matchingIgnoresTheQueryButRecordsIt() throws Exception {
        upstream.on("POST", "/openai/deployments/d1/chat/completions").respond(Reply.json(200, "{}"));

        HttpResponse<String> response = TestHttp.send(client, TestHttp.post(
                upstream.uri("/openai/deployments/d1/chat/completions?api-version=2024-10-21&x=a%20b&flag"), "{}"));

        assertEquals(200, response.statusCode());
        RecordedRequest request = upstream.lastRequest();
        assertEquals("/openai/deployments/d1/chat/completions", request.path());
        assertEquals("api-version=2024-10-21&x=a%20b&flag", request.query());
        assertEquals("2024-10-21", request.queryParameter("api-version"));
        assertEquals("a b", request.queryParameter("x"));
        assertEquals("", request.queryParameter("flag"));
        assertNull(request.queryParameter("missing"));
    }

    @Test
    void methodMustMatch() throws Exception {
        upstream.on("POST", "/v1/embeddings").respond(Reply.json(200, "{}"));

        assertEquals(404, TestHttp.send(client, TestHttp.get(upstream.uri("/v1/embeddings"))).statusCode());
        assertEquals(200, TestHttp.send(client, TestHttp.post(upstream.uri("/v1/embeddings"), "{}")).statusCode());
    }

    @Test
    void prefixAndAnyMethodStubs() throws Exception {
        upstream.onPrefix("GET", "/v1/models/").respond(Reply.from(r -> Reply.json(200,
                "{\"id\":\"" + r.path().substring("/v1/models/".length()) + "\"}")));
        upstream.on("*", "/any").respond(Reply.status(204));

        assertEquals("{\"id\":\"gpt-4o\"}",
                TestHttp.send(client, TestHttp.get(upstream.uri("/v1/models/gpt-4o"))).body());
        assertEquals(204, TestHttp.send(client, TestHttp.get(upstream.uri("/any"))).statusCode());
        assertEquals(204, TestHttp.send(client, TestHttp.post(upstream.uri("/any"), "{}")).statusCode());
        assertEquals(404, TestHttp.send(client, TestHttp.get(upstream.uri("/v1/models"))).statusCode());
    }

    @Test
    void mostRecentlyRegisteredStubWins() throws Exception {
        upstream.onPrefix("GET", "/v1/").respond(Reply.text(200, "prefix"));
        upstream.on("GET", "/v1/x").respond(Reply.text(200, "first"));
        upstream.on("GET", "/v1/x").respond(Reply.text(200, "second"));

        assertEquals("second", TestHttp.send(client, TestHttp.get(upstream.uri("/v1/x"))).body());
        assertEquals("prefix", TestHttp.send(client, TestHttp.get(upstream.uri("/v1/y"))).body());
    }

    @Test
    void sequenceAnswersInTurnAndRepeatsTheLast() throws Exception {
        upstream.on("POST", "/v1/chat/completions").respond(
                Reply.error(500, "boom one"),
                Reply.error(503, "boom two"),
                Reply.json(200, "{\"id\":\"ok\"}"));

        int[] statuses = new int[5];
        for (int i = 0; i < statuses.length; i++) {
            statuses[i] = TestHttp.send(client, TestHttp.post(upstream.uri("/v1/chat/completions"), "{}")).statusCode();
        }

        assertArrayEquals(new int[] {500, 503, 200, 200, 200}, statuses);
        assertEquals(5, upstream.requestCount());
    }

    @Test
    void errorReplyIsOpenAiShaped() throws Exception {
        upstream.on("POST", "/x").respond(Reply.error(429, "slow down"), Reply.error(400, "invalid_request_error",
                "context_length_exceeded", "too long"));

        HttpResponse<String> first = TestHttp.send(client, TestHttp.post(upstream.uri("/x"), "{}"));
        HttpResponse<String> second = TestHttp.send(client, TestHttp.post(upstream.uri("/x"), "{}"));

        JsonObject error = JsonBodies.parse(first.body()).getJsonObject("error");
        assertEquals(429, first.statusCode());
        assertEquals("slow down", error.getString("message"));
        assertEquals("rate_limit_error", error.getString("type"));
        assertTrue(error.isNull("param"));
        assertTrue(error.isNull("code"));
        JsonObject error2 = JsonBodies.parse(second.body()).getJsonObject("error");
        assertEquals("context_length_exceeded", error2.getString("code"));
        assertEquals("invalid_request_error", error2.getString("type"));
    }

    @Test
    void unmatchedRequestGets404OpenAiError() throws Exception {
        HttpResponse<String> response = TestHttp.send(client, TestHttp.post(upstream.uri("/v1/nothing"), "{}"));

        assertEquals(404, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        JsonObject error = JsonBodies.parse(response.body()).getJsonObject("error");
        assertEquals("invalid_request_error", error.getString("type"));
        assertEquals("not_found", error.getString("code"));
        assertTrue(error.isNull("param"));
        assertTrue(error.getString("message").contains("POST /v1/nothing"), error.getString("message"));
        assertEquals(1, upstream.requestCount(), "unmatched requests are recorded too");
    }

    @Test
    void recordsEveryRequestWithHeadersAndBody() throws Exception {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.json(200, "{}"));
        upstream.on("POST", "/v1/embeddings").respond(Reply.json(200, "{}"));
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"héllo\"}]}";

        TestHttp.send(client, HttpRequest.newBuilder(upstream.uri("/v1/chat/completions"))
                .header("Authorization", "Bearer sk-test")
                .header("X-Custom", "one")
                .header("X-Custom", "two")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build());
        TestHttp.send(client, TestHttp.post(upstream.uri("/v1/embeddings"), "{\"input\":\"x\"}"));

        assertEquals(2, upstream.requestCount());
        RecordedRequest chat = upstream.requests().get(0);
        assertEquals("POST", chat.method());
        assertEquals("/v1/chat/completions", chat.path());
        assertNull(chat.query());
        assertEquals("Bearer sk-test", chat.header("authorization"));
        assertEquals("Bearer sk-test", chat.header("AUTHORIZATION"));
        assertEquals(List.of("one", "two"), chat.headers().all("x-custom"));
        assertNull(chat.header("x-absent"));
        assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), chat.body());
        assertEquals(body, chat.bodyString());
        assertEquals("gpt-4o-mini", chat.bodyJson().getString("model"));
        assertEquals("héllo", chat.bodyJson().getJsonArray("messages").getJsonObject(0).getString("content"));
        assertEquals(0, chat.sequence());
        assertNotNull(chat.receivedAt());

        assertEquals(1, upstream.requests("/v1/embeddings").size());
        assertEquals("/v1/embeddings", upstream.lastRequest().path());
        assertEquals(1, upstream.lastRequest().sequence());
        assertTrue(upstream.requests("/v1/none").isEmpty());
    }

    @Test
    void bodyJsonRejectsNonJson() throws Exception {
        upstream.on("POST", "/x").respond(Reply.status(200));
        TestHttp.send(client, TestHttp.post(upstream.uri("/x"), "not json"));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> upstream.lastRequest().bodyJson());
        assertTrue(e.getMessage().contains("not json"));
    }

    @Test
    void lastRequestThrowsWhenNothingArrived() {
        assertThrows(IllegalStateException.class, upstream::lastRequest);
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void takeRequestBlocksUntilARequestArrivesAndReturnsEachOnce() throws Exception {
        upstream.on("POST", "/x").respond(Reply.json(200, "{}"));

        assertNull(upstream.takeRequest(Duration.ofMillis(100)));
        CompletableFuture<RecordedRequest> taken = CompletableFuture.supplyAsync(() -> upstream.takeRequest(WAIT));
        Thread.sleep(100);
        TestHttp.send(client, TestHttp.post(upstream.uri("/x"), "{\"n\":1}"));
        TestHttp.send(client, TestHttp.post(upstream.uri("/x"), "{\"n\":2}"));

        assertEquals(1, taken.get(30, TimeUnit.SECONDS).bodyJson().getInt("n"));
        assertEquals(2, upstream.takeRequest(WAIT).bodyJson().getInt("n"));
        assertNull(upstream.takeRequest(Duration.ofMillis(50)));
        assertEquals(2, upstream.requests().size());
    }

    @Test
    void requestIsRecordedBeforeItsReplyIsWritten() throws Exception {
        upstream.on("POST", "/slow").respond(Reply.json(200, "{}").delay(Duration.ofSeconds(2)));

        CompletableFuture<HttpResponse<String>> response = client.sendAsync(
                TestHttp.post(upstream.uri("/slow"), "{\"q\":1}"), HttpResponse.BodyHandlers.ofString());

        RecordedRequest request = upstream.takeRequest(WAIT);
        assertNotNull(request);
        assertFalse(response.isDone());
        assertFalse(request.replyCompleted());
        assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
        assertTrue(request.awaitReplyCompleted(WAIT));
        assertTrue(request.replyCompleted());
        assertTrue(upstream.awaitRequestCount(1, WAIT));
    }

    @Test
    void resetForgetsStubsAndRequests() throws Exception {
        upstream.on("GET", "/x").respond(Reply.text(200, "x"));
        TestHttp.send(client, TestHttp.get(upstream.uri("/x")));

        upstream.reset();

        assertEquals(0, upstream.requestCount());
        assertNull(upstream.takeRequest(Duration.ofMillis(10)));
        assertEquals(404, TestHttp.send(client, TestHttp.get(upstream.uri("/x"))).statusCode());
        assertEquals(1, upstream.requestCount());
        assertEquals(1, upstream.lastRequest().sequence(), "sequence numbers keep counting");
    }

    @Test
    void dynamicReplyEchoesTheRequest() throws Exception {
        upstream.on("POST", "/echo").respond(Reply.from(r -> Reply.json(200, r.bodyString())
                .header("x-echo-method", r.method())));

        HttpResponse<String> response = TestHttp.send(client, TestHttp.post(upstream.uri("/echo"), "{\"a\":[1,2]}"));

        assertEquals("{\"a\":[1,2]}", response.body());
        assertEquals("POST", response.headers().firstValue("x-echo-method").orElseThrow());
    }

    @Test
    void failingDynamicReplyAnswers500() throws Exception {
        upstream.on("POST", "/bad").respond(Reply.from(r -> {
            throw new IllegalArgumentException("nope");
        }));

        HttpResponse<String> response = TestHttp.send(client, TestHttp.post(upstream.uri("/bad"), "{}"));

        assertEquals(500, response.statusCode());
        JsonObject error = JsonBodies.parse(response.body()).getJsonObject("error");
        assertEquals("fake_upstream_handler_failed", error.getString("code"));
        assertTrue(error.getString("message").contains("nope"));
    }

    @Test
    void statusWithoutBody() throws Exception {
        upstream.on("DELETE", "/x").respond(Reply.status(204), Reply.status(202));

        HttpRequest delete = HttpRequest.newBuilder(upstream.uri("/x")).DELETE().build();
        HttpResponse<String> first = TestHttp.send(client, delete);
        HttpResponse<String> second = TestHttp.send(client, delete);

        assertEquals(204, first.statusCode());
        assertEquals("", first.body());
        assertEquals(202, second.statusCode());
        assertEquals("0", second.headers().firstValue("content-length").orElseThrow());
    }

    @Test
    void keptAliveConnectionIsReusedAndCounted() throws Exception {
        upstream.on("GET", "/x").respond(Reply.text(200, "x"));

        TestHttp.send(client, TestHttp.get(upstream.uri("/x")));
        TestHttp.send(client, TestHttp.get(upstream.uri("/x")));
        try (HttpClient other = TestHttp.client()) {
            TestHttp.send(other, TestHttp.get(upstream.uri("/x")));
        }

        List<RecordedRequest> requests = upstream.requests();
        assertEquals(requests.get(0).connectionId(), requests.get(1).connectionId());
        assertNotEquals(requests.get(0).connectionId(), requests.get(2).connectionId());
        assertEquals(2, upstream.totalConnections());
        assertTrue(upstream.awaitOpenConnections(1, WAIT), "the closed client's connection is gone");
        assertEquals(0, upstream.clientDisconnects(), "closing an idle connection is not a disconnect");
    }

    @Test
    void tracksRawConnectionsOpeningAndClosing() throws Exception {
        assertEquals(0, upstream.openConnections());
        try (Socket first = new Socket("127.0.0.1", upstream.port());
             Socket second = new Socket("127.0.0.1", upstream.port())) {
            assertTrue(first.isConnected() && second.isConnected());
            assertTrue(upstream.awaitOpenConnections(2, WAIT));
        }
        assertTrue(upstream.awaitOpenConnections(0, WAIT));
        assertEquals(2, upstream.totalConnections());
    }

    @Test
    void connectionClosedByTheServerIsNoLongerOpen() throws Exception {
        upstream.on("GET", "/close").respond(Reply.text(200, "bye").header("Connection", "close"));

        TestHttp.send(client, TestHttp.get(upstream.uri("/close")));

        assertTrue(upstream.awaitOpenConnections(0, WAIT));
        assertEquals(0, upstream.clientDisconnects());
        assertTrue(upstream.lastRequest().awaitReplyCompleted(WAIT));
    }

    @Test
    void delayHoldsBackTheStatusLine() throws Exception {
        upstream.on("GET", "/slow").respond(Reply.json(200, "{}").delay(Duration.ofMillis(600)));

        long start = System.nanoTime();
        HttpResponse<String> response = TestHttp.send(client, TestHttp.get(upstream.uri("/slow")));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(200, response.statusCode());
        assertTrue(elapsedMillis >= 550, "took " + elapsedMillis + " ms");
    }

    @Test
    void concurrentRequestsAreServedInParallel() throws Exception {
        upstream.on("GET", "/slow").respond(Reply.text(200, "ok").delay(Duration.ofMillis(500)));
        int count = 20;
        CountDownLatch done = new CountDownLatch(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            client.sendAsync(TestHttp.get(upstream.uri("/slow")), HttpResponse.BodyHandlers.ofString())
                    .thenAccept(r -> {
                        if (r.statusCode() == 200) {
                            done.countDown();
                        }
                    });
        }

        assertTrue(done.await(10, TimeUnit.SECONDS));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMillis < 5_000, "took " + elapsedMillis + " ms");
        assertEquals(count, upstream.requestCount());
    }

    @Test
    void closeReleasesThePortAndIsIdempotent() throws Exception {
        int port = upstream.port();
        upstream.close();
        upstream.close();

        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    @Test
    void truncatedWithHeadersMapUsesTheirContentLength() throws Exception {
        upstream.on("GET", "/t").respond(Reply.truncated(200,
                Map.of("Content-Length", "50", "Content-Type", "text/plain", "x-extra", "1"), "0123456789"));

        try (Socket socket = new Socket("127.0.0.1", upstream.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /t HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String raw = TestHttp.readToEnd(socket.getInputStream());
            String lower = raw.toLowerCase();
            assertTrue(lower.contains("content-length: 50\r\n"), raw);
            assertTrue(lower.contains("content-type: text/plain\r\n"), raw);
            assertFalse(lower.contains("application/json"), raw);
            assertTrue(lower.contains("x-extra: 1\r\n"), raw);
            assertTrue(raw.endsWith("\r\n\r\n0123456789"), raw);
        }
    }

    @Test
    void requestWithoutBodyHasAnEmptyBody() throws IOException, InterruptedException {
        upstream.on("GET", "/v1/models").respond(Reply.json(200, "{}"));

        TestHttp.send(client, TestHttp.get(upstream.uri("/v1/models")));

        assertEquals(0, upstream.lastRequest().body().length);
        assertEquals("", upstream.lastRequest().bodyString());
    }
}
