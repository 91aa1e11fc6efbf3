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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** chat/completions requests as Anthropic receives them; every request passes the fake's validation. */
class ChatRequestTest {

    private final Anthropic fake = new Anthropic();

    @AfterEach
    void closeTheFake() {
        fake.close();
    }
    private final Provider provider = provider(fake);

    private JsonObject sent(String singleQuotedBody) {
        complete(provider, Operation.CHAT_COMPLETION, singleQuotedBody);
        return fake.lastBody();
    }

    @Test
    void simpleRequest() {
        JsonObject body = sent("{'model':'claude-sonnet-4-5','messages':[{'role':'user','content':'Hello'}]}");
        assertEquals(obj("{'model':'" + Fixtures.MODEL + "','max_tokens':4096,"
                + "'messages':[{'role':'user','content':[{'type':'text','text':'Hello'}]}]}"), body);
    }

    @Test
    void systemAndDeveloperMessagesBecomeTheTopLevelSystem() {
        JsonObject single = sent("{'messages':[{'role':'system','content':'Be brief.'},"
                + "{'role':'user','content':'Hi'}]}");
        assertEquals("Be brief.", single.getString("system"));
        assertEquals(1, single.getJsonArray("messages").size());

        JsonObject several = sent("{'messages':[{'role':'system','content':'Be brief.'},"
                + "{'role':'user','content':'Hi'},{'role':'assistant','content':'Hello.'},"
                + "{'role':'developer','content':[{'type':'text','text':'Answer in French.',"
                + "'cache_control':{'type':'ephemeral'}}]},{'role':'user','content':'How are you'}]}");
        assertEquals(obj("{'a':[{'type':'text','text':'Be brief.'},{'type':'text','text':'Answer in French.',"
                + "'cache_control':{'type':'ephemeral'}}]}").getJsonArray("a"), several.getJsonArray("system"));
        assertEquals(obj("{'a':[{'role':'user','content':[{'type':'text','text':'Hi'}]},"
                + "{'role':'assistant','content':[{'type':'text','text':'Hello.'}]},"
                + "{'role':'user','content':[{'type':'text','text':'How are you'}]}]}").getJsonArray("a"),
                several.getJsonArray("messages"));
    }

    @Test
    void multiTurnMergesConsecutiveTurnsOfOneRole() {
        JsonObject body = sent("{'messages':[{'role':'user','content':'First.'},{'role':'user','content':'Second.'},"
                + "{'role':'assistant','content':'A.'},{'role':'assistant','content':[{'type':'text','text':'B.'}]},"
                + "{'role':'user','content':[{'type':'text','text':'Third.'}]}]}");
        assertEquals(obj("{'a':[{'role':'user','content':[{'type':'text','text':'First.'},"
                + "{'type':'text','text':'Second.'}]},"
                + "{'role':'assistant','content':[{'type':'text','text':'A.'},{'type':'text','text':'B.'}]},"
                + "{'role':'user','content':[{'type':'text','text':'Third.'}]}]}").getJsonArray("a"),
                body.getJsonArray("messages"));
    }

    @Test
    void emptyTurnsAreDropped() {
        JsonObject body = sent("{'messages':[{'role':'user','content':'Hi'},{'role':'assistant','content':''},"
                + "{'role':'user','content':'Still there'}]}");
        assertEquals(1, body.getJsonArray("messages").size());
        assertEquals(2, body.getJsonArray("messages").getJsonObject(0).getJsonArray("content").size());
    }

    @Test
    void imagesFromDataAndHttpsUrls() {
        JsonObject body = sent("{'messages':[{'role':'user','content':[{'type':'text','text':'Compare these.'},"
                + "{'type':'image_url','image_url':{'url':'data:image/png;base64,iVBORw0KGgo=','detail':'high'}},"
                + "{'type':'image_url','image_url':{'url':'https://example.com/cat.jpg'}}]}]}");
        assertEquals(obj("{'a':[{'type':'text','text':'Compare these.'},"
                + "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBORw0KGgo='}},"
                + "{'type':'image','source':{'type':'url','url':'https://example.com/cat.jpg'}}]}").getJsonArray("a"),
                body.getJsonArray("messages").getJsonObject(0).getJsonArray("content"));
    }

