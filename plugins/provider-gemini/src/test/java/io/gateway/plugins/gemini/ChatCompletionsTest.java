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
import io.gateway.translation.gemini.GeminiTranslation;
import io.gateway.testkit.ScriptedUpstream;
import io.gateway.testkit.ScriptedUpstream.Canned;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatCompletionsTest {

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
    void systemAndDeveloperMessagesBecomeTheSystemInstruction() {
        JsonObject body = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[
                  {"role":"system","content":"Be terse."},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
                  {"role":"user","content":"Hi"}]}""");

        Gemini.Recorded request = gemini.last();
        assertEquals("POST", request.method());
        assertEquals("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
                request.uri().toString());
        assertEquals(Fixtures.KEY, request.headers().first("x-goog-api-key").orElseThrow());
        assertEquals("application/json", request.headers().first("content-type").orElseThrow());
        assertEquals(Fixtures.DEADLINE, request.deadline(), "the router's deadline reaches the upstream");
        assertFalse(request.stream());

        JsonArray system = sent().getJsonObject("systemInstruction").getJsonArray("parts");
        assertEquals("Be terse.", system.getJsonObject(0).getString("text"));
        assertEquals("Answer in French.", system.getJsonObject(1).getString("text"));
        JsonArray contents = sent().getJsonArray("contents");
        assertEquals(1, contents.size(), "the system instruction is not a turn");
        assertEquals("user", contents.getJsonObject(0).getString("role"));
        assertEquals("Hi", contents.getJsonObject(0).getJsonArray("parts").getJsonObject(0).getString("text"));
        assertFalse(sent().containsKey("generationConfig"), "nothing to configure");

        assertEquals("chatcmpl-" + Answers.RESPONSE_ID, body.getString("id"));
        assertEquals("chat.completion", body.getString("object"));
        assertEquals(Fixtures.NOW.getEpochSecond(), body.getJsonNumber("created").longValue());
        assertEquals("gemini-2.5-flash", body.getString("model"));
        JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
        assertEquals(0, choice.getInt("index"));
        assertEquals("assistant", choice.getJsonObject("message").getString("role"));
        assertEquals("Hello!", choice.getJsonObject("message").getString("content"));
        assertFalse(choice.getJsonObject("message").containsKey("tool_calls"));
        assertEquals("stop", choice.getString("finish_reason"));
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(10, usage.getInt("prompt_tokens"));
        assertEquals(5, usage.getInt("completion_tokens"));
        assertEquals(15, usage.getInt("total_tokens"));
    }

    @Test
    void multiTurnConversationsMapAssistantToModel() {
        complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[
                  {"role":"user","content":"What is 2+2?"},
                  {"role":"assistant","content":"4"},
                  {"role":"user","content":"And times 3?"}]}""");

        JsonArray contents = sent().getJsonArray("contents");
        assertEquals(3, contents.size());
        assertEquals("user", contents.getJsonObject(0).getString("role"));
        assertEquals("model", contents.getJsonObject(1).getString("role"));
        assertEquals("4", contents.getJsonObject(1).getJsonArray("parts").getJsonObject(0).getString("text"));
        assertEquals("user", contents.getJsonObject(2).getString("role"));
    }

    @Test
    void adjacentMessagesOfOneRoleShareATurn() {
        complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[
                  {"role":"user","content":"First question."},
                  {"role":"user","content":"Second question."},
                  {"role":"assistant","content":"Answer."},
                  {"role":"system","content":"Late system note."},
                  {"role":"user","content":"Third."}]}""");

        JsonArray contents = sent().getJsonArray("contents");
        assertEquals(3, contents.size());
        assertEquals(2, contents.getJsonObject(0).getJsonArray("parts").size());
        assertEquals("Late system note.", sent().getJsonObject("systemInstruction").getJsonArray("parts")
                .getJsonObject(0).getString("text"));
    }

    @Test
    void imagesGoInlineForDataUrlsAndAsFileDataForHttpsUrls() {
        complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[{"role":"user","content":[
                  {"type":"text","text":"Compare these"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.PNG?size=large"}},
                  {"type":"image_url","image_url":{"url":"https://example.com/render"}}]}]}""");

        JsonArray parts = sent().getJsonArray("contents").getJsonObject(0).getJsonArray("parts");
        assertEquals(4, parts.size());
        assertEquals("Compare these", parts.getJsonObject(0).getString("text"));
        JsonObject inline = parts.getJsonObject(1).getJsonObject("inlineData");
        assertEquals("image/png", inline.getString("mimeType"));
        assertEquals("iVBORw0KGgo=", inline.getString("data"));
        JsonObject file = parts.getJsonObject(2).getJsonObject("fileData");
        assertEquals("image/png", file.getString("mimeType"), "guessed from the extension");
        assertEquals("https://example.com/cat.PNG?size=large", file.getString("fileUri"));
        assertEquals("image/jpeg", parts.getJsonObject(3).getJsonObject("fileData").getString("mimeType"),
                "image/jpeg when the URL tells nothing");
    }

    @Test
    void audioAndInlineFilesBecomeInlineData() {
        complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[{"role":"user","content":[
                  {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},
                  {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]}]}""");

        JsonArray parts = sent().getJsonArray("contents").getJsonObject(0).getJsonArray("parts");
        assertEquals("audio/wav", parts.getJsonObject(0).getJsonObject("inlineData").getString("mimeType"));
        assertEquals("application/pdf", parts.getJsonObject(1).getJsonObject("inlineData").getString("mimeType"));
        assertEquals("JVBERi0=", parts.getJsonObject(1).getJsonObject("inlineData").getString("data"));
    }

    @Test
    void toolsBecomeFunctionDeclarationsAndCallsBecomeToolCalls() {
        gemini.answer(response(usage(30, 12), candidate(0, "STOP",
                callPart("get_weather", "{\"city\":\"Paris\",\"unit\":\"c\"}"),
                callPart("get_time", "{\"zone\":\"CET\"}"))).toString());

        JsonObject body = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","tool_choice":"required","parallel_tool_calls":true,
                 "messages":[{"role":"user","content":"Weather and time in Paris?"}],
                 "tools":[
                   {"type":"function","function":{"name":"get_weather","description":"Current weather","strict":true,
                    "parameters":{"type":"object","additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#",
                      "properties":{"city":{"type":"string","description":"City name"},
                                    "unit":{"type":["string","null"],"enum":["c","f",null]}},
                      "required":["city","unit"]}}},
                   {"type":"function","function":{"name":"get_time","parameters":{"type":"object",
                      "properties":{"zone":{"type":"string","format":"uuid"}}}}},
                   {"type":"function","function":{"name":"ping","parameters":{"type":"object","properties":{}}}}]}""");

        JsonArray declarations = sent().getJsonArray("tools").getJsonObject(0).getJsonArray("functionDeclarations");
        assertEquals(3, declarations.size());
        JsonObject weather = declarations.getJsonObject(0);
        assertEquals("get_weather", weather.getString("name"));
        assertEquals("Current weather", weather.getString("description"));
        JsonObject parameters = weather.getJsonObject("parameters");
        assertEquals("OBJECT", parameters.getString("type"));
        assertFalse(parameters.containsKey("additionalProperties"), "Gemini rejects additionalProperties");
        assertFalse(parameters.containsKey("$schema"));
        JsonObject unit = parameters.getJsonObject("properties").getJsonObject("unit");
        assertEquals("STRING", unit.getString("type"));
        assertTrue(unit.getBoolean("nullable"));
        assertEquals(2, unit.getJsonArray("enum").size());
        assertFalse(declarations.getJsonObject(1).getJsonObject("parameters").getJsonObject("properties")
                .getJsonObject("zone").containsKey("format"), "formats Gemini lacks are dropped");
        assertFalse(declarations.getJsonObject(2).containsKey("parameters"), "no arguments: no parameters");
        assertEquals("ANY", sent().getJsonObject("toolConfig").getJsonObject("functionCallingConfig")
                .getString("mode"));

        JsonObject message = body.getJsonArray("choices").getJsonObject(0).getJsonObject("message");
        assertEquals(JsonValue.NULL, message.get("content"));
        JsonArray calls = message.getJsonArray("tool_calls");
        assertEquals(2, calls.size());
        JsonObject first = calls.getJsonObject(0);
        assertEquals("call_" + Answers.RESPONSE_ID + "_0", first.getString("id"));
        assertEquals("function", first.getString("type"));
        assertEquals("get_weather", first.getJsonObject("function").getString("name"));
        assertEquals(JsonBodies.parse("{\"city\":\"Paris\",\"unit\":\"c\"}"),
                JsonBodies.parse(first.getJsonObject("function").getString("arguments")));
        assertEquals("call_" + Answers.RESPONSE_ID + "_1", calls.getJsonObject(1).getString("id"));
        assertEquals("tool_calls", body.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
    }

    @Test
    void toolResultsGoBackAsFunctionResponsesNamedAfterTheirCalls() {
        complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-3-pro-preview","messages":[
                  {"role":"user","content":"Weather and time in Paris?"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                     "extra_content":{"google":{"thought_signature":"c2lnbmF0dXJl"}}},
                    {"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_b","content":"14:00"},
                  {"role":"tool","tool_call_id":"call_a","content":"{\\"temp\\":21}"},
                  {"role":"user","content":"Thanks. And in Rome?"},
                  {"role":"assistant","tool_calls":[
                    {"id":"call_c","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_c","content":[{"type":"text","text":"sunny"}]}],
                 "tools":[
                   {"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
                     "properties":{"city":{"type":"string"}}}}},
                   {"type":"function","function":{"name":"get_time"}}]}""");

        JsonArray contents = sent().getJsonArray("contents");
        assertEquals(5, contents.size(), "the tool results and the next user message share a turn");
        JsonObject modelTurn = contents.getJsonObject(1);
        assertEquals("model", modelTurn.getString("role"));
        JsonArray calls = modelTurn.getJsonArray("parts");
        assertEquals(2, calls.size(), "parallel calls share one model turn");
        assertEquals("get_weather", calls.getJsonObject(0).getJsonObject("functionCall").getString("name"));
        assertEquals("Paris", calls.getJsonObject(0).getJsonObject("functionCall").getJsonObject("args")
                .getString("city"));
        assertEquals("c2lnbmF0dXJl", calls.getJsonObject(0).getString("thoughtSignature"),
                "the signature the client handed back");
        assertFalse(calls.getJsonObject(1).containsKey("thoughtSignature"), "only a step's first call is signed");

        JsonObject results = contents.getJsonObject(2);
        assertEquals("user", results.getString("role"));
        assertTrue(results.getJsonArray("parts").getJsonObject(1).containsKey("functionResponse"),
                "consecutive tool results share one user turn");
        JsonObject time = results.getJsonArray("parts").getJsonObject(0).getJsonObject("functionResponse");
        assertEquals("get_time", time.getString("name"), "named after the call with that id");
        assertEquals("14:00", time.getJsonObject("response").getJsonObject("content").getString("result"));
        JsonObject weather = results.getJsonArray("parts").getJsonObject(1).getJsonObject("functionResponse");
        assertEquals("get_weather", weather.getString("name"));
        assertEquals(21, weather.getJsonObject("response").getJsonObject("content").getInt("temp"));

        assertEquals(3, results.getJsonArray("parts").size());
        assertEquals("Thanks. And in Rome?", results.getJsonArray("parts").getJsonObject(2).getString("text"));
        JsonObject unsigned = contents.getJsonObject(3).getJsonArray("parts").getJsonObject(0);
        assertEquals(GeminiTranslation.UNSIGNED_THOUGHT_SIGNATURE, unsigned.getString("thoughtSignature"),
                "a call without its signature carries Google's documented placeholder");
        assertEquals("sunny", contents.getJsonObject(4).getJsonArray("parts").getJsonObject(0)
                .getJsonObject("functionResponse").getJsonObject("response").getJsonObject("content")
                .getString("result"));
    }

    @Test
    void thoughtSignaturesOfCallsReachTheClient() {
        gemini.answer(response(usage(3, 3), candidate(0, "STOP",
                callPart("get_time", "{}").add("thoughtSignature", "c2ln"))).toString());

        JsonObject body = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-3-pro-preview","messages":[{"role":"user","content":"time?"}],
                 "tools":[{"type":"function","function":{"name":"get_time"}}]}""");

        JsonObject call = body.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getJsonArray("tool_calls").getJsonObject(0);
        assertEquals("c2ln", call.getJsonObject("extra_content").getJsonObject("google")
                .getString("thought_signature"));
    }

    @Test
    void aToolResultWithoutItsCallAnswers400() {
        GatewayException e = assertThrows(GatewayException.class, () -> provider.call(Fixtures.call(
                Operation.CHAT_COMPLETION, """
                        {"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"},
                          {"role":"tool","tool_call_id":"call_zzz","content":"x"}]}""")));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("call_zzz"));
        assertTrue(gemini.requests().isEmpty(), "nothing was sent");
    }

    @Test
    void toolChoiceMapsToFunctionCallingModes() {
        String tools = """
                "tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"b"}}]""";
        complete(provider, Operation.CHAT_COMPLETION, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"tool_choice\":\"none\"," + tools + "}");
        assertEquals("NONE", sent().getJsonObject("toolConfig").getJsonObject("functionCallingConfig")
                .getString("mode"));

        complete(provider, Operation.CHAT_COMPLETION, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"tool_choice\":\"auto\"," + tools + "}");
        assertEquals("AUTO", sent().getJsonObject("toolConfig").getJsonObject("functionCallingConfig")
                .getString("mode"));

        complete(provider, Operation.CHAT_COMPLETION, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"b\"}},"
                + tools + "}");
        JsonObject forced = sent().getJsonObject("toolConfig").getJsonObject("functionCallingConfig");
        assertEquals("ANY", forced.getString("mode"));
        assertEquals("b", forced.getJsonArray("allowedFunctionNames").getString(0));

        complete(provider, Operation.CHAT_COMPLETION, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}],\"tool_choice\":{\"type\":\"allowed_tools\",\"allowed_tools\":{\"mode\":"
                + "\"auto\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}}]}}," + tools + "}");
        assertEquals("AUTO", sent().getJsonObject("toolConfig").getJsonObject("functionCallingConfig")
                .getString("mode"));
        JsonArray offered = sent().getJsonArray("tools").getJsonObject(0).getJsonArray("functionDeclarations");
        assertEquals(1, offered.size(), "auto with allowed tools offers only those");
        assertEquals("a", offered.getJsonObject(0).getString("name"));
    }

    @Test
    void generationSettingsBecomeGenerationConfig() {
        gemini.answer(response(usage(4, 6), candidate(0, "STOP", textPart("one")),
                candidate(1, "MAX_TOKENS", textPart("tw"))).toString());

        JsonObject body = complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[{"role":"user","content":"count"}],
                 "temperature":0.2,"top_p":0.9,"max_tokens":50,"max_completion_tokens":64,"stop":"END",
                 "n":2,"seed":7,"presence_penalty":0.5,"frequency_penalty":-0.5}""");

        JsonObject config = sent().getJsonObject("generationConfig");
        assertEquals(0.2, config.getJsonNumber("temperature").doubleValue());
        assertEquals(0.9, config.getJsonNumber("topP").doubleValue());
        assertEquals(64, config.getInt("maxOutputTokens"), "max_completion_tokens wins over max_tokens");
        assertEquals("END", config.getJsonArray("stopSequences").getString(0));
        assertEquals(2, config.getInt("candidateCount"));
        assertEquals(7, config.getInt("seed"));
        assertEquals(0.5, config.getJsonNumber("presencePenalty").doubleValue());
        assertEquals(-0.5, config.getJsonNumber("frequencyPenalty").doubleValue());

        JsonArray choices = body.getJsonArray("choices");
        assertEquals(2, choices.size(), "one choice per candidate");
        assertEquals("one", choices.getJsonObject(0).getJsonObject("message").getString("content"));
        assertEquals(1, choices.getJsonObject(1).getInt("index"));
        assertEquals("length", choices.getJsonObject(1).getString("finish_reason"));

        complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[{"role":"user","content":"count"}],"max_tokens":50,
                 "stop":["a","b"]}""");
        assertEquals(50, sent().getJsonObject("generationConfig").getInt("maxOutputTokens"));
        assertEquals(2, sent().getJsonObject("generationConfig").getJsonArray("stopSequences").size());
    }

    @Test
    void responseFormatsBecomeJsonMimeTypeAndSchema() {
        complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[{"role":"user","content":"json"}],
                 "response_format":{"type":"json_object"}}""");
        assertEquals("application/json", sent().getJsonObject("generationConfig").getString("responseMimeType"));
        assertFalse(sent().getJsonObject("generationConfig").containsKey("responseSchema"));

        complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"gemini-2.5-flash","messages":[{"role":"user","content":"json"}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"people","strict":true,"schema":{
                   "type":"object","additionalProperties":false,
                   "properties":{"people":{"type":"array","items":{"$ref":"#/$defs/person"}}},
                   "required":["people"],
                   "$defs":{"person":{"type":"object","additionalProperties":false,
                     "properties":{"name":{"type":"string"},"age":{"anyOf":[{"type":"integer"},{"type":"null"}]},
                                   "born":{"type":"string","format":"date-time"}},
                     "required":["name","age"]}}}}}}""");

        JsonObject config = sent().getJsonObject("generationConfig");
        assertEquals("application/json", config.getString("responseMimeType"));
        JsonObject schema = config.getJsonObject("responseSchema");
        assertEquals("OBJECT", schema.getString("type"));
        assertFalse(schema.containsKey("$defs"));
        JsonObject person = schema.getJsonObject("properties").getJsonObject("people").getJsonObject("items");
        assertEquals("OBJECT", person.getString("type"), "the $ref is inlined");
        JsonObject age = person.getJsonObject("properties").getJsonObject("age");
        assertEquals("INTEGER", age.getString("type"));
        assertTrue(age.getBoolean("nullable"));
        assertEquals("date-time", person.getJsonObject("properties").getJsonObject("born").getString("format"));
        assertEquals(2, person.getJsonArray("required").size());
    }

    @Test
    void safetyBlocksAnswerContentFilterNotErrors() {
        gemini.answer(response(usage(8, 2), candidate(0, "SAFETY", textPart("I can"))).toString());
        JsonObject safety = complete(provider, Operation.CHAT_COMPLETION,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals("content_filter", safety.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));

        for (String reason : new String[] {"RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"}) {
            gemini.answer(response(usage(8, 0), candidate(0, reason)).toString());
            JsonObject body = complete(provider, Operation.CHAT_COMPLETION,
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
            JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
            assertEquals("content_filter", choice.getString("finish_reason"), reason);
            assertEquals(JsonValue.NULL, choice.getJsonObject("message").get("content"), reason);
        }

        gemini.answer("""
                {"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[
                  {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH"}]},
                 "usageMetadata":{"promptTokenCount":9,"totalTokenCount":9},"responseId":"blocked1"}""");
        JsonObject blocked = complete(provider, Operation.CHAT_COMPLETION,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        JsonObject choice = blocked.getJsonArray("choices").getJsonObject(0);
        assertEquals(0, choice.getInt("index"));
        assertEquals(JsonValue.NULL, choice.getJsonObject("message").get("content"));
        assertEquals("content_filter", choice.getString("finish_reason"));
        assertEquals(9, blocked.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(0, blocked.getJsonObject("usage").getInt("completion_tokens"));
    }

    @Test
    void usageCountsCachedAndThinkingTokens() {
        gemini.answer(response(object().add("promptTokenCount", 100).add("candidatesTokenCount", 20)
                .add("thoughtsTokenCount", 30).add("cachedContentTokenCount", 64).add("totalTokenCount", 150),
                candidate(0, "STOP", object().add("text", "let me think").add("thought", true),
                        textPart("42"))).toString());

        JsonObject body = complete(provider, Operation.CHAT_COMPLETION,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertEquals("42", body.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                .getString("content"), "thought summaries are not part of the answer");
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(100, usage.getInt("prompt_tokens"));
        assertEquals(50, usage.getInt("completion_tokens"), "candidates plus thoughts");
        assertEquals(150, usage.getInt("total_tokens"));
        assertEquals(64, usage.getJsonObject("prompt_tokens_details").getInt("cached_tokens"));
        assertEquals(30, usage.getJsonObject("completion_tokens_details").getInt("reasoning_tokens"));
    }

    @Test
    void aGeneratedIdWhenGeminiSendsNone() {
        gemini.answer("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"x\"}]},"
                + "\"finishReason\":\"STOP\"}]}");
        JsonObject body = complete(provider, Operation.CHAT_COMPLETION,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertTrue(body.getString("id").matches("chatcmpl-[0-9a-f]{32}"));
        assertEquals(0, body.getJsonObject("usage").getInt("total_tokens"));
    }

    @Test
    void configuredHeadersBaseUrlAndVersionAreUsed() {
        // a proxy path the fake does not serve: the answer is scripted, the request inspected
        ScriptedUpstream upstream = new ScriptedUpstream().respond(Canned.json(200, Answers.text("Hello!")));
        Provider custom = new GeminiPlugin().providerFactories().get(0).create(TestConfig.provider("gemini",
                Map.of("base-url", "http://127.0.0.1:9999/gemini/", "api-version", Fixtures.VERSION,
                        "extra-headers", Map.of("x-goog-user-project", "proj-1"))), TestContext.with(upstream));
        custom.call(Fixtures.call(Operation.CHAT_COMPLETION,
                "{\"model\":\"models/gemini-2.0-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));

        assertEquals("http://127.0.0.1:9999/gemini/v1beta/models/gemini-2.0-flash:generateContent",
                upstream.lastRequest().uri().toString());
        assertEquals("proj-1", upstream.lastRequest().headers().first("x-goog-user-project").orElseThrow());
    }

    @Test
    void anEmptyKeySendsNoKeyHeader() {
        GatewayException e = assertThrows(GatewayException.class, () -> provider.call(Fixtures.call(
                Operation.CHAT_COMPLETION, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "")));
        assertFalse(gemini.last().headers().contains("x-goog-api-key"));
        assertEquals(403, e.status(), "the fake answers as Gemini does to keyless calls");
        assertEquals("permission_error", e.errorCode().type());
    }

    @Test
    void invalidRequestsAnswer400WithoutAnUpstreamCall() {
        String[] bodies = {
            "{\"model\":\"m\",\"messages\":[]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video\"}]}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"only a system prompt\"}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                    + "\"tools\":[{\"type\":\"web_search\"}]}",
            "{\"model\":\"../admin\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                    + "\"image_url\":{\"url\":\"data:image/png,notbase64\"}}]}]}",
        };
        for (String body : bodies) {
            GatewayException e = assertThrows(GatewayException.class,
                    () -> provider.call(Fixtures.call(Operation.CHAT_COMPLETION, body)), body);
            assertEquals(400, e.status(), body);
            assertEquals("invalid_request_error", e.errorCode().type(), body);
        }
        assertTrue(gemini.requests().isEmpty());
    }

    @Test
    void legacyFunctionMessagesRoundTrip() {
        complete(provider, Operation.CHAT_COMPLETION, """
                {"model":"m","messages":[{"role":"user","content":"x"},
                  {"role":"assistant","content":null,"function_call":{"name":"f","arguments":"{}"}},
                  {"role":"function","name":"f","content":"done"}],
                 "tools":[{"type":"function","function":{"name":"f"}}]}""");
        JsonArray contents = sent().getJsonArray("contents");
        assertEquals("f", contents.getJsonObject(2).getJsonArray("parts").getJsonObject(0)
                .getJsonObject("functionResponse").getString("name"));
        assertEquals("f", contents.getJsonObject(1).getJsonArray("parts").getJsonObject(0)
                .getJsonObject("functionCall").getString("name"));
    }
}
