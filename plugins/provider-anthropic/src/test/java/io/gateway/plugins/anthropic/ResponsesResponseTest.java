package io.gateway.plugins.anthropic;

import static io.gateway.plugins.anthropic.Fixtures.complete;
import static io.gateway.plugins.anthropic.Fixtures.message;
import static io.gateway.plugins.anthropic.Fixtures.obj;
import static io.gateway.plugins.anthropic.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Messages answers as Response objects. */
class ResponsesResponseTest {

    private final Anthropic fake = new Anthropic();

    @AfterEach
    void closeTheFake() {
        fake.close();
    }
    private final Provider provider = provider(fake);

    private JsonObject answer(String anthropicMessage, String request) {
        fake.onMessages(body -> Answers.json(anthropicMessage));
        return complete(provider, Operation.RESPONSES, request);
    }

    @Test
    void textAnswer() {
        JsonObject response = answer(message("Why did the chicken cross the road", "end_turn"),
                "{'input':'Tell me a joke.','instructions':'Be funny.','temperature':0.5,'metadata':{'k':'v'}}");
        assertEquals("resp_01XYZ", response.getString("id"));
        assertEquals("response", response.getString("object"));
        assertEquals(Fixtures.NOW.getEpochSecond(), response.getJsonNumber("created_at").longValue());
        assertEquals("completed", response.getString("status"));
        assertEquals(JsonValue.NULL, response.get("incomplete_details"));
        assertEquals(JsonValue.NULL, response.get("error"));
        assertEquals(Fixtures.MODEL, response.getString("model"));
        assertEquals("Be funny.", response.getString("instructions"));
        assertEquals(0.5, response.getJsonNumber("temperature").doubleValue());
        assertEquals(obj("{'k':'v'}"), response.getJsonObject("metadata"));
        assertEquals(obj("{'a':[{'id':'msg_01XYZ','type':'message','status':'completed','role':'assistant',"
                + "'content':[{'type':'output_text','text':'Why did the chicken cross the road','annotations':[],"
                + "'logprobs':[]}]}]}").getJsonArray("a"), response.getJsonArray("output"));
        assertEquals(obj("{'input_tokens':12,'input_tokens_details':{'cached_tokens':0},'output_tokens':6,"
                + "'output_tokens_details':{'reasoning_tokens':0},'total_tokens':18,"
                + "'cache_creation_input_tokens':0,'cache_read_input_tokens':0}"), response.getJsonObject("usage"));
        assertFalse(response.containsKey("output_text"));
    }

    @Test
    void functionCallsAndReasoning() {
        JsonObject response = answer(message("[{'type':'thinking','thinking':'Use the tool.','signature':'SIG'},"
                + "{'type':'text','text':'Checking.'},"
                + "{'type':'tool_use','id':'toolu_01Q','name':'get_weather','input':{'city':'Oslo'}}]", "tool_use",
                "{'input_tokens':50,'cache_read_input_tokens':1000,'output_tokens':40}"),
                "{'input':'Weather in Oslo?','tools':[{'type':'function','name':'get_weather'}]}");
        JsonArray output = response.getJsonArray("output");
        assertEquals(3, output.size());
        assertEquals(obj("{'id':'rs_01XYZ_0','type':'reasoning','summary':[{'type':'summary_text',"
                + "'text':'Use the tool.'}]}"), output.getJsonObject(0));
        assertEquals("message", output.getJsonObject(1).getString("type"));
        assertEquals("Checking.", output.getJsonObject(1).getJsonArray("content").getJsonObject(0).getString("text"));
        assertEquals(obj("{'id':'fc_01Q','type':'function_call','status':'completed','call_id':'toolu_01Q',"
                + "'name':'get_weather','arguments':'{\\'city\\':\\'Oslo\\'}'}"), output.getJsonObject(2));
        assertEquals("completed", response.getString("status"));
        assertEquals(1050, response.getJsonObject("usage").getInt("input_tokens"));
        assertEquals(1000, response.getJsonObject("usage").getJsonObject("input_tokens_details")
                .getInt("cached_tokens"));
    }

    @Test
    void encryptedContentCarriesTheSignatureWhenAskedFor() {
        JsonObject response = answer(message("[{'type':'thinking','thinking':'Hmm.','signature':'SIG'},"
                + "{'type':'text','text':'Yes.'}]", "end_turn", "{'input_tokens':1,'output_tokens':1}"),
                "{'input':'Q','include':['reasoning.encrypted_content']}");
        assertEquals("SIG", response.getJsonArray("output").getJsonObject(0).getString("encrypted_content"));
    }

    @Test
    void maxTokensMakesTheResponseIncomplete() {
        JsonObject response = answer(message("Once upon a", "max_tokens"), "{'input':'Story','max_output_tokens':3}");
        assertEquals("incomplete", response.getString("status"));
        assertEquals(obj("{'reason':'max_output_tokens'}"), response.getJsonObject("incomplete_details"));
        assertEquals(3, response.getInt("max_output_tokens"));
        assertEquals("incomplete", response.getJsonArray("output").getJsonObject(0).getString("status"));
    }

    @Test
    void refusalIsIncompleteForContentFilter() {
        JsonObject response = answer(message("I cannot help", "refusal"), "{'input':'x'}");
        assertEquals("incomplete", response.getString("status"));
        assertEquals(obj("{'reason':'content_filter'}"), response.getJsonObject("incomplete_details"));
    }

    @Test
    void otherStopReasonsComplete() {
        for (String reason : new String[] {"end_turn", "stop_sequence", "tool_use", "pause_turn"}) {
            assertEquals("completed", answer(message("x", reason), "{'input':'x'}").getString("status"), reason);
        }
    }
}