    @Test
    void pdfAndTextFiles() {
        JsonObject body = sent("{'messages':[{'role':'user','content':[{'type':'file','file':{"
                + "'file_data':'data:application/pdf;base64,JVBERi0xLjQ=','filename':'report.pdf'}},"
                + "{'type':'file','file':{'file_data':'data:text/plain;base64,aGVsbG8gd29ybGQ='}},"
                + "{'type':'text','text':'Summarize.'}]}]}");
        assertEquals(obj("{'a':[{'type':'document','source':{'type':'base64','media_type':'application/pdf',"
                + "'data':'JVBERi0xLjQ='},'title':'report.pdf'},{'type':'document','source':{'type':'text',"
                + "'media_type':'text/plain','data':'hello world'}},{'type':'text','text':'Summarize.'}]}")
                .getJsonArray("a"), body.getJsonArray("messages").getJsonObject(0).getJsonArray("content"));
    }

    @Test
    void badImagesAndAudioAreRefusedWithoutAnUpstreamCall() {
        assertEquals(400, failure(provider, Operation.CHAT_COMPLETION, "{'messages':[{'role':'user','content':["
                + "{'type':'image_url','image_url':{'url':'ftp://example.com/a.png'}}]}]}").status());
        assertEquals(400, failure(provider, Operation.CHAT_COMPLETION, "{'messages':[{'role':'user','content':["
                + "{'type':'image_url','image_url':{'url':'data:image/png,rawbytes'}}]}]}").status());
        GatewayException audio = failure(provider, Operation.CHAT_COMPLETION, "{'messages':[{'role':'user',"
                + "'content':[{'type':'input_audio','input_audio':{'data':'AAAA','format':'wav'}}]}]}");
        assertEquals("messages", audio.param());
        assertTrue(fake.requests().isEmpty());
    }

    @Test
    void toolsAndToolResultsRoundTrip() {
        JsonObject body = sent("{'messages':[{'role':'user','content':'Weather in Paris and Rome?'},"
                + "{'role':'assistant','content':null,'tool_calls':["
                + "{'id':'toolu_1','type':'function','function':{'name':'get_weather',"
                + "'arguments':'{\\'city\\':\\'Paris\\'}'}},"
                + "{'id':'toolu_2','type':'function','function':{'name':'get_weather',"
                + "'arguments':'{\\'city\\':\\'Rome\\'}'}}]},"
                + "{'role':'tool','tool_call_id':'toolu_1','content':'18C sunny'},"
                + "{'role':'tool','tool_call_id':'toolu_2','content':[{'type':'text','text':'21C cloudy'}]},"
                + "{'role':'user','content':'Which is warmer?'}],"
                + "'tools':[{'type':'function','function':{'name':'get_weather','description':'Current weather',"
                + "'parameters':{'type':'object','properties':{'city':{'type':'string'}},'required':['city']},"
                + "'strict':true}}]}");
        assertEquals(obj("{'a':[{'name':'get_weather','description':'Current weather','input_schema':{'type':'object',"
                + "'properties':{'city':{'type':'string'}},'required':['city']}}]}").getJsonArray("a"),
                body.getJsonArray("tools"));
        assertFalse(body.containsKey("tool_choice"));
        assertEquals(obj("{'a':[{'role':'user','content':[{'type':'text','text':'Weather in Paris and Rome?'}]},"
                + "{'role':'assistant','content':[{'type':'tool_use','id':'toolu_1','name':'get_weather',"
                + "'input':{'city':'Paris'}},{'type':'tool_use','id':'toolu_2','name':'get_weather',"
                + "'input':{'city':'Rome'}}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':'18C sunny'},"
                + "{'type':'tool_result','tool_use_id':'toolu_2','content':[{'type':'text','text':'21C cloudy'}]},"
                + "{'type':'text','text':'Which is warmer?'}]}]}").getJsonArray("a"), body.getJsonArray("messages"));
    }

    @Test
    void assistantTextWithToolCallsKeepsBoth() {
        JsonObject body = sent("{'messages':[{'role':'user','content':'Time?'},"
                + "{'role':'assistant','content':'Checking.','tool_calls':[{'id':'toolu_9','type':'function',"
                + "'function':{'name':'now','arguments':''}}]},"
                + "{'role':'tool','tool_call_id':'toolu_9','content':'12:00'}],"
                + "'tools':[{'type':'function','function':{'name':'now'}}]}");
        assertEquals(obj("{'a':[{'type':'text','text':'Checking.'},{'type':'tool_use','id':'toolu_9','name':'now',"
                + "'input':{}}]}").getJsonArray("a"),
                body.getJsonArray("messages").getJsonObject(1).getJsonArray("content"));
        assertEquals(obj("{'type':'object','properties':{}}"),
                body.getJsonArray("tools").getJsonObject(0).getJsonObject("input_schema"));
    }

