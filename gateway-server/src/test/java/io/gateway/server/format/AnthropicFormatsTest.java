package io.gateway.server.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.core.AnthropicError;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Token estimates, the Anthropic model list, error bodies and when a translation applies. */
class AnthropicFormatsTest {

    @Test
    void theEstimateCountsTextImagesToolsAndMessages() {
        // 40 characters of text, 2 messages, 1 image, a tool of name 4 + description 7 + schema 17 characters
        JsonObject body = JsonBodies.parse("""
                {"model":"m","system":"0123456789",
                 "messages":[{"role":"user","content":[{"type":"text","text":"0123456789"},
                   {"type":"image","source":{"type":"url","url":"https://x"}}]},
                  {"role":"assistant","content":"01234567890123456789"}],
                 "tools":[{"name":"Bash","description":"Run it!","input_schema":{"type":"object"}}]}
                """);
        long chars = 40 + 4 + 7 + "{\"type\":\"object\"}".length();
        assertEquals(2 * TokenEstimate.PER_MESSAGE + TokenEstimate.PER_IMAGE + (chars + 3) / 4,
                TokenEstimate.inputTokens(body));
        assertEquals(1, TokenEstimate.inputTokens(JsonBodies.parse("{\"messages\":[]}")), "never 0");
    }

    @Test
    void theModelListIsPagedAsAnthropicPagesIt() {
        JsonObject list = JsonBodies.parse("""
                {"object":"list","data":[{"id":"anthropic/claude-a","object":"model","created":1700000000},
                 {"id":"openai/gpt-b","object":"model","created":0},{"id":"mock/c","object":"model"}]}
                """);
        JsonObject first = AnthropicModels.page(list, 2, null, null);
        assertEquals(JsonBodies.parse("""
                {"data":[{"type":"model","id":"anthropic/claude-a","display_name":"anthropic/claude-a",
                  "created_at":"2023-11-14T22:13:20Z"},
                 {"type":"model","id":"openai/gpt-b","display_name":"openai/gpt-b","created_at":"1970-01-01T00:00:00Z"}],
                 "has_more":true,"first_id":"anthropic/claude-a","last_id":"openai/gpt-b"}
                """), first);
        JsonObject next = AnthropicModels.page(list, 2, "openai/gpt-b", null);
        assertEquals(1, next.getJsonArray("data").size());
        assertFalse(next.getBoolean("has_more"));
        JsonObject before = AnthropicModels.page(list, 1, null, "openai/gpt-b");
        assertEquals("anthropic/claude-a", before.getString("first_id"));
        assertEquals("mock/c", AnthropicModels.model(list, "mock/c").getString("id"));
        assertNull(AnthropicModels.model(list, "nope"));
    }

    @Test
    void errorsTakeAnthropicsTypesAndKeepAnUpstreamsOwn() {
        AnthropicError dropped = AnthropicError.of(GatewayException.of(ErrorCode.REQUEST_DROPPED, "too busy"), "r1");
        assertEquals("rate_limit_error", dropped.type());
        assertEquals(JsonBodies.parse("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":"
                + "\"too busy\"},\"request_id\":\"r1\"}"), JsonBodies.parse(new String(dropped.toBytes(),
                StandardCharsets.UTF_8)));
        assertEquals("overloaded_error", AnthropicError.of(GatewayException.upstream(529, "overloaded_error",
                "overloaded_error", "Overloaded", null, null), "r").type());
        assertEquals("invalid_request_error", AnthropicError.typeFor(400));
        assertEquals("authentication_error", AnthropicError.typeFor(401));
        assertEquals("billing_error", AnthropicError.typeFor(402));
        assertEquals("permission_error", AnthropicError.typeFor(403));
        assertEquals("not_found_error", AnthropicError.typeFor(404));
        assertEquals("request_too_large", AnthropicError.typeFor(413));
        assertEquals("timeout_error", AnthropicError.typeFor(504));
        assertEquals("api_error", AnthropicError.typeFor(502));
    }

    @Test
    void aTranslationAppliesOnlyWhereTheProviderLacksTheOperationButChats() {
        assertNull(Translation.between(Operation.MESSAGES, Set.of(Operation.MESSAGES, Operation.CHAT_COMPLETION),
                false), "native");
        assertEquals(Operation.CHAT_COMPLETION, Translation.between(Operation.MESSAGES,
                Set.of(Operation.CHAT_COMPLETION), false).target());
        assertNull(Translation.between(Operation.MESSAGES, Set.of(Operation.EMBEDDING), false), "no way there");
        assertNull(Translation.between(Operation.CHAT_COMPLETION, Set.of(Operation.MESSAGES), false),
                "chat requests are not translated into Messages");
        assertTrue(Translation.estimateTokens(JsonBodies.parse("{\"messages\":[]}")).headers()
                .first("x-bf-token-count").isPresent());
    }
}
