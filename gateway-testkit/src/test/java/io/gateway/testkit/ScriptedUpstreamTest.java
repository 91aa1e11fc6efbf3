package io.gateway.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.spi.upstream.UpstreamResponse;
import io.gateway.testkit.ScriptedUpstream.Canned;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptedUpstreamTest {

    private static UpstreamRequest request(String path) {
        return UpstreamRequest.builder("POST", URI.create("https://api.example.com" + path))
                .body("{\"a\":1}".getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void answersInOrderThenFromTheResponderAndRecordsEverything() {
        ScriptedUpstream upstream = new ScriptedUpstream()
                .respond(Canned.json(429, "{\"error\":{}}").header("retry-after", "2"), Canned.text(200, null, "ok"))
                .respondWith(request -> Canned.json(201, "{\"path\":\"" + request.uri().getPath() + "\"}"));
        try (UpstreamResponse first = upstream.send(request("/one"))) {
            assertEquals(429, first.status());
            assertEquals("2", first.headers().first("retry-after").orElseThrow());
            assertEquals("application/json", first.headers().first("content-type").orElseThrow());
        }
        assertEquals("ok", new String(upstream.send(request("/two")).body(), StandardCharsets.UTF_8));
        assertEquals("{\"path\":\"/three\"}", new String(upstream.send(request("/three")).body(), StandardCharsets.UTF_8));
        assertEquals(3, upstream.requests().size());
        assertEquals("/three", upstream.lastRequest().uri().getPath());
        assertEquals(1, upstream.lastBody().getInt("a"));
        upstream.assertAllReleased();
    }

    @Test
    void anUnscriptedRequestFailsTheTestNamingIt() {
        AssertionError error = assertThrows(AssertionError.class, () -> new ScriptedUpstream().send(request("/x")));
        assertTrue(error.getMessage().contains("POST https://api.example.com/x"), error.getMessage());
    }

    @Test
    void failuresAreThrownFromSend() {
        ScriptedUpstream upstream = new ScriptedUpstream().respond(Canned.connectionFailure(), Canned.timeout());
        assertEquals(ErrorCode.PROVIDER_CONNECTION_FAILED,
                assertThrows(GatewayException.class, () -> upstream.send(request("/a"))).errorCode());
        assertEquals(ErrorCode.TIMEOUT, assertThrows(GatewayException.class, () -> upstream.send(request("/b"))).errorCode());
        assertEquals(List.of(), upstream.responses(), "no answer was handed out");
    }

    @Test
    void cannedEventsAreParsedAsAnUpstreamWouldSendThem() {
        ScriptedUpstream upstream = new ScriptedUpstream().respond(Canned.sse(List.of(
                new StreamEvent("message_start", "{\"a\":1}"), new StreamEvent(null, "line1\nline2"), StreamEvent.DONE)));
        UpstreamResponse response = upstream.send(request("/s"));
        assertEquals("text/event-stream", response.headers().first("content-type").orElseThrow());
        List<StreamEvent> events = EventStreams.drain(response.events());
        assertEquals(List.of(new StreamEvent("message_start", "{\"a\":1}"), new StreamEvent(null, "line1\nline2"),
                StreamEvent.DONE), events);
        assertTrue(upstream.lastResponse().released());
    }

    @Test
    void aScriptedStreamIsClosedWithTheAnswer() {
        ScriptedEvents events = new ScriptedEvents().push(new StreamEvent(null, "{}"));
        ScriptedUpstream upstream = new ScriptedUpstream().respond(Canned.stream(events));
        EventStream stream = upstream.send(request("/s")).events();
        assertEquals("{}", stream.next().data());
        stream.close();
        assertTrue(events.closed());
        assertNull(stream.next());
        assertTrue(upstream.lastResponse().closed());
    }

    @Test
    void aBodyIsReadOnceAndAnAnswerLeftOpenIsReported() {
        ScriptedUpstream upstream = new ScriptedUpstream().respondWith(request -> Canned.json(200, "{}"));
        UpstreamResponse read = upstream.send(request("/read"));
        read.body();
        assertThrows(IllegalStateException.class, read::events);
        UpstreamResponse open = upstream.send(request("/left-open"));
        assertFalse(upstream.lastResponse().released());
        AssertionError leak = assertThrows(AssertionError.class, upstream::assertAllReleased);
        assertTrue(leak.getMessage().contains("/left-open"), leak.getMessage());
        open.close();
        upstream.assertAllReleased();
        assertSame(upstream.responses().get(1).request(), upstream.lastRequest());
    }
}
