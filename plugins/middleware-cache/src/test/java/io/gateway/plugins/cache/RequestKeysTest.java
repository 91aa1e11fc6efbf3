package io.gateway.plugins.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

class RequestKeysTest {

    private static final String CHAT = """
            {"model":"openai/gpt-4o-mini","temperature":0.5,"max_tokens":100,
             "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is Java?"}]}""";

    private static String direct(String key, String json) {
        return RequestKeys.direct(key, Operation.CHAT_COMPLETION, JsonBodies.parse(json));
    }

    @Test
    void keyOrderWhitespaceAndNumberSpellingDoNotChangeTheHash() {
        String reordered = """
                {
                  "messages" : [ {"content":"Be brief.", "role":"system"}, {"content":"What is Java?","role":"user"} ],
                  "max_tokens": 100.0,
                  "temperature": 0.50,
                  "model": "openai/gpt-4o-mini"
                }""";
        assertEquals(direct("k", CHAT), direct("k", reordered));
        assertTrue(direct("k", CHAT).matches("cache:d:[0-9a-f]{64}"), direct("k", CHAT));
    }

    @Test
    void everyParameterThatChangesTheAnswerChangesTheHash() {
        String base = direct("k", CHAT);
        assertNotEquals(base, direct("k", CHAT.replace("0.5", "0.7")), "temperature");
        assertNotEquals(base, direct("k", CHAT.replace("100", "101")), "max_tokens");
        assertNotEquals(base, direct("k", CHAT.replace("gpt-4o-mini", "gpt-4.1")), "model");
        assertNotEquals(base, direct("k", CHAT.replace("What is Java?", "What is Kotlin?")), "messages");
        assertNotEquals(base, direct("k", CHAT.replace("\"max_tokens\":100", "\"max_tokens\":100,"
                + "\"response_format\":{\"type\":\"json_object\"}")), "response_format");
        assertNotEquals(base, direct("k", CHAT.replace("\"max_tokens\":100", "\"max_tokens\":100,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]")), "tools");
        assertNotEquals(base, RequestKeys.direct("k", Operation.TEXT_COMPLETION, JsonBodies.parse(CHAT)), "operation");
    }

    @Test
    void theCacheKeyIsolatesAndDeliveryFieldsDoNotCount() {
        assertNotEquals(direct("team-a", CHAT), direct("team-b", CHAT));
        // the key and the body cannot run into each other
        assertNotEquals(direct("ab", CHAT), direct("a", CHAT));
        String streamed = CHAT.replace("\"max_tokens\":100", "\"max_tokens\":100,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"fallbacks\":[\"anthropic/claude-sonnet-4\"]");
        assertEquals(direct("k", CHAT), direct("k", streamed));
    }

    @Test
    void theSemanticScopeLeavesOutTheConversationButKeepsParameters() {
        JsonObject one = JsonBodies.parse(CHAT);
        JsonObject other = JsonBodies.parse(CHAT.replace("What is Java?", "Tell me about Java"));
        assertEquals(RequestKeys.scope("k", Operation.CHAT_COMPLETION, one),
                RequestKeys.scope("k", Operation.CHAT_COMPLETION, other));
        assertNotEquals(RequestKeys.scope("k", Operation.CHAT_COMPLETION, one),
                RequestKeys.scope("k", Operation.CHAT_COMPLETION, JsonBodies.parse(CHAT.replace("0.5", "0.9"))));
        assertNotEquals(RequestKeys.scope("k", Operation.CHAT_COMPLETION, one),
                RequestKeys.scope("other", Operation.CHAT_COMPLETION, one));
    }

    @Test
    void theEmbeddedTextFollowsTheConfiguration() {
        JsonObject body = JsonBodies.parse("""
                {"model":"openai/gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},
                 {"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},
                 {"role":"user","content":[{"type":"text","text":"What is Java?"}]}]}""");
        assertEquals("system: Be brief.\nuser: Hi\nassistant: Hello\nuser: What is Java?\n", RequestKeys.text(
                Operation.CHAT_COMPLETION, body, CacheSettings.Conversation.HISTORY, true));
        assertEquals("user: Hi\nassistant: Hello\nuser: What is Java?\n", RequestKeys.text(
                Operation.CHAT_COMPLETION, body, CacheSettings.Conversation.HISTORY, false));
        assertEquals("Be brief.\nWhat is Java?", RequestKeys.text(Operation.CHAT_COMPLETION, body,
                CacheSettings.Conversation.LAST_USER, true));
        assertEquals("What is Java?", RequestKeys.text(Operation.CHAT_COMPLETION, body,
                CacheSettings.Conversation.LAST_USER, false));
        assertEquals("Say hi", RequestKeys.text(Operation.TEXT_COMPLETION, JsonBodies.parse(
                "{\"model\":\"openai/x\",\"prompt\":\"Say hi\"}"), CacheSettings.Conversation.LAST_USER, false));
        assertEquals("system: Be brief.\nuser: Say hi\n", RequestKeys.text(Operation.RESPONSES, JsonBodies.parse(
                "{\"model\":\"openai/x\",\"instructions\":\"Be brief.\",\"input\":\"Say hi\"}"),
                CacheSettings.Conversation.HISTORY, true));
        JsonObject image = JsonBodies.parse("""
                {"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},
                 {"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}""");
        assertNull(RequestKeys.text(Operation.CHAT_COMPLETION, image, CacheSettings.Conversation.HISTORY, true),
                "an image makes requests unlike by their text");
        assertNull(RequestKeys.text(Operation.EMBEDDING, body, CacheSettings.Conversation.HISTORY, true));
    }
}
