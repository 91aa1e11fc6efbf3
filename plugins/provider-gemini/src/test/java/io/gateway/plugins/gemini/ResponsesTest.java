package io.gateway.plugins.gemini;

import static io.gateway.plugins.gemini.Answers.callPart;
import static io.gateway.plugins.gemini.Answers.candidate;
import static io.gateway.plugins.gemini.Answers.object;
import static io.gateway.plugins.gemini.Answers.response;
import static io.gateway.plugins.gemini.Answers.textPart;
import static io.gateway.plugins.gemini.Answers.usage;
import static io.gateway.plugins.gemini.Fixtures.complete;
import static io.gateway.plugins.gemini.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponsesTest {

    private final Gemini gemini = new Gemini();

    @AfterEach
    void closeTheFake() {
        gemini.close();
    }
    private final Provider provider = provider(gemini);

    private JsonObject sent() {
        return gemini.last().body();
    }

    @Test
    void aStringInputAndInstructionsAnswerAResponseObject() {
        JsonObject body = complete(provider, Operation.RESPONSES, """
                {"model":"gemini-2.5-flash","instructions":"Be brief.","input":"Tell me a joke",
                 "max_output_tokens":100,"temperature":0.3,"top_p":0.8}""");

        assertTrue(gemini.last().path().endsWith("/models/gemini-2.5-flash:generateContent"));
        assertEquals("Be brief.", sent().getJsonObject("systemInstruction").getJsonArray("parts").getJsonObject(0)
                .getString("text"));
        JsonArray contents = sent().getJsonArray("contents");
        assertEquals(1, contents.size());
        assertEquals("Tell me a joke", contents.getJsonObject(0).getJsonArray("parts").getJsonObject(0)
                .getString("text"));
        JsonObject config = sent().getJsonObject("generationConfig");
        assertEquals(100, config.getInt("maxOutputTokens"));
        assertEquals(0.3, config.getJsonNumber("temperature").doubleValue());
        assertEquals(0.8, config.getJsonNumber("topP").doubleValue());

        assertEquals("resp_" + Answers.RESPONSE_ID, body.getString("id"));
        assertEquals("response", body.getString("object"));
        assertEquals(Fixtures.NOW.getEpochSecond(), body.getJsonNumber("created_at").longValue());
        assertEquals("completed", body.getString("status"));
        assertEquals("gemini-2.5-flash", body.getString("model"));
        assertEquals(JsonValue.NULL, body.get("error"));
        assertEquals(JsonValue.NULL, body.get("incomplete_details"));
        assertEquals("Be brief.", body.getString("instructions"));
        assertEquals(100, body.getInt("max_output_tokens"));
        for (String required : List.of("parallel_tool_calls", "tool_choice", "tools", "temperature", "top_p",
                "metadata", "text", "reasoning", "truncation", "store")) {
            assertTrue(body.containsKey(required), required);
        }
        JsonArray output = body.getJsonArray("output");
        assertEquals(1, output.size());
        JsonObject message = output.getJsonObject(0);
        assertEquals("message", message.getString("type"));
        assertEquals("msg_" + Answers.RESPONSE_ID, message.getString("id"));
        assertEquals("completed", message.getString("status"));
        assertEquals("assistant", message.getString("role"));
        JsonObject text = message.getJsonArray("content").getJsonObject(0);
        assertEquals("output_text", text.getString("type"));
        assertEquals("Hello!", text.getString("text"));
        assertTrue(text.getJsonArray("annotations").isEmpty());
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(10, usage.getInt("input_tokens"));
        assertEquals(5, usage.getInt("output_tokens"));
        assertEquals(15, usage.getInt("total_tokens"));
        assertEquals(0, usage.getJsonObject("input_tokens_details").getInt("cached_tokens"));
        assertEquals(0, usage.getJsonObject("output_tokens_details").getInt("reasoning_tokens"));
    }

    @Test
    void inputItemsBecomeTurnsWithFunctionCallsAndOutputs() {
        complete(provider, Operation.RESPONSES, """
                {"model":"gemini-2.5-flash","input":[
                  {"role":"developer","content":"Use tools."},
                  {"role":"user","content":"Weather in Oslo?"},
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me check."}]},
                  {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"},
                  {"type":"function_call_output","call_id":"call_1","output":"{\\"temp\\":-3}"},
                  {"type":"reasoning","id":"rs_1","summary":[]},
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"And tomorrow?"},
                    {"type":"input_image","image_url":"data:image/webp;base64,UklGRg==","detail":"auto"},
                    {"type":"input_image","image_url":"https://example.com/map.gif"},
                    {"type":"input_file","filename":"f.pdf","file_data":"data:application/pdf;base64,JVBERi0="}]}],
                 "tools":[{"type":"function","name":"get_weather","description":"Weather","strict":true,
                   "parameters":{"type":"object","additionalProperties":false,
                     "properties":{"city":{"type":"string"}},"required":["city"]}}],
                 "tool_choice":{"type":"function","name":"get_weather"}}""");

        assertEquals("Use tools.", sent().getJsonObject("systemInstruction").getJsonArray("parts").getJsonObject(0)
                .getString("text"));
        JsonArray contents = sent().getJsonArray("contents");
        assertEquals(3, contents.size(), "the function output and the next user message share a turn");
        JsonObject model = contents.getJsonObject(1);
        assertEquals("model", model.getString("role"));
        assertEquals("Let me check.", model.getJsonArray("parts").getJsonObject(0).getString("text"));
        assertEquals("get_weather", model.getJsonArray("parts").getJsonObject(1).getJsonObject("functionCall")
                .getString("name"), "the call joins the assistant's turn");
        JsonObject result = contents.getJsonObject(2).getJsonArray("parts").getJsonObject(0)
                .getJsonObject("functionResponse");
        assertEquals("get_weather", result.getString("name"));
        assertEquals(-3, result.getJsonObject("response").getJsonObject("content").getInt("temp"));
        JsonArray last = contents.getJsonObject(2).getJsonArray("parts");
        assertEquals(5, last.size());
        assertEquals("And tomorrow?", last.getJsonObject(1).getString("text"));
        assertEquals("image/webp", last.getJsonObject(2).getJsonObject("inlineData").getString("mimeType"));
        assertEquals("image/gif", last.getJsonObject(3).getJsonObject("fileData").getString("mimeType"));
        assertEquals("application/pdf", last.getJsonObject(4).getJsonObject("inlineData").getString("mimeType"));

        JsonObject declaration = sent().getJsonArray("tools").getJsonObject(0).getJsonArray("functionDeclarations")
                .getJsonObject(0);
        assertEquals("get_weather", declaration.getString("name"));
        assertFalse(declaration.getJsonObject("parameters").containsKey("additionalProperties"));
        JsonObject calling = sent().getJsonObject("toolConfig").getJsonObject("functionCallingConfig");
        assertEquals("ANY", calling.getString("mode"));
        assertEquals("get_weather", calling.getJsonArray("allowedFunctionNames").getString(0));
    }

    @Test
    void functionCallsBecomeFunctionCallItems() {
        gemini.answer(response(usage(20, 8), candidate(0, "STOP", textPart("Checking both."),
                callPart("get_weather", "{\"city\":\"Oslo\"}").add("thoughtSignature", "c2ln"),
                callPart("get_weather", "{\"city\":\"Rome\"}"))).toString());

        JsonObject body = complete(provider, Operation.RESPONSES, """
                {"model":"gemini-2.5-flash","input":"Weather in Oslo and Rome?",
                 "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object",
                   "properties":{"city":{"type":"string"}}}}]}""");

        JsonArray output = body.getJsonArray("output");
        assertEquals(3, output.size());
        assertEquals("message", output.getJsonObject(0).getString("type"));
        JsonObject oslo = output.getJsonObject(1);
        assertEquals("function_call", oslo.getString("type"));
        assertEquals("fc_" + Answers.RESPONSE_ID + "_0", oslo.getString("id"));
        assertEquals("call_" + Answers.RESPONSE_ID + "_0", oslo.getString("call_id"));
        assertEquals("get_weather", oslo.getString("name"));
        assertEquals(JsonBodies.parse("{\"city\":\"Oslo\"}"), JsonBodies.parse(oslo.getString("arguments")));
        assertEquals("completed", oslo.getString("status"));
        assertEquals("c2ln", oslo.getJsonObject("extra_content").getJsonObject("google")
                .getString("thought_signature"));
        assertEquals("call_" + Answers.RESPONSE_ID + "_1", output.getJsonObject(2).getString("call_id"));
        assertEquals("completed", body.getString("status"));
    }

    @Test
    void jsonSchemaTextFormatsBecomeResponseSchema() {
        complete(provider, Operation.RESPONSES, """
                {"model":"gemini-2.5-flash","input":"x","text":{"format":{"type":"json_schema","name":"r",
                  "strict":true,"schema":{"type":"object","properties":{"n":{"type":"number"}},"required":["n"],
                  "additionalProperties":false}}}}""");
        JsonObject config = sent().getJsonObject("generationConfig");
        assertEquals("application/json", config.getString("responseMimeType"));
        assertEquals("NUMBER", config.getJsonObject("responseSchema").getJsonObject("properties")
                .getJsonObject("n").getString("type"));
    }

    @Test
    void truncatedAndFilteredAnswersAreIncomplete() {
        gemini.answer(response(usage(3, 2), candidate(0, "MAX_TOKENS", textPart("Once upon"))).toString());
        JsonObject truncated = complete(provider, Operation.RESPONSES,
                "{\"model\":\"m\",\"input\":\"story\",\"max_output_tokens\":2}");
        assertEquals("incomplete", truncated.getString("status"));
        assertEquals("max_output_tokens", truncated.getJsonObject("incomplete_details").getString("reason"));
        assertEquals("incomplete", truncated.getJsonArray("output").getJsonObject(0).getString("status"));

        gemini.answer(response(usage(3, 0), candidate(0, "SAFETY")).toString());
        JsonObject filtered = complete(provider, Operation.RESPONSES, "{\"model\":\"m\",\"input\":\"x\"}");
        assertEquals("incomplete", filtered.getString("status"));
        assertEquals("content_filter", filtered.getJsonObject("incomplete_details").getString("reason"));
        assertTrue(filtered.getJsonArray("output").isEmpty());

        gemini.answer("{\"promptFeedback\":{\"blockReason\":\"BLOCKLIST\"},\"usageMetadata\":{\"promptTokenCount\":3}}");
        JsonObject blocked = complete(provider, Operation.RESPONSES, "{\"model\":\"m\",\"input\":\"x\"}");
        assertEquals("content_filter", blocked.getJsonObject("incomplete_details").getString("reason"));
        assertEquals(3, blocked.getJsonObject("usage").getInt("input_tokens"));
    }

    @Test
    void usageReportsCachedAndReasoningTokens() {
        gemini.answer(response(object().add("promptTokenCount", 50).add("candidatesTokenCount", 10)
                .add("thoughtsTokenCount", 15).add("cachedContentTokenCount", 32).add("totalTokenCount", 75),
                candidate(0, "STOP", textPart("ok"))).toString());
        JsonObject usage = complete(provider, Operation.RESPONSES, "{\"model\":\"m\",\"input\":\"x\"}")
                .getJsonObject("usage");
        assertEquals(50, usage.getInt("input_tokens"));
        assertEquals(25, usage.getInt("output_tokens"));
        assertEquals(75, usage.getInt("total_tokens"));
        assertEquals(32, usage.getJsonObject("input_tokens_details").getInt("cached_tokens"));
        assertEquals(15, usage.getJsonObject("output_tokens_details").getInt("reasoning_tokens"));
    }

    @Test
    void statefulAndUnsupportedRequestsAnswer400() {
        String[] bodies = {
            "{\"model\":\"m\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}",
            "{\"model\":\"m\",\"input\":\"x\",\"conversation\":\"conv_1\"}",
            "{\"model\":\"m\",\"input\":42}",
            "{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"x\"}]}",
            "{\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"nope\",\"output\":\"x\"}]}",
            "{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"web_search_preview\"}]}",
            "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"file_id\":\"f\"}]}]}",
        };
        for (String body : bodies) {
            GatewayException e = assertThrows(GatewayException.class,
                    () -> provider.call(Fixtures.call(Operation.RESPONSES, body)), body);
            assertEquals(400, e.status(), body);
        }
        assertTrue(gemini.requests().isEmpty());
    }
}
