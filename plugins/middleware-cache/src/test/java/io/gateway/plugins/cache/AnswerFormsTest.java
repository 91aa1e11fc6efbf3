package io.gateway.plugins.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerFormsTest {

    private static final String CHAT = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there","refusal":null},\
            "logprobs":null,"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""";

    private static List<StreamEvent> chunks(String... data) {
        return java.util.Arrays.stream(data).map(d -> new StreamEvent(null, d)).toList();
    }

    @Test
    void aChatAnswerStreamsAsChunksAndAssemblesBackToTheSameAnswer() {
        List<StreamEvent> events = AnswerForms.eventsFromJson(Operation.CHAT_COMPLETION, JsonBodies.parse(CHAT));
        assertEquals(4, events.size(), events.toString());
        assertTrue(events.get(3).isDone());
        JsonObject first = events.get(0).json();
        assertEquals("chat.completion.chunk", first.getString("object"));
        assertEquals("Hello there", first.getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
                .getString("content"));
        assertEquals("stop", events.get(1).json().getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertEquals(5, events.get(2).json().getJsonObject("usage").getInt("total_tokens"));
        assertTrue(AnswerForms.wholeStream(Operation.CHAT_COMPLETION, events));

        JsonObject back = JsonBodies.parse(AnswerForms.jsonFromEvents(Operation.CHAT_COMPLETION, events));
        assertEquals(JsonBodies.parse(CHAT), back);
    }

    @Test
    void streamedChunksWithToolCallsAssembleIntoOneMessage() {
        List<StreamEvent> events = chunks(
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"get\",\"arguments\":\"{\\\"a\\\"\"}}]},\"finish_reason\":null}]}",
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":1}\"}}]},\"finish_reason\":\"tool_calls\"}]}",
                "[DONE]");
        JsonObject body = JsonBodies.parse(AnswerForms.jsonFromEvents(Operation.CHAT_COMPLETION, events));
        JsonObject message = body.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
        assertEquals("{\"a\":1}", message.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function")
                .getString("arguments"));
        assertEquals("tool_calls", body.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertFalse(body.containsKey("usage"));
    }

    @Test
    void onlyWholeStreamsAreStored() {
        String chunk = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}";
        assertFalse(AnswerForms.wholeStream(Operation.CHAT_COMPLETION, chunks(chunk)), "no [DONE]: cut short");
        assertFalse(AnswerForms.wholeStream(Operation.CHAT_COMPLETION,
                chunks(chunk, "{\"error\":{\"message\":\"boom\"}}", "[DONE]")), "an error frame");
        assertTrue(AnswerForms.wholeStream(Operation.CHAT_COMPLETION, chunks(chunk, "[DONE]")));
        assertFalse(AnswerForms.wholeStream(Operation.RESPONSES, List.of(
                new StreamEvent("response.created", "{\"type\":\"response.created\"}"))));
        assertFalse(AnswerForms.wholeStream(Operation.RESPONSES, List.of(
                new StreamEvent("response.failed", "{\"type\":\"response.failed\"}"))));
        assertFalse(AnswerForms.wholeStream(Operation.EMBEDDING, chunks(chunk, "[DONE]")));
    }

    @Test
    void aResponseStreamsAsTypedEventsAndComesBackFromItsCompletedEvent() {
        JsonObject response = JsonBodies.parse("""
                {"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-4o-mini",
                 "output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant",
                   "content":[{"type":"output_text","text":"Hi there","annotations":[]}]}],
                 "usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5}}""");
        assertTrue(AnswerForms.wholeAnswer(Operation.RESPONSES, response));
        List<StreamEvent> events = AnswerForms.eventsFromJson(Operation.RESPONSES, response);
        List<String> types = events.stream().map(StreamEvent::event).toList();
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.done",
                "response.content_part.done", "response.output_item.done", "response.completed"), types);
        assertEquals("Hi there", events.get(4).json().getString("delta"));
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i, events.get(i).json().getInt("sequence_number"));
        }
        assertTrue(AnswerForms.wholeStream(Operation.RESPONSES, events));
        assertEquals(response, JsonBodies.parse(AnswerForms.jsonFromEvents(Operation.RESPONSES, events)));
        assertFalse(AnswerForms.wholeAnswer(Operation.RESPONSES, JsonBodies.parse(
                "{\"status\":\"incomplete\",\"output\":[]}")));
    }

    @Test
    void imagesStreamOnlyWhenTheyAreBase64() {
        JsonObject images = JsonBodies.parse("""
                {"created":5,"size":"1024x1024","data":[{"b64_json":"AAAA"}],"usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}""");
        List<StreamEvent> events = AnswerForms.eventsFromJson(Operation.IMAGE_GENERATION, images);
        assertEquals(1, events.size());
        assertEquals("image_generation.completed", events.get(0).event());
        JsonObject back = JsonBodies.parse(AnswerForms.jsonFromEvents(Operation.IMAGE_GENERATION, events));
        assertEquals("AAAA", back.getJsonArray("data").getJsonObject(0).getString("b64_json"));
        assertEquals(3, back.getJsonObject("usage").getInt("total_tokens"));
        assertNull(AnswerForms.eventsFromJson(Operation.IMAGE_GENERATION,
                JsonBodies.parse("{\"created\":5,\"data\":[{\"url\":\"https://example.com/a.png\"}]}")));
        assertNull(AnswerForms.eventsFromJson(Operation.EMBEDDING, JsonBodies.parse("{\"data\":[]}")));
    }

    @Test
    void theUsageChunkIsReplayedOnlyToRequestsThatAskForIt() {
        List<StreamEvent> events = AnswerForms.eventsFromJson(Operation.CHAT_COMPLETION, JsonBodies.parse(CHAT));
        assertEquals(4, AnswerForms.forRequest(Operation.CHAT_COMPLETION, events, true).size());
        List<StreamEvent> without = AnswerForms.forRequest(Operation.CHAT_COMPLETION, events, false);
        assertEquals(3, without.size());
        assertTrue(without.stream().noneMatch(e -> !e.isDone() && e.json().containsKey("usage")));
    }

    @Test
    void anEntryRoundTripsThroughItsStoredForm() {
        CachedAnswer answer = new CachedAnswer(CHAT.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                List.of(new StreamEvent("named", "{\"é\":1}"), StreamEvent.DONE));
        CachedAnswer back = CachedAnswer.decode(answer.encode());
        assertEquals(CHAT, new String(back.json(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(answer.events(), back.events());
        assertNull(CachedAnswer.decode(new byte[] {9, 9, 9}), "not a version this code wrote");
        CachedAnswer jsonOnly = CachedAnswer.decode(new CachedAnswer(new byte[] {'{', '}'}, null).encode());
        assertNull(jsonOnly.events());
    }
}
