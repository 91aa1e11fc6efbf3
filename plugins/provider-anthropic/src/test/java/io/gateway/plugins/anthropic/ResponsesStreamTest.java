package io.gateway.plugins.anthropic;

import static io.gateway.plugins.anthropic.Fixtures.all;
import static io.gateway.plugins.anthropic.Fixtures.blockStop;
import static io.gateway.plugins.anthropic.Fixtures.event;
import static io.gateway.plugins.anthropic.Fixtures.messageDelta;
import static io.gateway.plugins.anthropic.Fixtures.messageStart;
import static io.gateway.plugins.anthropic.Fixtures.messageStop;
import static io.gateway.plugins.anthropic.Fixtures.obj;
import static io.gateway.plugins.anthropic.Fixtures.provider;
import static io.gateway.plugins.anthropic.Fixtures.stream;
import static io.gateway.plugins.anthropic.Fixtures.textDelta;
import static io.gateway.plugins.anthropic.Fixtures.textStart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
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

/** Anthropic streams as Responses event streams. */
class ResponsesStreamTest {

    private static final String ASK = "{'input':'Hi','stream':true}";

    private final Anthropic fake = new Anthropic();

    @AfterEach
    void closeTheFake() {
        fake.close();
    }
    private final Provider provider = provider(fake);

    private List<StreamEvent> translate(List<StreamEvent> upstream, String request) {
        fake.onMessages(body -> Answers.sse(Headers.empty(), List.copyOf(upstream)));
        List<StreamEvent> events = all(stream(provider, Operation.RESPONSES, request));
        for (int i = 0; i < events.size(); i++) {
            JsonObject json = events.get(i).json();
            assertEquals(json.getString("type"), events.get(i).event(), "the event name is the JSON's type");
            assertEquals(i, json.getInt("sequence_number"), "sequence numbers count up from 0");
        }
        return events;
    }

    private static List<String> types(List<StreamEvent> events) {
        return events.stream().map(StreamEvent::event).toList();
    }

    @Test
    void textStream() {
        List<StreamEvent> events = translate(Fixtures.textStream("end_turn", "Hel", "lo"), ASK);
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed"), types(events));
        JsonObject created = events.get(0).json().getJsonObject("response");
        assertEquals("resp_01ABC", created.getString("id"));
        assertEquals("in_progress", created.getString("status"));
        assertEquals(0, created.getJsonArray("output").size());
        assertEquals(JsonValue.NULL, created.get("usage"));
        assertEquals(obj("{'id':'msg_01ABC','type':'message','status':'in_progress','role':'assistant',"
                + "'content':[]}"), events.get(2).json().getJsonObject("item"));
        JsonObject delta = events.get(4).json();
        assertEquals("msg_01ABC", delta.getString("item_id"));
        assertEquals(0, delta.getInt("output_index"));
        assertEquals(0, delta.getInt("content_index"));
        assertEquals("Hel", delta.getString("delta"));
        assertEquals("Hello", events.get(6).json().getString("text"));
        assertEquals("Hello", events.get(7).json().getJsonObject("part").getString("text"));
        JsonObject completed = events.get(9).json().getJsonObject("response");
        assertEquals("completed", completed.getString("status"));
        assertEquals(obj("{'a':[{'id':'msg_01ABC','type':'message','status':'completed','role':'assistant',"
                + "'content':[{'type':'output_text','text':'Hello','annotations':[],'logprobs':[]}]}]}")
                .getJsonArray("a"), completed.getJsonArray("output"));
        assertEquals(25, completed.getJsonObject("usage").getInt("input_tokens"));
        assertEquals(15, completed.getJsonObject("usage").getInt("output_tokens"));
        assertEquals(40, completed.getJsonObject("usage").getInt("total_tokens"));
    }

