package io.gateway.server.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

class ChatToMessageTest {

    @Test
    void anAnswerWithReasoningTextAndToolCallsBecomesAMessage() {
        JsonObject message = ChatToMessage.message(JsonBodies.parse("""
                {"id":"chatcmpl-abc","object":"chat.completion","model":"gpt-4.1-2025-04-14","choices":[{"index":0,
                 "message":{"role":"assistant","reasoning_content":"Think.","content":"Let me look.",
                  "tool_calls":[{"id":"call_1","type":"function","function":{"name":"Bash","arguments":"{\\"command\\":\\"ls\\"}"}},
                                {"id":"call_2","type":"function","function":{"name":"Raw","arguments":"not json"}}]},
                 "finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":1200,"completion_tokens":50,"total_tokens":1250,
                  "prompt_tokens_details":{"cached_tokens":1000},"completion_tokens_details":{"reasoning_tokens":10}}}
                """), "gpt-4.1");

        assertEquals(JsonBodies.parse("""
                {"id":"msg_abc","type":"message","role":"assistant","model":"gpt-4.1-2025-04-14","content":[
                  {"type":"thinking","thinking":"Think.","signature":""},
                  {"type":"text","text":"Let me look."},
                  {"type":"tool_use","id":"call_1","name":"Bash","input":{"command":"ls"}},
                  {"type":"tool_use","id":"call_2","name":"Raw","input":{"arguments":"not json"}}],
                 "stop_reason":"tool_use","stop_sequence":null,
                 "usage":{"input_tokens":200,"cache_creation_input_tokens":0,"cache_read_input_tokens":1000,
                  "output_tokens":50}}
                """), message);
    }

    @Test
    void finishReasonsBecomeStopReasons() {
        assertEquals("end_turn", ChatToMessage.stopReason("stop", false));
        assertEquals("max_tokens", ChatToMessage.stopReason("length", false));
        assertEquals("tool_use", ChatToMessage.stopReason("tool_calls", true));
        assertEquals("refusal", ChatToMessage.stopReason("content_filter", false));
        assertEquals("end_turn", ChatToMessage.stopReason(null, false));
        assertEquals("msg_x1", ChatToMessage.messageId("chatcmpl-x1"));
        assertEquals("msg_other", ChatToMessage.messageId("other"));
    }

    @Test
    void anEmptyAnswerIsOneEmptyTextAndNoChoicesIsTheProvidersFault() {
        JsonObject message = ChatToMessage.message(JsonBodies.parse("""
                {"id":"c","choices":[{"message":{"role":"assistant","content":""},"finish_reason":"length"}]}
                """), "m");
        assertEquals(1, message.getJsonArray("content").size());
        assertEquals(JsonBodies.parse("{\"type\":\"text\",\"text\":\"\"}"), message.getJsonArray("content").get(0));
        assertEquals("m", message.getString("model"));
        assertEquals("max_tokens", message.getString("stop_reason"));
        GatewayException e = assertThrows(GatewayException.class,
                () -> ChatToMessage.message(JsonBodies.parse("{\"choices\":[]}"), "m"));
        assertEquals(502, e.status());
    }
}