    @Test
    void badToolArgumentsAreRefused() {
        GatewayException e = failure(provider, Operation.CHAT_COMPLETION, "{'messages':[{'role':'user','content':'x'},"
                + "{'role':'assistant','tool_calls':[{'id':'toolu_1','type':'function','function':{'name':'f',"
                + "'arguments':'not json'}}]}]}");
        assertEquals(400, e.status());
        assertTrue(fake.requests().isEmpty());
    }

    @Test
    void toolChoiceVariants() {
        String tools = ",'tools':[{'type':'function','function':{'name':'lookup','parameters':{'type':'object'}}}]";
        String messages = "{'messages':[{'role':'user','content':'Go'}]";
        assertEquals(obj("{'type':'auto'}"), sent(messages + tools + ",'tool_choice':'auto'}")
                .getJsonObject("tool_choice"));
        assertEquals(obj("{'type':'none'}"), sent(messages + tools + ",'tool_choice':'none'}")
                .getJsonObject("tool_choice"));
        assertEquals(obj("{'type':'any'}"), sent(messages + tools + ",'tool_choice':'required'}")
                .getJsonObject("tool_choice"));
        assertEquals(obj("{'type':'tool','name':'lookup'}"), sent(messages + tools
                + ",'tool_choice':{'type':'function','function':{'name':'lookup'}}}").getJsonObject("tool_choice"));
        assertEquals(obj("{'type':'any','disable_parallel_tool_use':true}"), sent(messages + tools
                + ",'tool_choice':'required','parallel_tool_calls':false}").getJsonObject("tool_choice"));
        assertEquals(obj("{'type':'auto','disable_parallel_tool_use':true}"), sent(messages + tools
                + ",'parallel_tool_calls':false}").getJsonObject("tool_choice"));
        assertFalse(sent(messages + tools + ",'parallel_tool_calls':true}").containsKey("tool_choice"));
        assertFalse(sent(messages + ",'tool_choice':'auto'}").containsKey("tool_choice"));
        assertEquals(400, failure(provider, Operation.CHAT_COMPLETION, messages + tools
                + ",'tool_choice':'sometimes'}").status());
    }

    @Test
    void nonFunctionToolsAreRefused() {
        GatewayException e = failure(provider, Operation.CHAT_COMPLETION, "{'messages':[{'role':'user',"
                + "'content':'x'}],'tools':[{'type':'custom','custom':{'name':'grammar'}}]}");
        assertEquals("tools", e.param());
    }

    @Test
    void stopSequencesFromStringOrArray() {
        JsonObject one = sent("{'messages':[{'role':'user','content':'Count'}],'stop':'5'}");
        assertEquals(obj("{'a':['5']}").getJsonArray("a"), one.getJsonArray("stop_sequences"));
        JsonObject many = sent("{'messages':[{'role':'user','content':'Count'}],'stop':['5','END']}");
        assertEquals(obj("{'a':['5','END']}").getJsonArray("a"), many.getJsonArray("stop_sequences"));
        assertFalse(sent("{'messages':[{'role':'user','content':'Count'}],'stop':null}")
                .containsKey("stop_sequences"));
    }

    @Test
    void limitsSamplingAndUser() {
        JsonObject body = sent("{'messages':[{'role':'user','content':'Hi'}],'max_tokens':50,'temperature':0.2,"
                + "'top_p':0.9,'user':'user-42','stream':false}");
        assertEquals(50, body.getInt("max_tokens"));
        assertEquals(0.2, body.getJsonNumber("temperature").doubleValue());
        assertEquals(0.9, body.getJsonNumber("top_p").doubleValue());
        assertEquals(obj("{'user_id':'user-42'}"), body.getJsonObject("metadata"));
        assertFalse(body.containsKey("stream"));
        JsonObject newer = sent("{'messages':[{'role':'user','content':'Hi'}],'max_tokens':50,"
                + "'max_completion_tokens':70}");
        assertEquals(70, newer.getInt("max_tokens"));
        assertEquals(400, failure(provider, Operation.CHAT_COMPLETION,
                "{'messages':[{'role':'user','content':'Hi'}],'max_tokens':0}").status());
    }

