package io.gateway.plugins.anthropic;

import static io.gateway.plugins.anthropic.Fixtures.complete;
import static io.gateway.plugins.anthropic.Fixtures.message;
import static io.gateway.plugins.anthropic.Fixtures.obj;
import static io.gateway.plugins.anthropic.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Messages answers as chat.completion bodies. */
class ChatResponseTest {

    private static final String ASK = "{'messages':[{'role':'user','content':'Hi'}]}";

    private final Anthropic fake = new Anthropic();

    @AfterEach
    void closeTheFake() {
        fake.close();
    }
    private final Provider provider = provider(fake);

    private JsonObject answer(String anthropicMessage) {
        fake.onMessages(body -> Answers.json(anthropicMessage));
        return complete(provider, Operation.CHAT_COMPLETION, ASK);
    }

    @Test
    void textAnswer() {
        JsonObject completion = answer(message("Hello there!", "end_turn"));
        assertEquals(obj("{'id':'msg_01XYZ','object':'chat.completion','created':" + Fixtures.NOW.getEpochSecond()
                + ",'model':'" + Fixtures.MODEL + "','choices':[{'index':0,'message':{'role':'assistant',"
                + "'content':'Hello there!','refusal':null},'logprobs':null,'finish_reason':'stop'}],"
                + "'usage':{'prompt_tokens':12,'completion_tokens':6,'total_tokens':18,"
                + "'prompt_tokens_details':{'cached_tokens':0},'cache_creation_input_tokens':0,"
                + "'cache_read_input_tokens':0}}"), completion);
    }

    @Test
    void textBlocksAreConcatenated() {
        JsonObject completion = answer(message("[{'type':'text','text':'One, '},{'type':'text','text':'two.'}]",
                "end_turn", "{'input_tokens':1,'output_tokens':2}"));
        assertEquals("One, two.", reply(completion).getString("content"));
    }

    @Test
    void toolUseBecomesToolCallsWithNullContent() {
        JsonObject completion = answer(message("[{'type':'tool_use','id':'toolu_01A','name':'get_weather',"
                + "'input':{'city':'Paris','days':2}}]", "tool_use", "{'input_tokens':30,'output_tokens':20}"));
        JsonObject reply = reply(completion);
        assertEquals(JsonValue.NULL, reply.get("content"));
        assertEquals(obj("{'a':[{'id':'toolu_01A','type':'function','function':{'name':'get_weather',"
                + "'arguments':'{\\'city\\':\\'Paris\\',\\'days\\':2}'}}]}").getJsonArray("a"),
                reply.getJsonArray("tool_calls"));
        assertEquals("tool_calls", completion.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
    }

    @Test
    void textAndSeveralToolCalls() {
        JsonObject reply = reply(answer(message("[{'type':'text','text':'Checking both.'},"
                + "{'type':'tool_use','id':'toolu_1','name':'a','input':{}},"
                + "{'type':'tool_use','id':'toolu_2','name':'b','input':{'x':1}}]", "tool_use",
                "{'input_tokens':1,'output_tokens':2}")));
        assertEquals("Checking both.", reply.getString("content"));
        assertEquals(2, reply.getJsonArray("tool_calls").size());
        assertEquals("{}", reply.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function")
                .getString("arguments"));
    }

    @Test
    void thinkingGoesToReasoningContent() {
        JsonObject reply = reply(answer(message("[{'type':'thinking','thinking':'Two plus two is four.',"
                + "'signature':'sig=='},{'type':'redacted_thinking','data':'xyz'},{'type':'text','text':'4'}]",
                "end_turn", "{'input_tokens':1,'output_tokens':2}")));
        assertEquals("Two plus two is four.", reply.getString("reasoning_content"));
        assertEquals("4", reply.getString("content"));
    }

    @Test
    void noReasoningContentWithoutThinking() {
        assertFalse(reply(answer(message("Hi", "end_turn"))).containsKey("reasoning_content"));
    }

    @Test
    void usageCountsCacheReadsAndWritesAsPromptTokens() {
        JsonObject completion = answer(message("[{'type':'text','text':'ok'}]", "end_turn",
                "{'input_tokens':10,'cache_creation_input_tokens':200,'cache_read_input_tokens':3000,"
                        + "'output_tokens':25,'service_tier':'standard'}"));
        assertEquals(obj("{'prompt_tokens':3210,'completion_tokens':25,'total_tokens':3235,"
                + "'prompt_tokens_details':{'cached_tokens':3000},'cache_creation_input_tokens':200,"
                + "'cache_read_input_tokens':3000}"), completion.getJsonObject("usage"));
    }

    @ParameterizedTest
    @CsvSource({
        "end_turn, stop",
        "stop_sequence, stop",
        "max_tokens, length",
        "tool_use, tool_calls",
        "refusal, content_filter",
        "pause_turn, stop",
        "model_context_window_exceeded, length",
        "some_future_reason, stop"
    })
    void everyStopReasonHasAFinishReason(String stopReason, String finishReason) {
        JsonObject completion = answer(message("Partial", stopReason));
        assertEquals(finishReason, completion.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
    }

    private static JsonObject reply(JsonObject completion) {
        return completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
    }
}
