package io.gateway.toolkit.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.TokenUsage;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link OpenAiUsage}, {@link OpenAiRequests} and {@link OpenAiPaths}. */
class OpenAiTest {

    private static final TokenUsage USAGE = TokenUsage.builder()
            .inputTokens(100).outputTokens(40).cachedInputTokens(30).reasoningTokens(25).build();

    @Test
    void usageIsWrittenWhereOpenAiPutsIt() {
        assertEquals("{\"prompt_tokens\":100,\"completion_tokens\":40,\"total_tokens\":140,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":30},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":25}}",
                OpenAiUsage.chat(USAGE).build().toString());
        assertEquals("{\"input_tokens\":100,\"input_tokens_details\":{\"cached_tokens\":30},\"output_tokens\":40,"
                + "\"output_tokens_details\":{\"reasoning_tokens\":25},\"total_tokens\":140}",
                OpenAiUsage.responses(USAGE).build().toString());
        assertEquals("{\"prompt_tokens\":100,\"total_tokens\":100}", OpenAiUsage.embeddings(USAGE).build().toString());
        assertEquals("{\"input_tokens\":100,\"input_tokens_details\":{\"text_tokens\":100,\"image_tokens\":0},"
                + "\"output_tokens\":40,\"total_tokens\":140}", OpenAiUsage.images(USAGE).build().toString());
    }

    @Test
    void theSpiReadsBackWhatIsWritten() {
        assertEquals(USAGE, TokenUsage.parse(OpenAiUsage.chat(USAGE).build()));
        assertEquals(USAGE, TokenUsage.parse(OpenAiUsage.responses(USAGE).build()));
        TokenUsage reported = TokenUsage.builder().inputTokens(3).outputTokens(4).totalTokens(9).build();
        assertEquals(9, TokenUsage.parse(OpenAiUsage.chat(reported).build()).totalTokens(),
                "a total the provider reported is kept");
    }

    @Test
    void includeUsageOnlyWhenTrue() {
        assertTrue(OpenAiRequests.includeUsage(JsonBodies.parse("{\"stream_options\":{\"include_usage\":true}}")));
        assertFalse(OpenAiRequests.includeUsage(JsonBodies.parse("{\"stream_options\":{\"include_usage\":\"true\"}}")));
        assertFalse(OpenAiRequests.includeUsage(JsonBodies.parse("{\"stream_options\":null}")));
        assertFalse(OpenAiRequests.includeUsage(JsonBodies.parse("{}")));
    }

    @Test
    void everyOpenAiOperationHasItsOwnPath() {
        Set<String> paths = new HashSet<>();
        for (Operation operation : Operation.values()) {
            String path = OpenAiPaths.of(operation);
            if (operation == Operation.MESSAGES || operation == Operation.COUNT_TOKENS) {
                assertEquals(null, path, "Anthropic's Messages API has no OpenAI path");
                continue;
            }
            assertFalse(path.startsWith("/"), path);
            assertTrue(paths.add(path), path);
        }
        assertEquals("chat/completions", OpenAiPaths.of(Operation.CHAT_COMPLETION));
        assertEquals("images/generations", OpenAiPaths.of(Operation.IMAGE_GENERATION));
    }
}