    @Test
    void reasoningEffortBecomesThinking() {
        JsonObject low = sent("{'messages':[{'role':'user','content':'Think'}],'reasoning_effort':'low'}");
        assertEquals(obj("{'type':'enabled','budget_tokens':1024}"), low.getJsonObject("thinking"));
        assertEquals(4096 + 1024, low.getInt("max_tokens"));
        JsonObject medium = sent("{'messages':[{'role':'user','content':'Think'}],'reasoning_effort':'medium',"
                + "'max_completion_tokens':20000}");
        assertEquals(obj("{'type':'enabled','budget_tokens':4096}"), medium.getJsonObject("thinking"));
        assertEquals(20000, medium.getInt("max_tokens"));
        JsonObject high = sent("{'messages':[{'role':'user','content':'Think'}],'reasoning_effort':'high',"
                + "'max_completion_tokens':8000}");
        assertEquals(obj("{'type':'enabled','budget_tokens':7999}"), high.getJsonObject("thinking"));
        assertFalse(sent("{'messages':[{'role':'user','content':'Think'}],'reasoning_effort':'none'}")
                .containsKey("thinking"));
        assertEquals("max_completion_tokens", failure(provider, Operation.CHAT_COMPLETION,
                "{'messages':[{'role':'user','content':'Think'}],'reasoning_effort':'high',"
                        + "'max_completion_tokens':1000}").param());
        assertEquals("reasoning_effort", failure(provider, Operation.CHAT_COMPLETION,
                "{'messages':[{'role':'user','content':'Think'}],'reasoning_effort':'extreme'}").param());
    }

    @Test
    void nAboveOneIsRefusedWithoutAnUpstreamCall() {
        GatewayException e = failure(provider, Operation.CHAT_COMPLETION,
                "{'messages':[{'role':'user','content':'Hi'}],'n':2}");
        assertEquals(400, e.status());
        assertEquals("anthropic does not support n > 1", e.getMessage());
        assertEquals("n", e.param());
        assertEquals("invalid_request_error", e.errorCode().type());
        assertTrue(fake.requests().isEmpty());
        sent("{'messages':[{'role':'user','content':'Hi'}],'n':1}");
    }

    @Test
    void fieldsWithoutAnAnthropicEquivalentAreIgnored() {
        JsonObject body = sent("{'messages':[{'role':'user','content':'Hi'}],'logprobs':true,'top_logprobs':2,"
                + "'frequency_penalty':0.5,'presence_penalty':0.5,'seed':7,'logit_bias':{'50256':-100},"
                + "'response_format':{'type':'json_object'},'service_tier':'auto','store':true,"
                + "'metadata':{'team':'a'},'stream_options':{'include_usage':true},'prompt_cache_key':'k'}");
        assertEquals(obj("{'model':'" + Fixtures.MODEL + "','max_tokens':4096,"
                + "'messages':[{'role':'user','content':[{'type':'text','text':'Hi'}]}]}"), body);
    }

    @Test
    void legacyFunctionsAndUnknownRolesAreRefused() {
        assertEquals("functions", failure(provider, Operation.CHAT_COMPLETION, "{'messages':[{'role':'user',"
                + "'content':'Hi'}],'functions':[{'name':'f'}]}").param());
        assertEquals(400, failure(provider, Operation.CHAT_COMPLETION, "{'messages':[{'role':'function',"
                + "'name':'f','content':'x'}]}").status());
        assertEquals(400, failure(provider, Operation.CHAT_COMPLETION, "{'messages':[{'role':'robot',"
                + "'content':'x'}]}").status());
        assertTrue(fake.requests().isEmpty());
    }

    @Test
    void streamFlagIsSent() {
        fake.onMessages(body -> Answers.sse(io.gateway.spi.Headers.empty(),
                List.copyOf(Fixtures.textStream("end_turn", "Hi"))));
        Fixtures.all(Fixtures.stream(provider, Operation.CHAT_COMPLETION,
                "{'messages':[{'role':'user','content':'Hi'}],'stream':true}"));
        assertTrue(fake.lastBody().getBoolean("stream"));
        assertTrue(fake.lastRequest().stream());
        assertEquals("text/event-stream", fake.lastRequest().headers().first("accept").orElseThrow());
    }
}
