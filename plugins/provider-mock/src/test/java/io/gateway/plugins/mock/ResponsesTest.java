package io.gateway.plugins.mock;

import static io.gateway.plugins.mock.Fixtures.complete;
import static io.gateway.plugins.mock.Fixtures.provider;
import static io.gateway.plugins.mock.Fixtures.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponsesTest {

    private final Provider provider = provider();

    @Test
    void answersAResponseObject() {
        JsonObject body = complete(provider, Operation.RESPONSES, """
                {"model":"mock-model","input":"Tell me a joke"}""");

        assertTrue(body.getString("id").startsWith("resp_"));
        assertEquals("response", body.getString("object"));
        assertEquals(Fixtures.NOW.getEpochSecond(), body.getJsonNumber("created_at").longValue());
        assertEquals("completed", body.getString("status"));
        assertEquals("mock-model", body.getString("model"));
        assertEquals(JsonValue.NULL, body.get("error"));
        assertEquals(JsonValue.NULL, body.get("incomplete_details"));
        assertFalse(body.containsKey("output_text"), "output_text is an SDK convenience, not wire format");
        for (String required : List.of("parallel_tool_calls", "tool_choice", "tools", "temperature", "top_p",
                "metadata", "instructions")) {
            assertTrue(body.containsKey(required), required);
        }
        assertEquals(1, body.getJsonArray("output").size());
        JsonObject message = body.getJsonArray("output").getJsonObject(0);
        assertEquals("message", message.getString("type"));
        assertTrue(message.getString("id").startsWith("msg_"));
        assertEquals("completed", message.getString("status"));
        assertEquals("assistant", message.getString("role"));
        JsonObject part = message.getJsonArray("content").getJsonObject(0);
        assertEquals("output_text", part.getString("type"));
        assertEquals("This is a mock response to: Tell me a joke", part.getString("text"));
        assertTrue(part.getJsonArray("annotations").isEmpty());
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(4, usage.getInt("input_tokens"));
        assertEquals(10, usage.getInt("output_tokens"));
        assertEquals(14, usage.getInt("total_tokens"));
        assertEquals(0, usage.getJsonObject("input_tokens_details").getInt("cached_tokens"));
        assertEquals(0, usage.getJsonObject("output_tokens_details").getInt("reasoning_tokens"));
    }

    @Test
    void readsTheLastUserItemOfAnInputArray() {
        JsonObject body = complete(provider, Operation.RESPONSES, """
                {"model":"m","instructions":"be kind","previous_response_id":"resp_1","input":[
                  {"role":"user","content":"first"},
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"reply"}]},
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"second one"}]}]}""");

        assertEquals("This is a mock response to: second one", body.getJsonArray("output").getJsonObject(0)
                .getJsonArray("content").getJsonObject(0).getString("text"));
        assertEquals(2 + 1 + 1 + 2, body.getJsonObject("usage").getInt("input_tokens"));
        assertEquals("be kind", body.getString("instructions"));
        assertEquals("resp_1", body.getString("previous_response_id"));
    }

    @Test
    void maxOutputTokensMakesTheResponseIncomplete() {
        JsonObject body = complete(provider, Operation.RESPONSES, """
                {"model":"m","max_output_tokens":2,"input":"hi"}""");

        assertEquals("incomplete", body.getString("status"));
        assertEquals("max_output_tokens", body.getJsonObject("incomplete_details").getString("reason"));
        assertEquals(2, body.getJsonObject("usage").getInt("output_tokens"));
    }

    @Test
    void rejectsInputOfTheWrongType() {
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.call(Fixtures.call(Operation.RESPONSES, "{\"model\":\"m\",\"input\":42}")));
        assertEquals(400, e.status());
        assertEquals("input", e.param());
    }

    @Test
    void streamsTheResponseEventSequence() {
        List<StreamEvent> events = stream(provider, Operation.RESPONSES, """
                {"model":"m","stream":true,"input":"hi"}""");

        List<String> types = events.stream().map(StreamEvent::event).toList();
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added"), types.subList(0, 4));
        assertEquals(List.of("response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed"), types.subList(types.size() - 4, types.size()));
        assertEquals(7, types.stream().filter("response.output_text.delta"::equals).count());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            StreamEvent event = events.get(i);
            JsonObject json = event.json();
            assertEquals(event.event(), json.getString("type"), "event name equals the JSON's type");
            assertEquals(i, json.getInt("sequence_number"));
            if ("response.output_text.delta".equals(event.event())) {
                text.append(json.getString("delta"));
            }
            assertFalse(event.isDone(), "named-event streams have no [DONE]");
        }
        assertEquals("This is a mock response to: hi", text.toString());
        JsonObject created = events.getFirst().json().getJsonObject("response");
        assertEquals("in_progress", created.getString("status"));
        assertEquals(JsonValue.NULL, created.get("usage"));
        JsonObject completed = events.getLast().json().getJsonObject("response");
        assertEquals(complete(provider, Operation.RESPONSES, """
                {"model":"m","stream":true,"input":"hi"}"""), completed, "completed carries the full response");
        assertEquals(8, completed.getJsonObject("usage").getInt("total_tokens"));
        assertEquals("This is a mock response to: hi",
                events.get(events.size() - 4).json().getString("text"));
    }

    @Test
    void truncatedStreamEndsWithResponseIncomplete() {
        List<StreamEvent> events = stream(provider, Operation.RESPONSES, """
                {"model":"m","stream":true,"max_output_tokens":3,"input":"hi"}""");

        assertEquals("response.incomplete", events.getLast().event());
        assertEquals("incomplete", events.getLast().json().getJsonObject("response").getString("status"));
    }
}
