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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
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

/** Anthropic streams as chat.completion.chunk streams. */
class ChatStreamTest {

    private static final String ASK = "{'messages':[{'role':'user','content':'Hi'}],'stream':true}";
    private static final String ASK_WITH_USAGE = "{'messages':[{'role':'user','content':'Hi'}],'stream':true,"
            + "'stream_options':{'include_usage':true}}";

    private final Anthropic fake = new Anthropic();

    @AfterEach
    void closeTheFake() {
        fake.close();
    }
    private final Provider provider = provider(fake);

    private List<StreamEvent> translate(List<StreamEvent> upstream, String request) {
        fake.onMessages(body -> Answers.sse(Headers.empty(), List.copyOf(upstream)));
        return all(stream(provider, Operation.CHAT_COMPLETION, request));
    }

    private static JsonObject delta(StreamEvent chunk) {
        return chunk.json().getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
    }

    private static JsonValue finishReason(StreamEvent chunk) {
        return chunk.json().getJsonArray("choices").getJsonObject(0).get("finish_reason");
    }

    private static String finishReasonText(StreamEvent chunk) {
        return chunk.json().getJsonArray("choices").getJsonObject(0).getString("finish_reason");
    }

    @Test
    void textStream() {
        List<StreamEvent> chunks = translate(Fixtures.textStream("end_turn", "Hel", "lo!"), ASK);
        assertEquals(5, chunks.size());
        for (StreamEvent chunk : chunks.subList(0, 4)) {
            JsonObject json = chunk.json();
            assertNull(chunk.event());
            assertEquals("msg_01ABC", json.getString("id"));
            assertEquals("chat.completion.chunk", json.getString("object"));
            assertEquals(Fixtures.NOW.getEpochSecond(), json.getJsonNumber("created").longValue());
            assertEquals(Fixtures.MODEL, json.getString("model"));
            assertFalse(json.containsKey("usage"));
        }
        assertEquals(obj("{'role':'assistant','content':''}"), delta(chunks.get(0)));
        assertEquals(JsonValue.NULL, finishReason(chunks.get(0)));
        assertEquals(obj("{'content':'Hel'}"), delta(chunks.get(1)));
        assertEquals(obj("{'content':'lo!'}"), delta(chunks.get(2)));
        assertEquals(obj("{}"), delta(chunks.get(3)));
        assertEquals("stop", finishReasonText(chunks.get(3)));
        assertTrue(chunks.get(4).isDone());
    }

    @Test
    void includeUsageAddsAUsageChunkAndNullUsageElsewhere() {
        List<StreamEvent> upstream = List.of(
                event("{'type':'message_start','message':{'id':'msg_01ABC','type':'message','role':'assistant',"
                        + "'content':[],'model':'" + Fixtures.MODEL + "','stop_reason':null,'stop_sequence':null,"
                        + "'usage':{'input_tokens':5,'cache_creation_input_tokens':100,"
                        + "'cache_read_input_tokens':2000,'output_tokens':1}}}"),
                textStart(0), textDelta(0, "Hi"), blockStop(0), messageDelta("end_turn", 9), messageStop());
        List<StreamEvent> chunks = translate(upstream, ASK_WITH_USAGE);
        assertEquals(5, chunks.size());
        for (StreamEvent chunk : chunks.subList(0, 3)) {
            assertEquals(JsonValue.NULL, chunk.json().get("usage"));
        }
        JsonObject usage = chunks.get(3).json();
        assertEquals(0, usage.getJsonArray("choices").size());
        assertEquals(obj("{'prompt_tokens':2105,'completion_tokens':9,'total_tokens':2114,"
                + "'prompt_tokens_details':{'cached_tokens':2000},'cache_creation_input_tokens':100,"
                + "'cache_read_input_tokens':2000}"), usage.getJsonObject("usage"));
        assertTrue(chunks.get(4).isDone());
    }

