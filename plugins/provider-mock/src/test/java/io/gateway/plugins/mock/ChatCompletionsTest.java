package io.gateway.plugins.mock;

import static io.gateway.plugins.mock.Fixtures.complete;
import static io.gateway.plugins.mock.Fixtures.jsons;
import static io.gateway.plugins.mock.Fixtures.provider;
import static io.gateway.plugins.mock.Fixtures.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

class ChatCompletionsTest {

    private static final String HELLO = """
            {"model":"mock-model","messages":[
              {"role":"system","content":"Be brief."},
              {"role":"user","content":"Hello there, mock!"}]}""";

    private final Provider provider = provider();

    @Test
    void answersAChatCompletion() {
        JsonObject body = complete(provider, Operation.CHAT_COMPLETION, HELLO);

        assertTrue(body.getString("id").startsWith("chatcmpl-mock-"));
        assertEquals("chat.completion", body.getString("object"));
        assertEquals(Fixtures.NOW.getEpochSecond(), body.getJsonNumber("created").longValue());
        assertEquals("mock-model", body.getString("model"));
        assertEquals(1, body.getJsonArray("choices").size());
        JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
        assertEquals(0, choice.getInt("index"));
        assertEquals("stop", choice.getString("finish_reason"));
        JsonObject message = choice.getJsonObject("message");
        assertEquals("assistant", message.getString("role"));
        assertEquals("This is a mock response to: Hello there, mock!", message.getString("content"));
        assertEquals(JsonValue.NULL, message.get("refusal"));
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(5, usage.getInt("prompt_tokens"), "2 system words + 3 user words");
        assertEquals(9, usage.getInt("completion_tokens"));
        assertEquals(14, usage.getInt("total_tokens"));
    }

    @Test
    void idDependsOnlyOnTheRequest() {
        String first = complete(provider, Operation.CHAT_COMPLETION, HELLO).getString("id");
        String again = complete(provider(), Operation.CHAT_COMPLETION, HELLO).getString("id");
        String other = complete(provider, Operation.CHAT_COMPLETION,
                HELLO.replace("Hello", "Goodbye")).getString("id");

        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    @Test
    void echoesTheLastUserMessageTruncatedAndReadsTextParts() {
        JsonObject body = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"m","messages":[
                  {"role":"user","content":"first question"},
                  {"role":"assistant","content":"an answer"},
                  {"role":"user","content":[
                    {"type":"text","text":"one two three four five six seven"},
                    {"type":"image_url","image_url":{"url":"https://example.com/x.png"}},
                    {"type":"text","text":"eight nine ten eleven twelve thirteen fourteen"}]}]}""");

        assertEquals("This is a mock response to: one two three four five six seven eight nine ten eleven twelve...",
                body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
        assertEquals(2 + 2 + 14, body.getJsonObject("usage").getInt("prompt_tokens"));
    }

    @Test
    void honoursN() {
        JsonObject body = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"m","n":3,"messages":[{"role":"user","content":"hi"}]}""");

