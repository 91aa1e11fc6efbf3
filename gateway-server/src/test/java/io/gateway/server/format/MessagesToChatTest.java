package io.gateway.server.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

class MessagesToChatTest {

    private static JsonObject json(String singleQuoted) {
        return JsonBodies.parse(singleQuoted.replace('\'', '"'));
    }

    private static JsonObject chat(String messagesRequest, boolean cacheControl) {
        return MessagesToChat.request(json(messagesRequest), "provider openai (type openai)", cacheControl);
    }

    @Test
    void aClaudeCodeShapedRequestBecomesAChatRequest() {
        JsonObject chat = chat("{'model':'openai/gpt-4.1','max_tokens':32000,'stream':true,"
                + "'system':[{'type':'text','text':'You are Claude Code.','cache_control':{'type':'ephemeral'}},"
                + "{'type':'text','text':'Be brief.'}],"
                + "'messages':[{'role':'user','content':[{'type':'text','text':'List files'}]},"
                + "{'role':'assistant','content':[{'type':'thinking','thinking':'I should call ls','signature':'x'},"
                + "{'type':'text','text':'Listing.'},{'type':'tool_use','id':'toolu_1','name':'Bash','input':"
                + "{'command':'ls'}}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':"
                + "[{'type':'text','text':'a.txt'},{'type':'text','text':'b.txt'}]},{'type':'text','text':'Thanks',"
                + "'cache_control':{'type':'ephemeral'}}]}],"
                + "'tools':[{'name':'Bash','description':'Run a command','input_schema':{'type':'object',"
                + "'properties':{'command':{'type':'string'}}},'cache_control':{'type':'ephemeral'}}],"
                + "'tool_choice':{'type':'auto','disable_parallel_tool_use':true},"
                + "'metadata':{'user_id':'user_abc'},'temperature':0.5,'top_k':5,'stop_sequences':['END'],"
                + "'thinking':{'type':'enabled','budget_tokens':10000}}", true);

        assertEquals(JsonBodies.parse("""
                {"model":"openai/gpt-4.1","messages":[
                 {"role":"system","content":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}},
                                             {"type":"text","text":"Be brief."}]},
                 {"role":"user","content":[{"type":"text","text":"List files"}]},
                 {"role":"assistant","content":"Listing.","tool_calls":[{"id":"toolu_1","type":"function",
                   "function":{"name":"Bash","arguments":"{\\"command\\":\\"ls\\"}"}}]},
                 {"role":"tool","tool_call_id":"toolu_1","content":"a.txt\\nb.txt"},
                 {"role":"user","content":[{"type":"text","text":"Thanks","cache_control":{"type":"ephemeral"}}]}],
                 "max_completion_tokens":32000,"temperature":0.5,"stop":["END"],"user":"user_abc",
                 "tools":[{"type":"function","function":{"name":"Bash","description":"Run a command",
                   "parameters":{"type":"object","properties":{"command":{"type":"string"}}}},
                   "cache_control":{"type":"ephemeral"}}],
                 "tool_choice":"auto","parallel_tool_calls":false,"reasoning_effort":"medium",
                 "stream":true,"stream_options":{"include_usage":true}}
                """), chat);
    }

    @Test
    void cacheMarkersAreRemovedForProvidersThatDoNotTakeThem() {
        JsonObject chat = chat("{'model':'m','system':[{'type':'text','text':'S','cache_control':{'type':'ephemeral'}}],"
                + "'messages':[{'role':'user','content':[{'type':'text','text':'Hi','cache_control':"
                + "{'type':'ephemeral'}}]}],'tools':[{'name':'t','input_schema':{'type':'object'},"
                + "'cache_control':{'type':'ephemeral'}}]}", false);

        assertFalse(chat.toString().contains("cache_control"), chat.toString());
        assertEquals("S", chat.getJsonArray("messages").getJsonObject(0).getString("content"));
    }