    @Test
    void noUsageChunkWhenIncludeUsageIsFalse() {
        List<StreamEvent> chunks = translate(Fixtures.textStream("end_turn", "Hi"),
                "{'messages':[{'role':'user','content':'Hi'}],'stream':true,'stream_options':{'include_usage':false}}");
        assertTrue(chunks.stream().filter(c -> !c.isDone())
                .allMatch(c -> c.json().getJsonArray("choices").size() == 1 && !c.json().containsKey("usage")));
    }

    @Test
    void toolCallDeltas() {
        List<StreamEvent> chunks = translate(Fixtures.toolStream(), ASK);
        assertEquals(obj("{'role':'assistant','content':''}"), delta(chunks.get(0)));
        assertEquals(obj("{'content':'Let me check.'}"), delta(chunks.get(1)));
        assertEquals(obj("{'tool_calls':[{'index':0,'id':'toolu_01A','type':'function',"
                + "'function':{'name':'get_weather','arguments':''}}]}"), delta(chunks.get(2)));
        assertEquals(obj("{'tool_calls':[{'index':0,'function':{'arguments':'{\\'city\\': '}}]}"),
                delta(chunks.get(3)));
        assertEquals(obj("{'tool_calls':[{'index':0,'function':{'arguments':'\\'Paris\\'}'}}]}"),
                delta(chunks.get(4)));
        assertEquals("tool_calls", finishReasonText(chunks.get(5)));
        assertTrue(chunks.get(6).isDone());
        assertEquals(7, chunks.size());
    }

    @Test
    void severalToolCallsAreIndexedFromZero() {
        List<StreamEvent> chunks = translate(List.of(messageStart(3),
                event("{'type':'content_block_start','index':0,'content_block':{'type':'tool_use','id':'toolu_A',"
                        + "'name':'a','input':{}}}"),
                blockStop(0),
                event("{'type':'content_block_start','index':1,'content_block':{'type':'tool_use','id':'toolu_B',"
                        + "'name':'b','input':{'ready':true}}}"),
                blockStop(1),
                messageDelta("tool_use", 4), messageStop()), ASK);
        assertEquals(0, delta(chunks.get(1)).getJsonArray("tool_calls").getJsonObject(0).getInt("index"));
        assertEquals(1, delta(chunks.get(2)).getJsonArray("tool_calls").getJsonObject(0).getInt("index"));
        assertEquals(obj("{'tool_calls':[{'index':1,'function':{'arguments':'{\\'ready\\':true}'}}]}"),
                delta(chunks.get(3)));
    }

    @Test
    void thinkingDeltasBecomeReasoningContent() {
        List<StreamEvent> chunks = translate(List.of(messageStart(3),
                event("{'type':'content_block_start','index':0,'content_block':{'type':'thinking','thinking':''}}"),
                event("{'type':'content_block_delta','index':0,'delta':{'type':'thinking_delta','thinking':'Hmm.'}}"),
                event("{'type':'content_block_delta','index':0,'delta':{'type':'signature_delta','signature':'s'}}"),
                blockStop(0), textStart(1), textDelta(1, "Yes."), blockStop(1),
                messageDelta("end_turn", 4), messageStop()), ASK);
        assertEquals(obj("{'reasoning_content':'Hmm.'}"), delta(chunks.get(1)));
        assertEquals(obj("{'content':'Yes.'}"), delta(chunks.get(2)));
        assertEquals(5, chunks.size());
    }

    @Test
    void finishReasonsInStreams() {
        assertEquals("length", lastFinishReason("max_tokens"));
        assertEquals("content_filter", lastFinishReason("refusal"));
        assertEquals("stop", lastFinishReason("stop_sequence"));
        assertEquals("tool_calls", lastFinishReason("tool_use"));
        assertEquals("length", lastFinishReason("model_context_window_exceeded"));
    }

    private String lastFinishReason(String stopReason) {
        List<StreamEvent> chunks = translate(Fixtures.textStream(stopReason, "text"), ASK);
        return finishReasonText(chunks.get(chunks.size() - 2));
    }

