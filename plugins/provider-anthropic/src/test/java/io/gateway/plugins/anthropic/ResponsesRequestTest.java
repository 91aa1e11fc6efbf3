package io.gateway.plugins.anthropic;

import static io.gateway.plugins.anthropic.Fixtures.complete;
import static io.gateway.plugins.anthropic.Fixtures.failure;
import static io.gateway.plugins.anthropic.Fixtures.obj;
import static io.gateway.plugins.anthropic.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Responses requests as Anthropic receives them; every request passes the fake's validation. */
class ResponsesRequestTest {

    private final Anthropic fake = new Anthropic();

    @AfterEach
    void closeTheFake() {
        fake.close();
    }
    private final Provider provider = provider(fake);

    private JsonObject sent(String singleQuotedBody) {
        complete(provider, Operation.RESPONSES, singleQuotedBody);
        return fake.lastBody();
    }

    @Test
    void stringInputAndInstructions() {
        JsonObject body = sent("{'model':'x','input':'Tell me a joke.','instructions':'You are funny.',"
                + "'max_output_tokens':300,'temperature':0.7,'top_p':0.8,'user':'u1'}");
        assertEquals(obj("{'model':'" + Fixtures.MODEL + "','max_tokens':300,'system':'You are funny.',"
                + "'messages':[{'role':'user','content':[{'type':'text','text':'Tell me a joke.'}]}],"
                + "'temperature':0.7,'top_p':0.8,'metadata':{'user_id':'u1'}}"), body);
    }

    @Test
    void messageItemsWithPartsAndRolesWithoutType() {
        JsonObject body = sent("{'input':[{'role':'developer','content':'Be terse.'},"
                + "{'type':'message','role':'user','content':[{'type':'input_text','text':'What is this?'},"
                + "{'type':'input_image','image_url':'data:image/jpeg;base64,/9j/4AAQ','detail':'auto'},"
                + "{'type':'input_image','image_url':'https://example.com/b.png'}]},"
                + "{'type':'message','role':'assistant','content':[{'type':'output_text','text':'A cat.',"
                + "'annotations':[]}]},{'role':'user','content':'And this?'}]}");
        assertEquals("Be terse.", body.getString("system"));
        assertEquals(obj("{'a':[{'role':'user','content':[{'type':'text','text':'What is this?'},"
                + "{'type':'image','source':{'type':'base64','media_type':'image/jpeg','data':'/9j/4AAQ'}},"
                + "{'type':'image','source':{'type':'url','url':'https://example.com/b.png'}}]},"
                + "{'role':'assistant','content':[{'type':'text','text':'A cat.'}]},"
                + "{'role':'user','content':[{'type':'text','text':'And this?'}]}]}").getJsonArray("a"),
                body.getJsonArray("messages"));
        assertEquals(4096, body.getInt("max_tokens"));
    }

    @Test
    void functionCallsAndOutputs() {
        JsonObject body = sent("{'input':[{'role':'user','content':'Weather in Paris?'},"
                + "{'type':'function_call','id':'fc_1','call_id':'toolu_1','name':'get_weather',"
                + "'arguments':'{\\'city\\':\\'Paris\\'}','status':'completed'},"
                + "{'type':'function_call_output','call_id':'toolu_1','output':'18C'}],"
                + "'tools':[{'type':'function','name':'get_weather','description':'Weather now',"
                + "'parameters':{'type':'object','properties':{'city':{'type':'string'}}},'strict':false}],"
                + "'tool_choice':{'type':'function','name':'get_weather'},'parallel_tool_calls':false}");
        assertEquals(obj("{'a':[{'role':'user','content':[{'type':'text','text':'Weather in Paris?'}]},"
                + "{'role':'assistant','content':[{'type':'tool_use','id':'toolu_1','name':'get_weather',"
                + "'input':{'city':'Paris'}}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':'18C'}]}]}")
                .getJsonArray("a"), body.getJsonArray("messages"));
        assertEquals(obj("{'a':[{'name':'get_weather','description':'Weather now','input_schema':{'type':'object',"
                + "'properties':{'city':{'type':'string'}}}}]}").getJsonArray("a"), body.getJsonArray("tools"));
        assertEquals(obj("{'type':'tool','name':'get_weather','disable_parallel_tool_use':true}"),
                body.getJsonObject("tool_choice"));
    }

    @Test
    void toolChoiceStrings() {
        String tools = ",'tools':[{'type':'function','name':'f','parameters':{'type':'object'}}]";
        assertEquals(obj("{'type':'any'}"), sent("{'input':'Go'" + tools + ",'tool_choice':'required'}")
                .getJsonObject("tool_choice"));
        assertEquals(obj("{'type':'none'}"), sent("{'input':'Go'" + tools + ",'tool_choice':'none'}")
                .getJsonObject("tool_choice"));
        assertEquals(obj("{'type':'auto'}"), sent("{'input':'Go'" + tools + ",'tool_choice':'auto'}")
                .getJsonObject("tool_choice"));
    }

