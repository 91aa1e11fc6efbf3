package io.gateway.plugins.mock;

import static io.gateway.plugins.mock.Fixtures.complete;
import static io.gateway.plugins.mock.Fixtures.jsons;
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
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextCompletionsTest {

    private final Provider provider = provider();

    @Test
    void answersATextCompletion() {
        JsonObject body = complete(provider, Operation.TEXT_COMPLETION, """
                {"model":"mock-model","prompt":"Once upon a time"}""");

        assertTrue(body.getString("id").startsWith("cmpl-mock-"));
        assertEquals("text_completion", body.getString("object"));
        assertEquals(Fixtures.NOW.getEpochSecond(), body.getJsonNumber("created").longValue());
        assertEquals("mock-model", body.getString("model"));
        JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
        assertEquals("This is a mock completion of: Once upon a time", choice.getString("text"));
        assertEquals(0, choice.getInt("index"));
        assertEquals(JsonValue.NULL, choice.get("logprobs"));
        assertEquals("stop", choice.getString("finish_reason"));
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(4, usage.getInt("prompt_tokens"));
        assertEquals(10, usage.getInt("completion_tokens"));
        assertEquals(14, usage.getInt("total_tokens"));
    }

    @Test
    void givesNChoicesPerPromptForEveryPromptForm() {
        JsonObject body = complete(provider, Operation.TEXT_COMPLETION, """
                {"model":"m","n":2,"max_tokens":6,"prompt":["a b", [1, 2, 3]]}""");

        JsonArray choices = body.getJsonArray("choices");
        assertEquals(4, choices.size());
        assertEquals("This is a mock completion of:", choices.getJsonObject(0).getString("text"));
        assertEquals("This is a mock completion.", choices.getJsonObject(3).getString("text"),
                "token prompts have no text to echo");
        for (int i = 0; i < 4; i++) {
            assertEquals(i, choices.getJsonObject(i).getInt("index"));
        }
        assertEquals("length", choices.getJsonObject(0).getString("finish_reason"));
        assertEquals("stop", choices.getJsonObject(2).getString("finish_reason"));
        assertEquals(2 + 3, body.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(6 + 6 + 5 + 5, body.getJsonObject("usage").getInt("completion_tokens"));
    }

    @Test
    void acceptsASingleTokenArray() {
        JsonObject body = complete(provider, Operation.TEXT_COMPLETION, """
                {"model":"m","prompt":[10, 20, 30, 40]}""");

        assertEquals(1, body.getJsonArray("choices").size());
        assertEquals(4, body.getJsonObject("usage").getInt("prompt_tokens"));
    }

    @Test
    void rejectsAMissingOrMalformedPrompt() {
        GatewayException missing = assertThrows(GatewayException.class,
                () -> provider.call(Fixtures.call(Operation.TEXT_COMPLETION, "{\"model\":\"m\"}")));
        GatewayException malformed = assertThrows(GatewayException.class,
                () -> provider.call(Fixtures.call(Operation.TEXT_COMPLETION, "{\"model\":\"m\",\"prompt\":[{}]}")));

        assertEquals(400, missing.status());
        assertEquals("prompt", missing.param());
        assertEquals(400, malformed.status());
    }

    @Test
    void streamsChunksThenDone() {
        List<StreamEvent> events = stream(provider, Operation.TEXT_COMPLETION, """
                {"model":"m","stream":true,"prompt":"hi"}""");

        assertTrue(events.getLast().isDone());
        List<JsonObject> chunks = jsons(events);
        assertEquals(7 + 1, chunks.size());
        StringBuilder text = new StringBuilder();
        for (JsonObject chunk : chunks) {
            assertEquals("text_completion", chunk.getString("object"));
            assertFalse(chunk.containsKey("usage"));
            text.append(chunk.getJsonArray("choices").getJsonObject(0).getString("text"));
        }
        assertEquals("This is a mock completion of: hi", text.toString());
        assertEquals(JsonValue.NULL, chunks.getFirst().getJsonArray("choices").getJsonObject(0).get("finish_reason"));
        assertEquals("stop", chunks.getLast().getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
    }

    @Test
    void streamsUsageWhenAskedTo() {
        List<JsonObject> chunks = jsons(stream(provider, Operation.TEXT_COMPLETION, """
                {"model":"m","stream":true,"stream_options":{"include_usage":true},"prompt":"hi"}"""));

        JsonObject last = chunks.getLast();
        assertTrue(last.getJsonArray("choices").isEmpty());
        assertEquals(8, last.getJsonObject("usage").getInt("total_tokens"));
        assertEquals(JsonValue.NULL, chunks.getFirst().get("usage"));
    }
}