        assertEquals(3, body.getJsonArray("choices").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, body.getJsonArray("choices").getJsonObject(i).getInt("index"));
        }
        assertEquals(3 * 7, body.getJsonObject("usage").getInt("completion_tokens"));
    }

    @Test
    void maxTokensTruncatesWithFinishReasonLength() {
        JsonObject legacy = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"m","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}""");
        JsonObject newer = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"m","max_tokens":3,"max_completion_tokens":4,"messages":[{"role":"user","content":"hi"}]}""");

        JsonObject choice = legacy.getJsonArray("choices").getJsonObject(0);
        assertEquals("This is a", choice.getJsonObject("message").getString("content"));
        assertEquals("length", choice.getString("finish_reason"));
        assertEquals(3, legacy.getJsonObject("usage").getInt("completion_tokens"));
        assertEquals("This is a mock", newer.getJsonArray("choices").getJsonObject(0)
                .getJsonObject("message").getString("content"), "max_completion_tokens wins");
    }

    @Test
    void rejectsMissingMessagesAndBadN() {
        GatewayException missing = assertThrows(GatewayException.class,
                () -> provider.call(Fixtures.call(Operation.CHAT_COMPLETION, "{\"model\":\"m\"}")));
        GatewayException badN = assertThrows(GatewayException.class,
                () -> provider.call(Fixtures.call(Operation.CHAT_COMPLETION,
                        "{\"model\":\"m\",\"n\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")));

        assertEquals(400, missing.status());
        assertEquals("messages", missing.param());
        assertEquals(400, badN.status());
        assertEquals("n", badN.param());
    }

    @Test
    void streamsChunksWordByWordThenDone() {
        List<StreamEvent> events = stream(provider, Operation.CHAT_COMPLETION, """
                {"model":"mock-model","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        assertTrue(events.getLast().isDone());
        assertTrue(events.stream().allMatch(event -> event.event() == null), "chat frames have no event name");
        List<JsonObject> chunks = jsons(events);
        assertEquals(1 + 7 + 1, chunks.size(), "role chunk, one per word, finish chunk");
        String id = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"mock-model","stream":true,"messages":[{"role":"user","content":"hi"}]}""").getString("id");
        for (JsonObject chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.getString("object"));
            assertEquals(id, chunk.getString("id"));
            assertEquals("mock-model", chunk.getString("model"));
            assertFalse(chunk.containsKey("usage"), "no usage without include_usage");
        }
        JsonObject first = chunks.getFirst().getJsonArray("choices").getJsonObject(0);
        assertEquals("assistant", first.getJsonObject("delta").getString("role"));
        assertEquals("", first.getJsonObject("delta").getString("content"));
        assertEquals(JsonValue.NULL, first.get("finish_reason"));
        StringBuilder text = new StringBuilder();
        for (JsonObject chunk : chunks.subList(1, chunks.size() - 1)) {
            text.append(chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content"));
        }
        assertEquals("This is a mock response to: hi", text.toString());
        JsonObject last = chunks.getLast().getJsonArray("choices").getJsonObject(0);
        assertTrue(last.getJsonObject("delta").isEmpty());
        assertEquals("stop", last.getString("finish_reason"));
    }

    @Test
    void includeUsageAddsAFinalUsageChunkAndNullUsageElsewhere() {
        List<JsonObject> chunks = jsons(stream(provider, Operation.CHAT_COMPLETION, """
                {"model":"m","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"hi"}]}"""));

        JsonObject usageChunk = chunks.getLast();
        assertTrue(usageChunk.getJsonArray("choices").isEmpty());
        assertEquals(1, usageChunk.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(7, usageChunk.getJsonObject("usage").getInt("completion_tokens"));
        assertEquals(8, usageChunk.getJsonObject("usage").getInt("total_tokens"));
        for (JsonObject chunk : chunks.subList(0, chunks.size() - 1)) {
            assertEquals(JsonValue.NULL, chunk.get("usage"));
        }
        assertEquals("stop", chunks.get(chunks.size() - 2).getJsonArray("choices").getJsonObject(0)
                .getString("finish_reason"));
    }

    @Test
    void streamsEveryChoiceWithN() {
        List<JsonObject> chunks = jsons(stream(provider, Operation.CHAT_COMPLETION, """
                {"model":"m","stream":true,"n":2,"max_tokens":2,"messages":[{"role":"user","content":"hi"}]}"""));

        assertEquals(2 + 2 * 2 + 2, chunks.size());
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
        int finished = 0;
        for (JsonObject chunk : chunks) {
            JsonObject choice = chunk.getJsonArray("choices").getJsonObject(0);
            JsonObject delta = choice.getJsonObject("delta");
            if (delta.containsKey("content")) {
                texts[choice.getInt("index")].append(delta.getString("content"));
            }
            if (choice.get("finish_reason") != JsonValue.NULL) {
                assertEquals("length", choice.getString("finish_reason"));
                finished++;
            }
        }
        assertEquals("This is", texts[0].toString());
        assertEquals("This is", texts[1].toString());
        assertEquals(2, finished);
    }
}