    @Test
    void translatesIncrementally() {
        ScriptedEvents upstream = new ScriptedEvents();
        Provider scripted = provider(new ScriptedUpstream().respond(Canned.stream(upstream)));
        EventStream events = stream(scripted, Operation.CHAT_COMPLETION, ASK);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            upstream.push(messageStart(5));
            StreamEvent first = events.next();
            assertEquals(obj("{'role':'assistant','content':''}"), delta(first));
            assertEquals(1, upstream.delivered(), "the first chunk must not wait for a second upstream event");
            upstream.push(textStart(0));
            upstream.push(textDelta(0, "Hi"));
            assertEquals(obj("{'content':'Hi'}"), delta(events.next()));
            assertEquals(3, upstream.delivered());
            upstream.push(blockStop(0));
            upstream.push(messageDelta("end_turn", 2));
            assertEquals("stop", finishReasonText(events.next()));
            upstream.push(messageStop());
            assertTrue(events.next().isDone());
            upstream.end();
            assertNull(events.next());
        });
        events.close();
        assertTrue(upstream.closed());
    }

    @Test
    void closingTheStreamClosesTheUpstream() {
        ScriptedEvents upstream = new ScriptedEvents();
        upstream.push(messageStart(5));
        Provider scripted = provider(new ScriptedUpstream().respond(Canned.stream(upstream)));
        EventStream events = stream(scripted, Operation.CHAT_COMPLETION, ASK);
        events.next();
        events.close();
        events.close();
        assertTrue(upstream.closed());
        assertNull(events.next());
    }

    @Test
    void errorEventFailsTheStreamWithTheMappedStatus() {
        List<StreamEvent> upstream = List.copyOf(List.of(messageStart(5), textStart(0), textDelta(0, "Par"),
                event("{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}")));
        fake.onMessages(body -> Answers.sse(Headers.of("retry-after", "3"), upstream));
        EventStream events = stream(provider, Operation.CHAT_COMPLETION, ASK);
        events.next();
        events.next();
        GatewayException e = assertThrows(GatewayException.class, events::next);
        assertEquals(529, e.status());
        assertEquals("overloaded_error", e.errorCode().type());
        assertEquals("overloaded_error", e.errorCode().code());
        assertEquals("Overloaded", e.getMessage());
        assertTrue(e.errorCode().retryable());
        assertEquals("3", e.headers().first("retry-after").orElseThrow());
    }

    @Test
    void streamEndingBeforeMessageStopIsAnError() {
        List<StreamEvent> upstream = List.copyOf(List.of(messageStart(5), textStart(0), textDelta(0, "Par")));
        fake.onMessages(body -> Answers.sse(Headers.empty(), upstream));
        EventStream events = stream(provider, Operation.CHAT_COMPLETION, ASK);
        events.next();
        events.next();
        GatewayException e = assertThrows(GatewayException.class, events::next);
        assertEquals(502, e.status());
    }

    @Test
    void unknownEventTypesAreIgnored() {
        List<StreamEvent> chunks = translate(List.of(messageStart(1), event("{'type':'brand_new_event','x':1}"),
                textStart(0), textDelta(0, "ok"), blockStop(0), messageDelta("end_turn", 1), messageStop()), ASK);
        assertEquals(4, chunks.size());
    }

    @Test
    void upstreamErrorBeforeTheStreamIsThrownFromCall() {
        fake.onMessages(body -> Answers.error(429, "rate_limit_error", "Slow down"));
        GatewayException e = assertThrows(GatewayException.class, () -> provider.call(
                Fixtures.call(Operation.CHAT_COMPLETION, obj(ASK))));
        assertEquals(429, e.status());
        assertEquals("rate_limit_error", e.errorCode().type());
    }

    @Test
    void aJsonAnswerToAStreamRequestIsABadUpstreamResponse() {
        fake.onMessages(body -> Answers.json(Fixtures.message("Hi", "end_turn")));
        GatewayException e = assertThrows(GatewayException.class, () -> provider.call(
                Fixtures.call(Operation.CHAT_COMPLETION, obj(ASK))));
        assertEquals(502, e.status());
        assertTrue(fake.lastResponse().closed());
    }
}
