package io.gateway.plugins.gemini;

import static io.gateway.plugins.gemini.Answers.callPart;
import static io.gateway.plugins.gemini.Answers.candidate;
import static io.gateway.plugins.gemini.Answers.response;
import static io.gateway.plugins.gemini.Answers.textPart;
import static io.gateway.plugins.gemini.Answers.usage;
import static io.gateway.plugins.gemini.Fixtures.provider;
import static io.gateway.plugins.gemini.Fixtures.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.testkit.ScriptedEvents;
import io.gateway.testkit.ScriptedUpstream;
import io.gateway.testkit.ScriptedUpstream.Canned;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatStreamTest {

    private static final String ASK = """
            {"model":"gemini-2.5-flash","stream":true,"stream_options":{"include_usage":true},
             "messages":[{"role":"user","content":"Say hello"}]}""";

    private final Gemini gemini = new Gemini();

    @AfterEach
    void closeTheFake() {
        gemini.close();
    }
    private final Provider provider = provider(gemini);

    private static String chunk(String text, String finishReason, boolean withUsage) {
        return response(withUsage ? usage(4, 3) : null, candidate(0, finishReason, textPart(text))).toString();
    }

    private static JsonObject delta(StreamEvent event) {
        return event.json().getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
    }

    private static JsonValue finish(StreamEvent event) {
        return event.json().getJsonArray("choices").getJsonObject(0).get("finish_reason");
    }

    @Test
    void textStreamsAsChunksWithRoleFinishUsageAndDone() {
        gemini.handle(request -> Replies.sse(List.of(
                chunk("Hel", null, false), chunk("lo", null, false), chunk("!", "STOP", true))));

        List<StreamEvent> events = stream(provider, Operation.CHAT_COMPLETION, ASK);

        Gemini.Recorded request = gemini.last();
        assertEquals("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash"
                + ":streamGenerateContent?alt=sse", request.uri().toString());
        assertTrue(request.stream());
        assertFalse(request.body().containsKey("stream"), "no OpenAI fields reach Gemini");

        assertEquals(7, events.size());
        for (StreamEvent event : events) {
            assertNull(event.event(), "chat chunks have no event names");
        }
        JsonObject first = events.get(0).json();
        assertEquals("chat.completion.chunk", first.getString("object"));
        assertEquals("chatcmpl-" + Answers.RESPONSE_ID, first.getString("id"));
        assertEquals("gemini-2.5-flash", first.getString("model"));
        assertEquals(Fixtures.NOW.getEpochSecond(), first.getJsonNumber("created").longValue());
        assertEquals("assistant", delta(events.get(0)).getString("role"));
        assertEquals(JsonValue.NULL, first.get("usage"), "usage is null until the usage chunk");
        assertEquals("Hel", delta(events.get(1)).getString("content"));
        assertEquals("lo", delta(events.get(2)).getString("content"));
        assertEquals("!", delta(events.get(3)).getString("content"));
        assertEquals(JsonValue.NULL, finish(events.get(3)));
        assertTrue(delta(events.get(4)).isEmpty());
        assertEquals("stop", ((jakarta.json.JsonString) finish(events.get(4))).getString());
        JsonObject usageChunk = events.get(5).json();
        assertTrue(usageChunk.getJsonArray("choices").isEmpty());
        assertEquals(4, usageChunk.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(3, usageChunk.getJsonObject("usage").getInt("completion_tokens"));
        assertEquals(7, usageChunk.getJsonObject("usage").getInt("total_tokens"));
        assertTrue(events.get(6).isDone());
        for (StreamEvent event : events.subList(0, 6)) {
            assertEquals(first.getString("id"), event.json().getString("id"), "one id for the whole stream");
        }
        assertTrue(gemini.streamClosed(), "the upstream is released at the end");
    }

    @Test
    void withoutIncludeUsageThereIsNoUsageChunk() {
        gemini.handle(request -> Replies.sse(List.of(chunk("Hi", "STOP", true))));

        List<StreamEvent> events = stream(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","stream":true,"messages":[{"role":"user","content":"x"}]}""");

        assertEquals(4, events.size());
        assertFalse(events.get(0).json().containsKey("usage"));
        assertEquals("stop", ((jakarta.json.JsonString) finish(events.get(2))).getString());
        assertTrue(events.get(3).isDone());
    }

    @Test
    void eventsAreTranslatedAsFramesArriveNotAfterTheStreamEnds() {
        ScriptedEvents frames = new ScriptedEvents();
        Provider scripted = Fixtures.provider(new ScriptedUpstream().respond(Canned.stream(frames)));
        frames.push(new StreamEvent(null, chunk("first", null, false)));

        Response response = scripted.call(Fixtures.call(Operation.CHAT_COMPLETION, ASK));
        try (EventStream events = assertInstanceOf(Response.Streaming.class, response).events()) {
            StreamEvent role = assertTimeoutPreemptively(Duration.ofSeconds(2), events::next);
            assertEquals("assistant", delta(role).getString("role"));
            StreamEvent text = assertTimeoutPreemptively(Duration.ofSeconds(2), events::next);
            assertEquals("first", delta(text).getString("content"));
            assertEquals(1, frames.delivered(), "the second frame was not needed yet");

            frames.push(new StreamEvent(null, chunk("second", "STOP", true)));
            frames.end();
            assertEquals("second", delta(events.next()).getString("content"));
            assertEquals(2, frames.delivered());
            assertEquals("stop", ((jakarta.json.JsonString) finish(events.next())).getString());
        }
    }

    @Test
    void functionCallsStreamAsToolCallDeltas() {
        gemini.handle(request -> Replies.sse(List.of(
                response(null, candidate(0, null, textPart("Checking."))).toString(),
                response(usage(9, 4), candidate(0, "STOP", callPart("get_weather", "{\"city\":\"Oslo\"}"),
                        callPart("get_time", "{}").add("thoughtSignature", "c2ln"))).toString())));

        List<StreamEvent> events = stream(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","stream":true,"messages":[{"role":"user","content":"x"}],
                 "tools":[{"type":"function","function":{"name":"get_weather"}},
                          {"type":"function","function":{"name":"get_time"}}]}""");

        JsonArray calls = delta(events.get(2)).getJsonArray("tool_calls");
        assertEquals(2, calls.size());
        JsonObject weather = calls.getJsonObject(0);
        assertEquals(0, weather.getInt("index"));
        assertEquals("call_" + Answers.RESPONSE_ID + "_0", weather.getString("id"));
        assertEquals("function", weather.getString("type"));
        assertEquals("get_weather", weather.getJsonObject("function").getString("name"));
        assertEquals("{\"city\":\"Oslo\"}", weather.getJsonObject("function").getString("arguments"));
        assertEquals(1, calls.getJsonObject(1).getInt("index"));
        assertEquals("c2ln", calls.getJsonObject(1).getJsonObject("extra_content").getJsonObject("google")
                .getString("thought_signature"));
        assertEquals("tool_calls", ((jakarta.json.JsonString) finish(events.get(3))).getString());
        assertTrue(events.get(4).isDone());
    }

    @Test
    void safetyStopsEndWithContentFilter() {
        gemini.handle(request -> Replies.sse(List.of(chunk("Sure, here", null, false),
                response(usage(5, 2), candidate(0, "SAFETY")).toString())));

        List<StreamEvent> events = stream(provider, Operation.CHAT_COMPLETION, ASK);

        assertEquals("content_filter", ((jakarta.json.JsonString) finish(events.get(2))).getString());
    }

    @Test
    void aBlockedPromptStreamsAnEmptyFilteredChoice() {
        gemini.handle(request -> Replies.sse(List.of(
                "{\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},\"usageMetadata\":"
                        + "{\"promptTokenCount\":6,\"totalTokenCount\":6},\"responseId\":\"b1\"}")));

        List<StreamEvent> events = stream(provider, Operation.CHAT_COMPLETION, ASK);

        assertEquals(4, events.size());
        assertEquals("assistant", delta(events.get(0)).getString("role"));
        assertEquals("content_filter", ((jakarta.json.JsonString) finish(events.get(1))).getString());
        assertEquals(6, events.get(2).json().getJsonObject("usage").getInt("prompt_tokens"));
        assertTrue(events.get(3).isDone());
    }

    @Test
    void severalCandidatesStreamUnderTheirIndexes() {
        gemini.handle(request -> Replies.sse(List.of(
                response(null, candidate(0, null, textPart("a")), candidate(1, null, textPart("b"))).toString(),
                response(usage(2, 2), candidate(0, "STOP"), candidate(1, "MAX_TOKENS")).toString())));

        List<StreamEvent> events = stream(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","stream":true,"n":2,"messages":[{"role":"user","content":"x"}]}""");

        assertEquals(2, gemini.last().body().getJsonObject("generationConfig").getInt("candidateCount"));
        long finishes = events.stream().filter(e -> !e.isDone())
                .filter(e -> finish(e) != JsonValue.NULL).count();
        assertEquals(2, finishes);
        StreamEvent lengthFinish = events.stream().filter(e -> !e.isDone() && finish(e) != JsonValue.NULL)
                .filter(e -> e.json().getJsonArray("choices").getJsonObject(0).getInt("index") == 1)
                .findFirst().orElseThrow();
        assertEquals("length", ((jakarta.json.JsonString) finish(lengthFinish)).getString());
    }

    @Test
    void anErrorFrameFailsTheStreamWithTheUpstreamError() {
        gemini.handle(request -> Replies.sse(List.of(chunk("partial", null, false),
                "{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}")));

        Response response = provider.call(Fixtures.call(Operation.CHAT_COMPLETION, ASK));
        try (EventStream events = assertInstanceOf(Response.Streaming.class, response).events()) {
            events.next();
            events.next();
            GatewayException e = assertThrows(GatewayException.class, events::next);
            assertEquals(503, e.status());
            assertEquals("api_error", e.errorCode().type());
            assertEquals("UNAVAILABLE", e.errorCode().code());
            assertEquals("The model is overloaded.", e.getMessage());
        }
    }

    @Test
    void errorsBeforeTheStreamAreOrdinaryErrors() {
        gemini.handle(request -> Replies.status(429, """
                {"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).",
                 "status":"RESOURCE_EXHAUSTED"}}""", Headers.of("retry-after", "20")));

        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.call(Fixtures.call(Operation.CHAT_COMPLETION, ASK)));
        assertEquals(429, e.status());
        assertEquals("rate_limit_error", e.errorCode().type());
        assertEquals("20", e.headers().first("retry-after").orElseThrow());
    }

    @Test
    void closingTheStreamClosesTheUpstream() {
        ScriptedEvents frames = new ScriptedEvents();
        Provider scripted = Fixtures.provider(new ScriptedUpstream().respond(Canned.stream(frames)));
        frames.push(new StreamEvent(null, chunk("one", null, false)));

        Response response = scripted.call(Fixtures.call(Operation.CHAT_COMPLETION, ASK));
        EventStream events = assertInstanceOf(Response.Streaming.class, response).events();
        events.next();
        events.close();
        assertTrue(frames.closed());
        assertNull(events.next(), "a closed stream has ended");
        events.close();
    }
}