    @Test
    void toolCallStream() {
        List<StreamEvent> events = translate(Fixtures.toolStream(),
                "{'input':'Weather?','stream':true,'tools':[{'type':'function','name':'get_weather'}]}");
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.done",
                "response.content_part.done", "response.output_item.done", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed"),
                types(events));
        JsonObject added = events.get(8).json();
        assertEquals(1, added.getInt("output_index"));
        assertEquals(obj("{'id':'fc_01A','type':'function_call','status':'in_progress','call_id':'toolu_01A',"
                + "'name':'get_weather','arguments':''}"), added.getJsonObject("item"));
        assertEquals("{\"city\": ", events.get(9).json().getString("delta"));
        assertEquals("fc_01A", events.get(9).json().getString("item_id"));
        JsonObject done = events.get(11).json();
        assertEquals("{\"city\": \"Paris\"}", done.getString("arguments"));
        JsonObject item = events.get(12).json().getJsonObject("item");
        assertEquals("completed", item.getString("status"));
        assertEquals("{\"city\": \"Paris\"}", item.getString("arguments"));
        JsonObject completed = events.get(13).json().getJsonObject("response");
        assertEquals(2, completed.getJsonArray("output").size());
        assertEquals("function_call", completed.getJsonArray("output").getJsonObject(1).getString("type"));
        assertEquals(JsonBodies.parse("{\"city\": \"Paris\"}"), JsonBodies.parse(
                completed.getJsonArray("output").getJsonObject(1).getString("arguments")));
    }

    @Test
    void thinkingStreamsAsReasoningSummary() {
        List<StreamEvent> events = translate(List.of(messageStart(3),
                event("{'type':'content_block_start','index':0,'content_block':{'type':'thinking','thinking':''}}"),
                event("{'type':'content_block_delta','index':0,'delta':{'type':'thinking_delta','thinking':'Hmm.'}}"),
                event("{'type':'content_block_delta','index':0,'delta':{'type':'signature_delta','signature':'SIG'}}"),
                blockStop(0), textStart(1), textDelta(1, "Yes."), blockStop(1),
                messageDelta("end_turn", 4), messageStop()),
                "{'input':'Q','stream':true,'include':['reasoning.encrypted_content']}");
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
                "response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
                "response.output_item.done", "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed"), types(events));
        assertEquals("Hmm.", events.get(4).json().getString("delta"));
        assertEquals(0, events.get(4).json().getInt("summary_index"));
        assertEquals(obj("{'id':'rs_01ABC_0','type':'reasoning','summary':[{'type':'summary_text','text':'Hmm.'}],"
                + "'encrypted_content':'SIG'}"), events.get(7).json().getJsonObject("item"));
        assertEquals(1, events.get(10).json().getInt("output_index"));
    }

    @Test
    void maxTokensEndsWithResponseIncomplete() {
        List<StreamEvent> events = translate(Fixtures.textStream("max_tokens", "Once"), ASK);
        JsonObject last = events.get(events.size() - 1).json();
        assertEquals("response.incomplete", last.getString("type"));
        assertEquals("incomplete", last.getJsonObject("response").getString("status"));
        assertEquals(obj("{'reason':'max_output_tokens'}"),
                last.getJsonObject("response").getJsonObject("incomplete_details"));
    }

    @Test
    void translatesIncrementally() {
        ScriptedEvents upstream = new ScriptedEvents();
        Provider scripted = provider(new ScriptedUpstream().respond(Canned.stream(upstream)));
        EventStream events = stream(scripted, Operation.RESPONSES, ASK);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            upstream.push(messageStart(5));
            assertEquals("response.created", events.next().event());
            assertEquals("response.in_progress", events.next().event());
            assertEquals(1, upstream.delivered(), "response.created must not wait for a second upstream event");
            upstream.push(textStart(0));
            assertEquals("response.output_item.added", events.next().event());
            assertEquals("response.content_part.added", events.next().event());
            assertEquals(2, upstream.delivered());
            upstream.push(textDelta(0, "Hi"));
            assertEquals("response.output_text.delta", events.next().event());
            upstream.push(blockStop(0));
            upstream.push(messageDelta("end_turn", 2));
            upstream.push(messageStop());
            upstream.end();
            assertEquals("response.output_text.done", events.next().event());
            assertEquals("response.content_part.done", events.next().event());
            assertEquals("response.output_item.done", events.next().event());
            assertEquals("response.completed", events.next().event());
            assertNull(events.next());
        });
        events.close();
        assertTrue(upstream.closed());
    }

    @Test
    void errorEventFailsTheStream() {
        fake.onMessages(body -> Answers.sse(Headers.empty(), List.copyOf(List.of(messageStart(5),
                event("{'type':'error','error':{'type':'api_error','message':'Internal server error'}}")))));
        EventStream events = stream(provider, Operation.RESPONSES, ASK);
        events.next();
        events.next();
        GatewayException e = assertThrows(GatewayException.class, events::next);
        assertEquals(500, e.status());
        assertEquals("api_error", e.errorCode().code());
    }
}
