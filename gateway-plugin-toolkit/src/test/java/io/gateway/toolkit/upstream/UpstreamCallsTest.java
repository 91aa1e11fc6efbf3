package io.gateway.toolkit.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.upstream.UpstreamRequest;
import io.gateway.testkit.ScriptedUpstream;
import io.gateway.testkit.ScriptedUpstream.Canned;
import io.gateway.toolkit.openai.OpenAiErrors;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UpstreamCallsTest {

    private static final URI URL = URI.create("https://upstream.test/v1/chat/completions");
    private static final String JSON = "application/json";
    private static final String SSE = "text/event-stream; charset=utf-8";

    private final ScriptedUpstream upstream = new ScriptedUpstream();
    private final UpstreamCalls calls = UpstreamCalls.builder("up", upstream, OpenAiErrors::parse)
            .headers(Headers.of("x-extra", "1", "accept", "overridden"))
            .key(KeyHeader.named("api-key"))
            .relay(HeaderRelay.rateLimits())
            .build();

    private static ProviderCall call(boolean stream) {
        return ProviderCall.builder(Operation.CHAT_COMPLETION, JsonBodies.parse("{\"model\":\"m\"}"))
                .stream(stream).key(ApiKey.of("main", Secret.of("k1"))).build();
    }

    @Test
    void requestsCarryFixedHeadersTheKeyContentTypeAcceptAndTheCallsLimits() {
        ProviderCall call = call(true);
        UpstreamRequest post = calls.post(call, URL, JsonBodies.parse("{\"a\":1}"));
        assertEquals("POST", post.method());
        assertEquals("1", post.headers().first("x-extra").orElseThrow());
        assertEquals("k1", post.headers().first("api-key").orElseThrow());
        assertEquals(JSON, post.headers().first("content-type").orElseThrow());
        assertEquals("text/event-stream", post.headers().first("accept").orElseThrow());
        assertEquals("{\"a\":1}", new String(post.body(), StandardCharsets.UTF_8));
        assertTrue(post.stream());
        assertEquals(call.deadline(), post.deadline());
        assertEquals(call.streamIdleTimeout(), post.idleTimeout());
        assertEquals(JSON, calls.post(call(false), URL, new byte[] {'{', '}'}).headers().first("accept").orElseThrow());
        UpstreamRequest get = calls.get(call(false), URL);
        assertEquals("GET", get.method());
        assertEquals(JSON, get.headers().first("accept").orElseThrow());
        assertNull(get.body());
    }

    @Test
    void anErrorAnswerIsParsedWithTheRelayedHeadersAndClosed() {
        answer(429, Headers.of("content-type", JSON, "retry-after", "2", "set-cookie", "s"),
                "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}");
        GatewayException e = assertThrows(GatewayException.class, () -> calls.json(calls.post(call(false), URL,
                new byte[0])));
        assertEquals(429, e.status());
        assertEquals("slow down", e.getMessage());
        assertEquals("2", e.headers().first("retry-after").orElseThrow());
        assertFalse(e.headers().contains("set-cookie"));
        assertTrue(upstream.lastResponse().closed());
    }

    @Test
    void anUnreadableErrorBodyStillGivesTheStatus() {
        answer(503, Headers.empty(), null);
        GatewayException e = assertThrows(GatewayException.class, () -> calls.bytes(calls.get(call(false), URL)));
        assertEquals(503, e.status());
        assertEquals("the provider answered HTTP 503", e.getMessage());
        assertTrue(upstream.lastResponse().closed());
    }

    @Test
    void theVendorsParserReadsErrors() {
        UpstreamCalls custom = UpstreamCalls.builder("up", upstream, (status, body, headers) -> GatewayException.of(
                ErrorCode.INTERNAL, "vendor " + status + " " + new String(body, StandardCharsets.UTF_8))).build();
        answer(418, Headers.empty(), "teapot");
        assertEquals("vendor 418 teapot", assertThrows(GatewayException.class,
                () -> custom.send(custom.get(call(false), URL))).getMessage());
    }

    @Test
    void bodiesMustNotBeEmptyAndJsonMustBeAnObject() {
        answer(200, Headers.of("x-ratelimit-remaining-requests", "9"), "{\"ok\":true}");
        Answer<JsonObject> answer = calls.json(calls.get(call(false), URL));
        assertEquals(200, answer.status());
        assertTrue(answer.body().getBoolean("ok"));
        assertEquals("9", answer.headers().first("x-ratelimit-remaining-requests").orElseThrow());
        assertTrue(upstream.lastResponse().closed());

        answer(200, Headers.empty(), "");
        GatewayException empty = assertThrows(GatewayException.class, () -> calls.bytes(calls.get(call(false), URL)));
        assertEquals(ErrorCode.BAD_UPSTREAM_RESPONSE, empty.errorCode());
        assertEquals("provider up answered HTTP 200 with an empty body", empty.getMessage());
        assertTrue(upstream.lastResponse().closed());

        answer(200, Headers.empty(), "[1,2]");
        GatewayException notObject = assertThrows(GatewayException.class, () -> calls.json(calls.get(call(false),
                URL)));
        assertEquals(ErrorCode.BAD_UPSTREAM_RESPONSE, notObject.errorCode());
        assertTrue(notObject.getMessage().startsWith("provider up answered HTTP 200"), notObject.getMessage());
    }

    @Test
    void streamsMustBeServerSentEvents() {
        answer(200, Headers.of("content-type", SSE), "data: {}\n\n");
        Answer<EventStream> events = calls.events(calls.post(call(true), URL, new byte[0]));
        assertEquals(new StreamEvent(null, "{}"), events.body().next());
        assertFalse(upstream.lastResponse().closed(), "the caller reads the events");

        answer(200, Headers.of("content-type", JSON), "{}");
        GatewayException e = assertThrows(GatewayException.class, () -> calls.events(calls.post(call(true), URL,
                new byte[0])));
        assertEquals(ErrorCode.BAD_UPSTREAM_RESPONSE, e.errorCode());
        assertEquals("provider up answered a stream request with 'application/json' instead of text/event-stream",
                e.getMessage());
        assertTrue(upstream.lastResponse().closed());
    }

    @Test
    void relayPassesAnswersThroughUnparsed() {
        answer(201, Headers.of("content-type", JSON, "retry-after-ms", "5"), "{ \"id\" : 1 }");
        Response.Complete complete = assertInstanceOf(Response.Complete.class,
                calls.relay(calls.post(call(false), URL, new byte[0])));
        assertEquals(201, complete.status());
        assertArrayEquals("{ \"id\" : 1 }".getBytes(StandardCharsets.UTF_8), complete.bytes());
        assertEquals("5", complete.headers().first("retry-after-ms").orElseThrow());

        answer(200, Headers.of("content-type", SSE), "data: {\"n\":1}\n\ndata: [DONE]\n\n");
        Response.Streaming streaming = assertInstanceOf(Response.Streaming.class,
                calls.relay(calls.post(call(true), URL, new byte[0])));
        assertEquals("{\"n\":1}", streaming.events().next().data());
        assertTrue(streaming.events().next().isDone());

        answer(200, Headers.of("content-type", JSON), "{\"not\":\"a stream\"}");
        Response.Complete asJson = assertInstanceOf(Response.Complete.class,
                calls.relay(calls.post(call(true), URL, new byte[0])), "a JSON answer to a stream is relayed as JSON");
        assertEquals("{\"not\":\"a stream\"}", new String(asJson.bytes(), StandardCharsets.UTF_8));
        assertTrue(upstream.lastResponse().closed());

        answer(200, Headers.of("content-type", JSON), "");
        assertThrows(GatewayException.class, () -> calls.relay(calls.post(call(true), URL, new byte[0])));
        assertTrue(upstream.lastResponse().closed());
    }

    /** Answers every request from now on with this status, headers and body ({@code null}: unreadable). */
    private void answer(int status, Headers headers, String body) {
        upstream.respondWith(request -> body == null ? Canned.unreadable(status, headers)
                : Canned.bytes(status, null, body.getBytes(StandardCharsets.UTF_8)).headers(headers));
    }

    @Test
    void relayAnyTellsJsonEventsAndBytesApart() {
        ProviderCall call = call(false);
        upstream.respond(Canned.json(200, "{\"text\":\"hi\"}"));
        assertInstanceOf(Response.Complete.class, calls.relayAny(calls.bodiless(call, "POST", URL)));

        upstream.respond(Canned.text(200, "text/plain; charset=utf-8", "1\n00:00:00,000 --> 00:00:01,000\nhi\n")
                .header("x-ratelimit-remaining-requests", "9").header("set-cookie", "no"));
        Response.Binary text = assertInstanceOf(Response.Binary.class, calls.relayAny(calls.bodiless(call, "POST", URL)));
        assertEquals("text/plain; charset=utf-8", text.contentType());
        assertEquals("9", text.headers().first("x-ratelimit-remaining-requests").orElseThrow());
        assertFalse(text.headers().contains("set-cookie"), "only the relay's headers pass");
        assertEquals("1\n00:00:00,000 --> 00:00:01,000\nhi\n",
                new String(readAll(text.body()), StandardCharsets.UTF_8));

        upstream.respond(Canned.sse(java.util.List.of(new StreamEvent(null, "{\"type\":\"transcript.text.delta\"}"))));
        ProviderCall streaming = call(true);
        assertInstanceOf(Response.Streaming.class, calls.relayAny(calls.postForAudio(streaming, URL, new byte[] {'{',
                '}'})));
    }

    @Test
    void downloadsAreReadAsTheyArriveAndRelayedAsBytesWhateverTheirType() {
        UpstreamRequest download = calls.download(call(false), URL);
        assertEquals("GET", download.method());
        assertTrue(download.stream(), "reads bounded by the idle timeout, not the deadline");
        assertEquals("*/*", download.headers().first("accept").orElseThrow());
        upstream.respond(Canned.bytes(200, JSON, "{\"a\":1}\n{\"a\":2}\n".getBytes(StandardCharsets.UTF_8)));
        Response.Binary lines = calls.relayBytes(download);
        assertEquals(JSON, lines.contentType(), "JSON Lines are bytes, not a JSON document");
        assertEquals("{\"a\":1}\n{\"a\":2}\n", new String(readAll(lines.body()), StandardCharsets.UTF_8));
        upstream.respond(Canned.json(404, "{\"error\":{\"message\":\"No such File object: file-9\"}}"));
        GatewayException missing = assertThrows(GatewayException.class, () -> calls.relayBytes(calls.download(call(false),
                URL)));
        assertEquals(404, missing.status());
    }

    @Test
    void formsGoUpStreamedWithTheirBoundaryAndLength() throws java.io.IOException {
        io.gateway.spi.MultipartForm form = io.gateway.spi.MultipartForm.builder()
                .file("file", "a.wav", io.gateway.spi.Content.of(new byte[] {1, 2, 3}, "audio/wav"))
                .field("model", "whisper-1").build();
        UpstreamRequest request = calls.form(call(false), URL, form);
        assertNull(request.body(), "the form is streamed, not held as bytes");
        io.gateway.spi.Content content = request.content();
        assertEquals(content.contentType(), request.headers().first("content-type").orElseThrow());
        assertTrue(content.contentType().startsWith("multipart/form-data; boundary="));
        try (java.io.InputStream in = content.open()) {
            assertEquals(content.length(), in.readAllBytes().length);
        }
        assertEquals("k1", request.headers().first("api-key").orElseThrow());
    }

    private static byte[] readAll(io.gateway.spi.ByteStream stream) {
        try (java.io.InputStream in = stream.asInputStream()) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
