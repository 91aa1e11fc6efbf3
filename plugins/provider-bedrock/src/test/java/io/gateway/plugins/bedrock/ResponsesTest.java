package io.gateway.plugins.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.StreamEvent;
import io.gateway.testkit.ProviderHarness;
import io.gateway.testkit.fakes.FakeBedrock;
import jakarta.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Responses API through Converse and ConverseStream. */
class ResponsesTest {

    private static final String TOOL = """
            {"type":"function","name":"get_weather","parameters":{"type":"object",
             "properties":{"city":{"type":"string"}},"required":["city"]}}""";

    @Test
    void inputItemsTranslateAndTheAnswerIsAResponse() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            JsonObject response = provider.complete(Operation.RESPONSES, """
                    {"model":"%s","instructions":"Be brief.","max_output_tokens":64,"tools":[%s],
                     "input":[{"role":"user","content":[{"type":"input_text","text":"Weather?"}]},
                       {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"},
                       {"type":"function_call_output","call_id":"call_1","output":"-3 and snow"}]}"""
                    .formatted(FakeBedrock.CHAT_MODEL, TOOL));
            JsonObject sent = bedrock.lastBody();
            assertEquals("Be brief.", sent.getJsonArray("system").getJsonObject(0).getString("text"));
            assertEquals(64, sent.getJsonObject("inferenceConfig").getInt("maxTokens"));
            assertEquals("call_1", sent.getJsonArray("messages").getJsonObject(2).getJsonArray("content")
                    .getJsonObject(0).getJsonObject("toolResult").getString("toolUseId"));
            assertEquals("response", response.getString("object"));
            assertEquals("completed", response.getString("status"));
            JsonObject message = response.getJsonArray("output").getJsonObject(0);
            assertEquals("Thanks, the tool said: -3 and snow", message.getJsonArray("content").getJsonObject(0)
                    .getString("text"));
            assertTrue(response.getJsonObject("usage").getInt("input_tokens") > 0);
        }
    }

    @Test
    void aStreamGivesTheNamedEventsUpToCompleted() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            bedrock.fake.answerNext(FakeBedrock.stream(FakeBedrock.events(FakeBedrock.converseAnswer(List.of(
                    FakeBedrock.textBlock("Checking now"),
                    FakeBedrock.toolUseBlock("tooluse_9", "get_weather", JsonBodies.parse("{\"city\":\"Oslo\"}"))),
                    "tool_use", FakeBedrock.usage(5, 9, 0, 0)))));
            List<StreamEvent> events = provider.stream(Operation.RESPONSES, """
                    {"model":"%s","stream":true,"input":"Weather?","tools":[%s]}"""
                    .formatted(FakeBedrock.CHAT_MODEL, TOOL));
            List<String> types = events.stream().map(StreamEvent::event).toList();
            assertEquals("response.created", types.get(0));
            assertEquals("response.completed", types.get(types.size() - 1));
            assertTrue(types.contains("response.output_text.delta") && types.contains(
                    "response.function_call_arguments.done"), types.toString());
            JsonObject done = events.stream().filter(e -> e.event().equals("response.function_call_arguments.done"))
                    .findFirst().orElseThrow().json();
            assertEquals(JsonBodies.parse("{\"city\":\"Oslo\"}"), JsonBodies.parse(done.getString("arguments")));
            JsonObject completed = events.get(events.size() - 1).json().getJsonObject("response");
            assertEquals(2, completed.getJsonArray("output").size());
            assertEquals("Checking now", completed.getJsonArray("output").getJsonObject(0).getJsonArray("content")
                    .getJsonObject(0).getString("text"));
            assertEquals("tooluse_9", completed.getJsonArray("output").getJsonObject(1).getString("call_id"));
            assertEquals(14, completed.getJsonObject("usage").getInt("total_tokens"));
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i, events.get(i).json().getInt("sequence_number"));
            }
        }
    }

    @Test
    void storedStateIsRefused() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            assertEquals("previous_response_id", provider.failure(Operation.RESPONSES, """
                    {"model":"%s","input":"x","previous_response_id":"resp_1"}""".formatted(FakeBedrock.CHAT_MODEL))
                    .param());
        }
    }
}