    @Test
    void reasoningItemsWithASignatureGoBackAsThinking() {
        JsonObject body = sent("{'input':[{'role':'user','content':'Weather?'},"
                + "{'type':'reasoning','id':'rs_1','summary':[{'type':'summary_text','text':'Need the tool.'}],"
                + "'encrypted_content':'c2lnbmF0dXJl'},"
                + "{'type':'function_call','call_id':'toolu_1','name':'weather','arguments':'{}'},"
                + "{'type':'function_call_output','call_id':'toolu_1','output':[{'type':'input_text','text':'Sunny'}]},"
                + "{'type':'reasoning','id':'rs_2','summary':[]}],"
                + "'reasoning':{'effort':'low'},'tools':[{'type':'function','name':'weather'}]}");
        assertEquals(obj("{'a':[{'type':'thinking','thinking':'Need the tool.','signature':'c2lnbmF0dXJl'},"
                + "{'type':'tool_use','id':'toolu_1','name':'weather','input':{}}]}").getJsonArray("a"),
                body.getJsonArray("messages").getJsonObject(1).getJsonArray("content"));
        assertEquals(obj("{'a':[{'type':'tool_result','tool_use_id':'toolu_1','content':[{'type':'text',"
                + "'text':'Sunny'}]}]}").getJsonArray("a"),
                body.getJsonArray("messages").getJsonObject(2).getJsonArray("content"));
        assertEquals(3, body.getJsonArray("messages").size());
        assertEquals(obj("{'type':'enabled','budget_tokens':1024}"), body.getJsonObject("thinking"));
    }

    @Test
    void reasoningEffortAndOutputLimit() {
        JsonObject body = sent("{'input':'Think hard.','reasoning':{'effort':'high','summary':'auto'},"
                + "'max_output_tokens':32000}");
        assertEquals(32000, body.getInt("max_tokens"));
        assertEquals(obj("{'type':'enabled','budget_tokens':16384}"), body.getJsonObject("thinking"));
        assertEquals("max_output_tokens", failure(provider, Operation.RESPONSES,
                "{'input':'x','reasoning':{'effort':'medium'},'max_output_tokens':500}").param());
    }

    @Test
    void pdfFilesByDataAndUrl() {
        JsonObject body = sent("{'input':[{'role':'user','content':[{'type':'input_file','filename':'a.pdf',"
                + "'file_data':'data:application/pdf;base64,JVBERi0='},{'type':'input_file',"
                + "'file_url':'https://example.com/b.pdf'},{'type':'input_text','text':'Compare.'}]}]}");
        assertEquals(obj("{'a':[{'type':'document','source':{'type':'base64','media_type':'application/pdf',"
                + "'data':'JVBERi0='},'title':'a.pdf'},{'type':'document','source':{'type':'url',"
                + "'url':'https://example.com/b.pdf'}},{'type':'text','text':'Compare.'}]}").getJsonArray("a"),
                body.getJsonArray("messages").getJsonObject(0).getJsonArray("content"));
    }

    @Test
    void statefulFieldsAreRefusedWithoutAnUpstreamCall() {
        GatewayException previous = failure(provider, Operation.RESPONSES,
                "{'input':'Go on','previous_response_id':'resp_123'}");
        assertEquals(400, previous.status());
        assertEquals("previous_response_id", previous.param());
        assertEquals("conversation", failure(provider, Operation.RESPONSES,
                "{'input':'Go on','conversation':'conv_1'}").param());
        assertEquals("input", failure(provider, Operation.RESPONSES,
                "{'input':[{'type':'item_reference','id':'msg_1'}]}").param());
        assertTrue(fake.requests().isEmpty());
    }

    @Test
    void hostedToolsAndUnknownItemsAreRefused() {
        assertEquals("tools", failure(provider, Operation.RESPONSES,
                "{'input':'Search','tools':[{'type':'web_search_preview'}]}").param());
        assertEquals("input", failure(provider, Operation.RESPONSES,
                "{'input':[{'type':'computer_call','id':'c1'}]}").param());
        assertEquals("tool_choice", failure(provider, Operation.RESPONSES,
                "{'input':'x','tools':[{'type':'function','name':'f'}],'tool_choice':{'type':'file_search'}}").param());
        assertTrue(fake.requests().isEmpty());
    }

    @Test
    void fieldsWithoutAnAnthropicEquivalentAreIgnored() {
        JsonObject body = sent("{'input':'Hi','store':true,'background':false,'truncation':'auto',"
                + "'text':{'format':{'type':'text'}},'metadata':{'a':'b'},'service_tier':'auto',"
                + "'include':['reasoning.encrypted_content'],'top_logprobs':3,'prompt_cache_key':'k'}");
        assertEquals(obj("{'model':'" + Fixtures.MODEL + "','max_tokens':4096,"
                + "'messages':[{'role':'user','content':[{'type':'text','text':'Hi'}]}]}"), body);
        assertFalse(body.containsKey("metadata"));
    }
}
