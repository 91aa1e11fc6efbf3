package io.gateway.plugins.requestlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import io.gateway.testkit.RecordingLogger;
import io.gateway.testkit.RouterStandIn;
import io.gateway.testkit.ScriptedEvents;
import io.gateway.testkit.TestOutcome;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestLogMiddlewareTest {

    private static final String CHAT_BODY = """
            {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"my secret prompt"}]}""";
    private static final String CHAT_STREAM_BODY = """
            {"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
    private static final Headers SERVED_BY = Headers.of(
            "x-bifrost-provider", "azure", "x-bifrost-resolved-model", "gpt-4o");

    private final RecordingLogger logger = new RecordingLogger("middleware-request-log", System.Logger.Level.INFO);
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final Middleware middleware =
            new RequestLogMiddleware(logger, System.Logger.Level.INFO, List.of(), nanos::get);

    @Test
    void logsACompleteResponseWithUsage() {
        Response.Complete answer = Response.Complete.of(200, SERVED_BY, JsonBodies.parse("""
                {"id":"x","object":"chat.completion","choices":[],
                 "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}"""));

        Response response = middleware.handle(exchange(Operation.CHAT_COMPLETION, CHAT_BODY),
                RouterStandIn.answering(exchange -> {
                    advance(42);
                    return answer;
                }).servedBy("azure", "gpt-4o", 1));

        assertSame(answer, response, "a complete answer passes through untouched");
        Map<String, String> line = onlyLine();
        assertEquals(List.of("request_id", "route", "provider", "model", "stream", "status", "outcome",
                "latency_ms", "prompt_tokens", "completion_tokens", "total_tokens"), List.copyOf(line.keySet()));
        assertEquals("req-1", line.get("request_id"));
        assertEquals("chat_completion", line.get("route"));
        assertEquals("azure", line.get("provider"), "the provider that served, from the request's outcome");
        assertEquals("gpt-4o", line.get("model"));
        assertEquals("false", line.get("stream"));
        assertEquals("200", line.get("status"));
        assertEquals("completed", line.get("outcome"));
        assertEquals("42", line.get("latency_ms"));
        assertEquals("5", line.get("prompt_tokens"));
        assertEquals("7", line.get("completion_tokens"));
        assertEquals("12", line.get("total_tokens"));
        assertEquals(System.Logger.Level.INFO, logger.entries().getFirst().level());
    }

    @Test
    void readsInputAndOutputTokensAndFallsBackToTheRequestedModel() {
        middleware.handle(exchange(Operation.RESPONSES, "{\"model\":\"openai/gpt-4.1\",\"input\":\"x\"}"),
                RouterStandIn.answering(exchange -> Response.Complete.ok(JsonBodies.parse("""
                        {"object":"response","usage":{"input_tokens":3,"output_tokens":4,"total_tokens":7}}"""))));
        middleware.handle(exchange(Operation.EMBEDDING, "{\"model\":\"mock/emb\",\"input\":\"x\"}"),
                RouterStandIn.answering(exchange -> Response.Complete.ok(JsonBodies.parse("""
                        {"object":"list","data":[],"usage":{"prompt_tokens":2,"total_tokens":2}}"""))));
        middleware.handle(exchange(Operation.LIST_MODELS, "{}"),
                RouterStandIn.answering(exchange -> Response.Complete.ofBytes(200, null, "not even json".getBytes())));

        List<Map<String, String>> lines = logger.lines().stream().map(KeyValues::parse).toList();
        assertEquals(3, lines.size());
        assertEquals("openai", lines.get(0).get("provider"));
        assertEquals("gpt-4.1", lines.get(0).get("model"));
        assertEquals("3", lines.get(0).get("prompt_tokens"));
        assertEquals("4", lines.get(0).get("completion_tokens"));
        assertEquals("7", lines.get(0).get("total_tokens"));
        assertEquals("2", lines.get(1).get("prompt_tokens"));
        assertEquals("0", lines.get(1).get("completion_tokens"), "embeddings generate nothing");
        assertEquals("list_models", lines.get(2).get("route"));
        assertEquals("-", lines.get(2).get("model"), "model lists have no model");
        assertFalse(lines.get(2).containsKey("total_tokens"));
    }

    @Test
    void logsAStreamOnlyAtItsEndWithoutBufferingOrChangingIt() {
        ScriptedEvents source = new ScriptedEvents();
        Response.Streaming answer = new Response.Streaming(200, SERVED_BY, source);
        Response.Streaming response = (Response.Streaming) middleware.handle(
                exchange(Operation.CHAT_COMPLETION, CHAT_STREAM_BODY),
                RouterStandIn.answering(exchange -> answer).servedBy("azure", "gpt-4o", 1));
        assertSame(SERVED_BY, response.headers());
        EventStream events = response.events();

        StreamEvent first = new StreamEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}],\"usage\":null}");
        StreamEvent second = new StreamEvent(null, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}");
        StreamEvent usage = new StreamEvent(null,
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}");

        advance(10);
        source.push(first);
        assertSame(first, next(events), "the first event arrives before the source produced the second");
        assertEquals(1, source.pulls(), "nothing read ahead of the consumer");
        assertTrue(logger.lines().isEmpty(), "nothing is logged while the stream runs");

        advance(5);
        source.push(second);
        assertSame(second, next(events));
        source.push(usage);
        assertSame(usage, next(events));
        source.push(StreamEvent.DONE);
        assertSame(StreamEvent.DONE, next(events));
        assertTrue(logger.lines().isEmpty());

        advance(20);
        source.end();
        assertNull(next(events));
        events.close();

        Map<String, String> line = onlyLine();
        assertEquals("true", line.get("stream"));
        assertEquals("200", line.get("status"));
        assertEquals("completed", line.get("outcome"));
        assertEquals("4", line.get("events"));
        assertEquals("10", line.get("ttfb_ms"));
        assertEquals("35", line.get("latency_ms"));
        assertEquals("1", line.get("prompt_tokens"));
        assertEquals("1", line.get("completion_tokens"));
        assertEquals("2", line.get("total_tokens"));
        assertEquals("azure", line.get("provider"));
    }

    @Test
    void findsStreamUsageInResponsesAndImageEvents() {
        streamThrough(Operation.RESPONSES, List.of(
                new StreamEvent("response.created", "{\"type\":\"response.created\",\"response\":{\"usage\":null}}"),
                new StreamEvent("response.output_text.delta",
                        "{\"type\":\"response.output_text.delta\",\"delta\":\"say \\\"usage\\\": {x}\"}"),
                new StreamEvent("response.completed", "{\"type\":\"response.completed\",\"response\":"
                        + "{\"status\":\"completed\",\"usage\" : {\"input_tokens\":8,\"output_tokens\":9,\"total_tokens\":17}}}")));
        streamThrough(Operation.IMAGE_GENERATION, List.of(
                new StreamEvent("image_generation.partial_image", "{\"type\":\"image_generation.partial_image\"}"),
                new StreamEvent("image_generation.completed", "{\"type\":\"image_generation.completed\","
                        + "\"usage\":{\"input_tokens\":5,\"output_tokens\":272,\"total_tokens\":277}}")));

        List<Map<String, String>> lines = logger.lines().stream().map(KeyValues::parse).toList();
        assertEquals("responses", lines.get(0).get("route"));
        assertEquals("8", lines.get(0).get("prompt_tokens"));
        assertEquals("9", lines.get(0).get("completion_tokens"));
        assertEquals("17", lines.get(0).get("total_tokens"));
        assertEquals("image_generation", lines.get(1).get("route"));
        assertEquals("277", lines.get(1).get("total_tokens"));
    }

    @Test
    void logsAFailedStream() {
        ScriptedEvents source = new ScriptedEvents();
        EventStream events = ((Response.Streaming) middleware.handle(
                exchange(Operation.CHAT_COMPLETION, CHAT_STREAM_BODY),
                exchange -> Response.Streaming.ok(source))).events();
        source.push(new StreamEvent(null, "{\"choices\":[]}"));
        next(events);
        GatewayException timeout = GatewayException.of(ErrorCode.TIMEOUT, "idle");
        source.fail(timeout);

        GatewayException thrown = assertThrows(GatewayException.class, events::next);
        events.close();

        assertSame(timeout, thrown, "the failure reaches the consumer unchanged");
        Map<String, String> line = onlyLine();
        assertEquals("failed", line.get("outcome"));
        assertEquals("1", line.get("events"));
        assertEquals("request_timed_out", line.get("error_type"));
        assertEquals("504", line.get("error_status"));
        assertEquals("200", line.get("status"), "the status the client already received");
        assertEquals("openai", line.get("provider"), "served by the requested provider");
    }

    @Test
    void logsACancelledStreamAndClosesTheSource() {
        ScriptedEvents source = new ScriptedEvents();
        EventStream events = ((Response.Streaming) middleware.handle(
                exchange(Operation.CHAT_COMPLETION, CHAT_STREAM_BODY),
                exchange -> Response.Streaming.ok(source))).events();
        source.push(new StreamEvent(null, "{\"choices\":[]}"));
        next(events);

        events.close();
        events.close();

        assertTrue(source.closed());
        Map<String, String> line = onlyLine();
        assertEquals("cancelled", line.get("outcome"));
        assertEquals("1", line.get("events"));
        assertFalse(line.containsKey("error_type"));
    }

    @Test
    void streamWithoutEventsHasNoTimeToFirstByte() {
        ScriptedEvents source = new ScriptedEvents();
        EventStream events = ((Response.Streaming) middleware.handle(
                exchange(Operation.CHAT_COMPLETION, CHAT_STREAM_BODY),
                exchange -> Response.Streaming.ok(source))).events();
        events.close();

        Map<String, String> line = onlyLine();
        assertEquals("0", line.get("events"));
        assertFalse(line.containsKey("ttfb_ms"));
    }

    @Test
    void logsAndRethrowsAGatewayException() {
        GatewayException limited = GatewayException.upstream(429, "rate_limit_error", "rate_limit_exceeded",
                "slow down", null, Headers.of("retry-after", "1", "x-bifrost-provider", "openai"));

        GatewayException thrown = assertThrows(GatewayException.class, () -> middleware.handle(
                exchange(Operation.CHAT_COMPLETION, CHAT_BODY), exchange -> {
                    advance(7);
                    throw limited;
                }));

        assertSame(limited, thrown);
        Map<String, String> line = onlyLine();
        assertEquals("429", line.get("status"));
        assertEquals("failed", line.get("outcome"));
        assertEquals("rate_limit_error", line.get("error_type"));
        assertEquals("7", line.get("latency_ms"));
        assertEquals("false", line.get("stream"));
        assertFalse(logger.lines().getFirst().contains("slow down"), "messages may quote upstream text");
    }

    @Test
    void logsAnUnexpectedExceptionAsTheInternalErrorClientsSee() {
        IllegalStateException bug = new IllegalStateException("boom");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> middleware.handle(
                exchange(Operation.CHAT_COMPLETION, CHAT_STREAM_BODY), exchange -> {
                    throw bug;
                }));

        assertSame(bug, thrown);
        Map<String, String> line = onlyLine();
        assertEquals("500", line.get("status"));
        assertEquals("internal_error", line.get("error_type"));
        assertEquals("true", line.get("stream"));
    }

    @Test
    void writesNothingAndCostsNothingWhenTheLevelIsOff() {
        RecordingLogger quiet = new RecordingLogger("middleware-request-log", System.Logger.Level.WARNING);
        Middleware off = new RequestLogMiddleware(quiet, System.Logger.Level.INFO, List.of(), nanos::get);
        ScriptedEvents source = new ScriptedEvents();
        Response.Streaming answer = Response.Streaming.ok(source);
        AtomicInteger calls = new AtomicInteger();

        Response response = off.handle(exchange(Operation.CHAT_COMPLETION, CHAT_STREAM_BODY), exchange -> {
            calls.incrementAndGet();
            return answer;
        });

        assertSame(answer, response, "not even wrapped");
        assertEquals(1, calls.get());
        assertTrue(quiet.lines().isEmpty());
    }

    @Test
    void quotesValuesSoTheLineCannotBeSplitOrForged() {
        Exchange exchange = Exchange.create("id with spaces\nfake=line \"q\"", Operation.CHAT_COMPLETION,
                JsonBodies.parse(CHAT_BODY), Headers.empty(), Instant.now());

        middleware.handle(exchange, e -> Response.Complete.ok(JsonBodies.parse("{}")));

        String raw = logger.lines().getFirst();
        assertFalse(raw.contains("\n"));
        assertEquals("id with spaces\nfake=line \"q\"", KeyValues.parse(raw).get("request_id"));
    }

    private void streamThrough(Operation operation, List<StreamEvent> script) {
        ScriptedEvents source = new ScriptedEvents();
        EventStream events = ((Response.Streaming) middleware.handle(
                exchange(operation, "{\"model\":\"openai/m\",\"stream\":true}"),
                RouterStandIn.answering(exchange -> Response.Streaming.ok(source)))).events();
        for (StreamEvent event : script) {
            source.push(event);
            assertSame(event, next(events));
        }
        source.end();
        assertNull(next(events));
        events.close();
    }

    @Test
    void aBinaryAnswerIsLoggedOnceItsBytesPassedWithTheUploadsSizeNeverItsContent() {
        io.gateway.spi.MultipartForm form = io.gateway.spi.MultipartForm.builder()
                .file("file", "secret-meeting.wav", io.gateway.spi.Content.of(new byte[1234], "audio/wav"))
                .field("model", "openai/whisper-1").field("prompt", "confidential names").build();
        Exchange transcription = exchange(Operation.TRANSCRIPTION, "{}").withForm(form);
        Response response = middleware.handle(transcription, RouterStandIn.answering(exchange -> {
            advance(10);
            return new Response.Binary(200, null, "text/plain; charset=utf-8", 5,
                    io.gateway.spi.ByteStream.of("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }));
        assertTrue(logger.lines().isEmpty(), "nothing is logged before the bytes passed");
        io.gateway.spi.ByteStream body = ((Response.Binary) response).body();
        byte[] buffer = new byte[16];
        advance(5);
        assertEquals(5, body.read(buffer, 0, 16));
        assertEquals(-1, body.read(buffer, 0, 16));
        Map<String, String> line = onlyLine();
        assertEquals("transcription", line.get("route"));
        assertEquals("whisper-1", line.get("model"));
        assertEquals("completed", line.get("outcome"));
        assertEquals("5", line.get("bytes"));
        assertEquals("1234", line.get("upload_bytes"));
        assertEquals("15", line.get("latency_ms"));
        String text = logger.lines().getFirst();
        assertFalse(text.contains("secret-meeting") || text.contains("confidential") || text.contains("hello"),
                "no file name, field or answer content in the log: " + text);
    }

    private Map<String, String> onlyLine() {
        List<String> lines = logger.lines();
        assertEquals(1, lines.size(), "exactly one line per request: " + lines);
        return KeyValues.parse(lines.getFirst());
    }

    private void advance(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static StreamEvent next(EventStream events) {
        return assertTimeoutPreemptively(Duration.ofSeconds(5), events::next, "the event should be available");
    }

    static Exchange exchange(Operation operation, String body) {
        return Exchange.create("req-1", operation, JsonBodies.parse(body), Headers.empty(), Instant.now(),
                new TestOutcome());
    }
}