    @Test
    void imagesDocumentsAndToolErrorsAreCarried() {
        JsonObject chat = chat("{'model':'m','messages':[{'role':'user','content':["
                + "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBOR'}},"
                + "{'type':'image','source':{'type':'url','url':'https://x/y.jpg'}},"
                + "{'type':'document','source':{'type':'base64','media_type':'application/pdf','data':'JVBE'},"
                + "'title':'spec.pdf'}]},"
                + "{'role':'assistant','content':[{'type':'tool_use','id':'t1','name':'shot','input':{}}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','is_error':true,'content':"
                + "[{'type':'text','text':'no display'},{'type':'image','source':{'type':'url','url':'https://x/e.png'}}]}]}]}",
                false);

        assertEquals(json("{'model':'m','messages':[{'role':'user','content':["
                + "{'type':'image_url','image_url':{'url':'data:image/png;base64,iVBOR'}},"
                + "{'type':'image_url','image_url':{'url':'https://x/y.jpg'}},"
                + "{'type':'file','file':{'filename':'spec.pdf','file_data':'data:application/pdf;base64,JVBE'}}]},"
                + "{'role':'assistant','content':null,'tool_calls':[{'id':'t1','type':'function','function':"
                + "{'name':'shot','arguments':'{}'}}]},"
                + "{'role':'tool','tool_call_id':'t1','content':'(tool error) no display'},"
                + "{'role':'user','content':[{'type':'image_url','image_url':{'url':'https://x/e.png'}}]}]}"), chat);
    }

    @Test
    void toolChoicesMapToTheirChatForms() {
        assertEquals("required", chat("{'model':'m','messages':[{'role':'user','content':'x'}],'tools':[{'name':'t',"
                + "'input_schema':{}}],'tool_choice':{'type':'any'}}", false).getString("tool_choice"));
        assertEquals("none", chat("{'model':'m','messages':[{'role':'user','content':'x'}],"
                + "'tool_choice':{'type':'none'}}", false).getString("tool_choice"));
        assertEquals(json("{'type':'function','function':{'name':'t'}}"), chat("{'model':'m','messages':[{'role':"
                + "'user','content':'x'}],'tool_choice':{'type':'tool','name':'t'}}", false).get("tool_choice"));
        assertEquals("low", chat("{'model':'m','messages':[{'role':'user','content':'x'}],'thinking':{'type':"
                + "'enabled','budget_tokens':1024}}", false).getString("reasoning_effort"));
        assertFalse(chat("{'model':'m','messages':[{'role':'user','content':'x'}],'thinking':{'type':'disabled'}}",
                false).containsKey("reasoning_effort"));
    }

    @Test
    void whatOnlyAnthropicServesIsRefusedNamingIt() {
        GatewayException serverTool = assertThrows(GatewayException.class, () -> chat("{'model':'m','messages':"
                + "[{'role':'user','content':'x'}],'tools':[{'type':'web_search_20250305','name':'web_search'}]}", false));
        assertEquals(400, serverTool.status());
        assertTrue(serverTool.getMessage().contains("web_search") && serverTool.getMessage().contains("openai"),
                serverTool.getMessage());
        GatewayException mcp = assertThrows(GatewayException.class, () -> chat("{'model':'m','messages':[{'role':"
                + "'user','content':'x'}],'mcp_servers':[{'type':'url','url':'https://mcp'}]}", false));
        assertEquals("mcp_servers", mcp.param());
        GatewayException byUrl = assertThrows(GatewayException.class, () -> chat("{'model':'m','messages':[{'role':"
                + "'user','content':[{'type':'document','source':{'type':'url','url':'https://x/a.pdf'}}]}]}", false));
        assertTrue(byUrl.getMessage().contains("document by url"), byUrl.getMessage());
        GatewayException unknown = assertThrows(GatewayException.class, () -> chat("{'model':'m','messages':[{'role':"
                + "'user','content':[{'type':'hologram'}]}]}", false));
        assertTrue(unknown.getMessage().contains("hologram"), unknown.getMessage());
    }
}
