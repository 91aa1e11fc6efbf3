package io.gateway.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.Gate;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The kit's HTTP client keeps the server's client's semantics, checked against a fake upstream. */
class HttpUpstreamTest {

    private final FakeUpstream fake = FakeUpstream.start();
    private final HttpUpstream client = HttpUpstream.create();

    @AfterEach
    void close() {
        client.close();
        fake.close();
    }

    private UpstreamRequest.Builder post(String path) {
        return UpstreamRequest.builder("POST", fake.uri(path)).body("{\"q\":1}".getBytes(StandardCharsets.UTF_8))
                .headers(Headers.of("content-type", "application/json", "authorization", "Bearer sk-1",
                        "connection", "close", "host", "evil.example"));
    }

    @Test
    void sendsTheRequestAndReadsTheAnswer() {
        fake.on("POST", "/v1/x").respond(Reply.json(201, "{\"ok\":true}").header("x-ratelimit-remaining", "9"));
        try (UpstreamResponse response = client.send(post("/v1/x").build())) {
            assertEquals(201, response.status());
            assertEquals("9", response.headers().first("x-ratelimit-remaining").orElseThrow());
            assertEquals("{\"ok\":true}", new String(response.body(), StandardCharsets.UTF_8));
        }
        RecordedRequest sent = fake.lastRequest();
        assertEquals("Bearer sk-1", sent.header("authorization"));
        assertEquals("llm-gateway", sent.header("user-agent"), "the server's user agent unless the plugin sets one");
        assertEquals("{\"q\":1}", sent.bodyString());
        assertFalse("evil.example".equals(sent.header("host")), "hop-by-hop headers are the client's business");
        assertTrue(client.lastResponse().fullyRead());
        client.assertAllReleased();
    }

    @Test
    void eventsArriveOneByOneAsTheUpstreamSendsThem() {
        Gate gate = new Gate();
        fake.on("POST", "/s").respond(Reply.sse(SseFrame.event("first", "{\"n\":1}"), SseFrame.data("{\"n\":2}"),
                SseFrame.done()).holdAfter(1, gate));
        EventStream events = client.send(post("/s").stream(true).build()).events();
        StreamEvent first = assertTimeoutPreemptively(Duration.ofSeconds(3), events::next,
                "the first event is readable while the upstream holds back the rest");
        assertEquals(new StreamEvent("first", "{\"n\":1}"), first);
        gate.open();
        assertEquals(List.of(new StreamEvent(null, "{\"n\":2}"), StreamEvent.DONE), EventStreams.drain(events));
        assertFalse(gate.timedOut());
        assertTrue(client.lastResponse().released());
    }

    @Test
    void aStreamSilentLongerThanItsIdleTimeoutTimesOut() {
        fake.on("POST", "/s").respond(Reply.sse(SseFrame.data("{}"), SseFrame.data("{}").after(Duration.ofSeconds(3))));
        EventStream events = client.send(post("/s").stream(true).idleTimeout(Duration.ofMillis(200)).build()).events();
        events.next();
        GatewayException e = assertThrows(GatewayException.class, events::next);
        assertEquals(ErrorCode.TIMEOUT, e.errorCode());
        assertEquals("the provider sent no stream event for 200 ms (stream-idle-timeout)", e.getMessage());
    }

    @Test
    void aBodyMustArriveWithinTheDeadline() {
        fake.on("POST", "/slow-body").respond(Reply.chunked(200, "application/json", List.of(
                Reply.Chunk.of("{\"a\":"), Reply.Chunk.of("1}").after(Duration.ofSeconds(3)))));
        UpstreamResponse response = client.send(post("/slow-body").deadline(Instant.now().plusMillis(500)).build());
        GatewayException e = assertThrows(GatewayException.class, response::body);
        assertEquals(ErrorCode.TIMEOUT, e.errorCode());
        assertTrue(response instanceof RecordingUpstream.TrackedResponse tracked && tracked.closed());
    }

    @Test
    void headersThatDoNotArriveBeforeTheDeadlineTimeOut() {
        fake.on("POST", "/slow").respond(Reply.json(200, "{}").delay(Duration.ofSeconds(3)));
        GatewayException e = assertThrows(GatewayException.class,
                () -> client.send(post("/slow").deadline(Instant.now().plusMillis(300)).build()));
        assertEquals(ErrorCode.TIMEOUT, e.errorCode());
        assertTrue(fake.lastRequest().awaitClientDisconnect(Duration.ofSeconds(5)), "the call was abandoned");
    }

    @Test
    void aDeadlineThatPassedSendsNothing() {
        GatewayException e = assertThrows(GatewayException.class,
                () -> client.send(post("/late").deadline(Instant.now().minusSeconds(1)).build()));
        assertEquals("the request deadline passed before the provider was called", e.getMessage());
        assertEquals(0, fake.requestCount());
    }

    @Test
    void unreachableAndBrokenUpstreamsAreConnectionFailures() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        GatewayException unreachable = assertThrows(GatewayException.class, () -> client.send(UpstreamRequest.builder(
                "GET", URI.create("http://127.0.0.1:" + closedPort + "/")).build()));
        assertEquals(ErrorCode.PROVIDER_CONNECTION_FAILED, unreachable.errorCode());
        assertTrue(unreachable.getMessage().contains("check its base-url"), unreachable.getMessage());

        fake.on("POST", "/drop").respond(Reply.dropConnection());
        assertEquals(ErrorCode.PROVIDER_CONNECTION_FAILED,
                assertThrows(GatewayException.class, () -> client.send(post("/drop").build())).errorCode());

        fake.on("POST", "/cut").respond(Reply.sse(SseFrame.data("{}")).thenDropConnection());
        EventStream cut = client.send(post("/cut").stream(true).build()).events();
        cut.next();
        GatewayException broken = assertThrows(GatewayException.class, cut::next);
        assertEquals("the provider broke the connection in the middle of the stream", broken.getMessage());
    }

    @Test
    void closingAStreamAbortsTheCall() {
        fake.on("POST", "/long").respond(Reply.sse(SseFrame.data("{}"), SseFrame.data("{}").after(Duration.ofSeconds(5))));
        EventStream events = client.send(post("/long").stream(true).build()).events();
        events.next();
        events.close();
        assertNull(events.next());
        assertTrue(client.lastResponse().closed());
        assertTrue(fake.lastRequest().awaitClientDisconnect(Duration.ofSeconds(5)));
    }

    @Test
    void aRedirectingClientKeepsTheProvidersUrlInItsRecord() throws Exception {
        try (HttpUpstream redirecting = HttpUpstream.redirectingTo(fake.baseUrl())) {
            fake.on("GET", "/v1beta/models").respond(Reply.json(200, "{\"models\":[]}"));
            UpstreamResponse response = redirecting.send(UpstreamRequest.builder("GET",
                    URI.create("https://generativelanguage.googleapis.com/v1beta/models?pageSize=10")).build());
            try (InputStream body = response.stream()) {
                assertEquals("{\"models\":[]}", new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertEquals("pageSize=10", fake.lastRequest().query());
            assertEquals("generativelanguage.googleapis.com", redirecting.lastRequest().uri().getHost());
            redirecting.assertAllReleased();
        }
    }

    @Test
    void aHeaderWithALineBreakIsRefusedBeforeSending() {
        GatewayException e = assertThrows(GatewayException.class, () -> client.send(post("/x")
                .headers(Headers.of("api-key", "secret\n")).build()));
        assertEquals(ErrorCode.INTERNAL, e.errorCode());
        assertFalse(e.getMessage().contains("secret"));
        assertEquals(0, fake.requestCount());
    }
}
