package io.gateway.server.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.TokenUsage;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Streamed answers assembled into one document for the log. */
class StreamAssemblerTest {

    private static StreamEvent data(String json) {
        return new StreamEvent(null, json);
    }

    @Test
    void aChatStreamBecomesAChatCompletionWithTextReasoningToolCallsAndUsage() {
        StreamAssembler assembler = new StreamAssembler(Operation.CHAT_COMPLETION, 10_000);
        assembler.add(data("{\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"content\":\"\"}}]}"));
        assembler.add(data("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"thinking\"}}]}"));
        assembler.add(data("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}},{\"index\":1,"
                + "\"delta\":{\"content\":\"Other\"}}]}"));
        assembler.add(data("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\",\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"\"}},"
                + "{\"index\":1,\"id\":\"call_b\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]}}]}"));
        assembler.add(data("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                + "{\"arguments\":\":1}\"}}]},\"finish_reason\":\"tool_calls\"}]}"));
        assembler.add(data("{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,"
                + "\"total_tokens\":7}}"));
        assembler.add(StreamEvent.DONE);
        JsonObject answer = JsonBodies.parse(assembler.json(null));
        assertEquals("chat.completion", answer.getString("object"));
        assertEquals("gpt-4o", answer.getString("model"));
        JsonObject first = answer.getJsonArray("choices").getJsonObject(0);
        assertEquals("Hello", first.getJsonObject("message").getString("content"));
        assertEquals("thinking", first.getJsonObject("message").getString("reasoning_content"));
        assertEquals("tool_calls", first.getString("finish_reason"));
        assertEquals("{\"a\":1}", first.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0)
                .getJsonObject("function").getString("arguments"));
        assertEquals("g", first.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(1)
                .getJsonObject("function").getString("name"));
        assertEquals("Other", answer.getJsonArray("choices").getJsonObject(1).getJsonObject("message")
                .getString("content"));
        assertEquals(7, answer.getJsonObject("usage").getInt("total_tokens"));
        assertFalse(assembler.truncated());
    }

    @Test
    void usageTheClientDidNotSeeComesFromTheGatewaysMeasurement() {
        StreamAssembler assembler = new StreamAssembler(Operation.CHAT_COMPLETION, 10_000);
        assembler.add(data("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}"));
        TokenUsage usage = TokenUsage.builder().inputTokens(5).outputTokens(6).build();
        JsonObject answer = JsonBodies.parse(assembler.json(usage));
        assertEquals(5, answer.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(11, answer.getJsonObject("usage").getInt("total_tokens"));
    }

    @Test
    void textBeyondTheLimitIsLeftOutAndSaidSo() {
        StreamAssembler assembler = new StreamAssembler(Operation.TEXT_COMPLETION, 10);
        assembler.add(data("{\"choices\":[{\"index\":0,\"text\":\"0123456\"}]}"));
        assembler.add(data("{\"choices\":[{\"index\":0,\"text\":\"789abc\"}]}"));
        assembler.add(data("{\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"length\"}]}"));
        JsonObject answer = JsonBodies.parse(assembler.json(null));
        assertEquals("0123456", answer.getJsonArray("choices").getJsonObject(0).getString("text"));
        assertEquals("length", answer.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertTrue(assembler.truncated());
    }

    @Test
    void aResponsesStreamKeepsItsFinalResponseElseItsText() {
        StreamAssembler completed = new StreamAssembler(Operation.RESPONSES, 10_000);
        completed.add(new StreamEvent("response.created", "{\"type\":\"response.created\",\"response\":{\"id\":\"r1\","
                + "\"model\":\"o3\"}}"));
        completed.add(new StreamEvent("response.output_text.delta", "{\"delta\":\"Hi\"}"));
        completed.add(new StreamEvent("response.completed", "{\"type\":\"response.completed\",\"response\":{\"id\":\"r1\","
                + "\"status\":\"completed\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\","
                + "\"text\":\"Hi\"}]}]}}"));
        assertEquals("completed", JsonBodies.parse(completed.json(null)).getString("status"));

        StreamAssembler cut = new StreamAssembler(Operation.RESPONSES, 10_000);
        cut.add(new StreamEvent("response.created", "{\"response\":{\"id\":\"r2\",\"model\":\"o3\"}}"));
        cut.add(new StreamEvent("response.output_text.delta", "{\"delta\":\"Hel\"}"));
        cut.add(new StreamEvent("response.output_text.delta", "{\"delta\":\"lo\"}"));
        JsonObject partial = JsonBodies.parse(cut.json(null));
        assertEquals("Hello", partial.getString("output_text"));
        assertEquals("r2", partial.getString("id"));
    }

    @Test
    void otherStreamsKeepTheirEventsAndNoEventIsNoAnswer() {
        StreamAssembler images = new StreamAssembler(Operation.IMAGE_GENERATION, 10_000);
        assertNull(images.json(null));
        images.add(new StreamEvent("image_generation.completed", "{\"b64_json\":\"AAAA\"}"));
        JsonObject answer = JsonBodies.parse(images.json(null));
        assertEquals(1, answer.getInt("events"));
        assertEquals("AAAA", answer.getJsonArray("data").getJsonObject(0).getString("b64_json"));
    }
}
