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
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.Response;
import io.gateway.spi.StreamEvent;
import io.gateway.testkit.ScriptedEvents;
import io.gateway.testkit.ScriptedUpstream;
import io.gateway.testkit.ScriptedUpstream.Canned;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponsesStreamTest {

    private static final String ASK = "{\"model\":\"gemini-2.5-flash\",\"stream\":true,\"input\":\"hi\"}";

    private final Gemini gemini = new Gemini();

    @AfterEach
    void closeTheFake() {
        gemini.close();
    }
    private final Provider provider = provider(gemini);

    private static List<String> types(List<StreamEvent> events) {
        return events.stream().map(StreamEvent::event).toList();
    }

    private static void assertNumberedAndNamed(List<StreamEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            StreamEvent event = events.get(i);
            JsonObject json = event.json();
            assertEquals(event.event(), json.getString("type"), "the event name is the JSON's type");
            assertEquals(i, json.getInt("sequence_number"));
            assertFalse(event.isDone(), "named-event streams have no [DONE]");
        }
    }

    @Test
    void textStreamsAsTheResponseEventSequence() {
        gemini.handle(request -> Replies.sse(List.of(
                response(null, candidate(0, null, textPart("Hel"))).toString(),
                response(null, candidate(0, null, textPart("lo"))).toString(),
                response(usage(2, 2), candidate(0, "STOP", textPart("!"))).toString())));

        List<StreamEvent> events = stream(provider, Operation.RESPONSES, ASK);

        assertTrue(gemini.last().uri().toString().endsWith(":streamGenerateContent?alt=sse"));
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed"), types(events));
        assertNumberedAndNamed(events);

        JsonObject created = events.get(0).json().getJsonObject("response");
        assertEquals("resp_" + Answers.RESPONSE_ID, created.getString("id"));
        assertEquals("in_progress", created.getString("status"));
        assertEquals(JsonValue.NULL, created.get("usage"));
        assertTrue(created.getJsonArray("output").isEmpty());

        JsonObject added = events.get(2).json();
        assertEquals(0, added.getInt("output_index"));
        assertEquals("message", added.getJsonObject("item").getString("type"));
        assertEquals("in_progress", added.getJsonObject("item").getString("status"));
        JsonObject delta = events.get(4).json();
        assertEquals("msg_" + Answers.RESPONSE_ID, delta.getString("item_id"));
        assertEquals(0, delta.getInt("content_index"));
        assertEquals("Hel", delta.getString("delta"));
        assertEquals("Hello!", events.get(7).json().getString("text"));
        assertEquals("Hello!", events.get(8).json().getJsonObject("part").getString("text"));
        assertEquals("completed", events.get(9).json().getJsonObject("item").getString("status"));

        JsonObject completed = events.get(10).json().getJsonObject("response");
        assertEquals("completed", completed.getString("status"));
        assertEquals("Hello!", completed.getJsonArray("output").getJsonObject(0).getJsonArray("content")
                .getJsonObject(0).getString("text"));
        assertEquals(4, completed.getJsonObject("usage").getInt("total_tokens"));
        assertEquals(2, completed.getJsonObject("usage").getInt("input_tokens"));
    }

    @Test
    void functionCallsStreamAsFunctionCallItems() {
        gemini.handle(request -> Replies.sse(List.of(
                response(null, candidate(0, null, textPart("Checking."))).toString(),
                response(usage(5, 5), candidate(0, "STOP", callPart("lookup", "{\"q\":\"x\"}"))).toString())));

        List<StreamEvent> events = stream(provider, Operation.RESPONSES, """
                {"model":"gemini-2.5-flash","stream":true,"input":"find x",
                 "tools":[{"type":"function","name":"lookup","parameters":{"type":"object",
                   "properties":{"q":{"type":"string"}}}}]}""");

        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.done",
                "response.content_part.done", "response.output_item.done", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.done",
                "response.output_item.done", "response.completed"), types(events));
        assertNumberedAndNamed(events);
        JsonObject callAdded = events.get(8).json();
        assertEquals(1, callAdded.getInt("output_index"));
        assertEquals("function_call", callAdded.getJsonObject("item").getString("type"));
        assertEquals("lookup", callAdded.getJsonObject("item").getString("name"));
        assertEquals("{\"q\":\"x\"}", events.get(9).json().getString("delta"));
        assertEquals("{\"q\":\"x\"}", events.get(10).json().getString("arguments"));
        JsonObject done = events.get(11).json().getJsonObject("item");
        assertEquals("completed", done.getString("status"));
        assertEquals("call_" + Answers.RESPONSE_ID + "_0", done.getString("call_id"));
        JsonObject completed = events.get(12).json().getJsonObject("response");
        assertEquals(2, completed.getJsonArray("output").size());
        assertEquals("function_call", completed.getJsonArray("output").getJsonObject(1).getString("type"));
    }

    @Test
    void eventsAreTranslatedAsFramesArrive() {
        ScriptedEvents frames = new ScriptedEvents();
        Provider scripted = Fixtures.provider(new ScriptedUpstream().respond(Canned.stream(frames)));
        frames.push(new StreamEvent(null, response(null, candidate(0, null, textPart("first"))).toString()));

        Response response = scripted.call(Fixtures.call(Operation.RESPONSES, ASK));
        try (EventStream events = assertInstanceOf(Response.Streaming.class, response).events()) {
            for (String expected : List.of("response.created", "response.in_progress", "response.output_item.added",
                    "response.content_part.added", "response.output_text.delta")) {
                StreamEvent event = assertTimeoutPreemptively(Duration.ofSeconds(2), events::next);
                assertEquals(expected, event.event());
            }
            assertEquals(1, frames.delivered(), "the second frame was not needed yet");
            frames.push(new StreamEvent(null, response(usage(1, 2), candidate(0, "STOP", textPart(" second"))).toString()));
            frames.end();
            StreamEvent delta = events.next();
            assertEquals(" second", delta.json().getString("delta"));
        }
    }

    @Test
    void truncatedStreamsEndWithResponseIncomplete() {
        gemini.handle(request -> Replies.sse(List.of(
                response(usage(2, 1), candidate(0, "MAX_TOKENS", textPart("Once"))).toString())));

        List<StreamEvent> events = stream(provider, Operation.RESPONSES,
                "{\"model\":\"m\",\"stream\":true,\"input\":\"story\",\"max_output_tokens\":1}");

        StreamEvent last = events.get(events.size() - 1);
        assertEquals("response.incomplete", last.event());
        JsonObject body = last.json().getJsonObject("response");
        assertEquals("incomplete", body.getString("status"));
        assertEquals("max_output_tokens", body.getJsonObject("incomplete_details").getString("reason"));
        assertEquals("incomplete", events.get(events.size() - 2).json().getJsonObject("item").getString("status"));
        assertNumberedAndNamed(events);
    }
}
