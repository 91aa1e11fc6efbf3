package io.gateway.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TokenUsageTest {

    @Test
    void chatCompletionUsageWithDetails() {
        TokenUsage usage = TokenUsage.parse(JsonBodies.parse("""
                {"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,
                 "prompt_tokens_details":{"cached_tokens":100,"audio_tokens":0},
                 "completion_tokens_details":{"reasoning_tokens":12}}"""));
        assertEquals(120, usage.inputTokens());
        assertEquals(30, usage.outputTokens());
        assertEquals(150, usage.totalTokens());
        assertEquals(100, usage.cachedInputTokens());
        assertEquals(0, usage.cacheWriteTokens());
        assertEquals(12, usage.reasoningTokens());
    }

    @Test
    void chatUsageTranslatedFromACachingApiKeepsItsCacheWrites() {
        TokenUsage usage = TokenUsage.parse(JsonBodies.parse("""
                {"prompt_tokens":1300,"completion_tokens":20,"total_tokens":1320,
                 "prompt_tokens_details":{"cached_tokens":1000},"cache_creation_input_tokens":200}"""));
        assertEquals(1300, usage.inputTokens());
        assertEquals(1000, usage.cachedInputTokens());
        assertEquals(200, usage.cacheWriteTokens());
    }

    @Test
    void responsesAndImagesUsage() {
        TokenUsage usage = TokenUsage.parse(JsonBodies.parse("""
                {"input_tokens":8,"output_tokens":9,"total_tokens":17,
                 "input_tokens_details":{"cached_tokens":4},"output_tokens_details":{"reasoning_tokens":2}}"""));
        assertEquals(8, usage.inputTokens());
        assertEquals(9, usage.outputTokens());
        assertEquals(4, usage.cachedInputTokens());
        assertEquals(2, usage.reasoningTokens());
        assertEquals(17, usage.totalTokens());
    }

    @Test
    void anthropicUsageCountsCachedTokensAsInput() {
        TokenUsage usage = TokenUsage.parse(JsonBodies.parse("""
                {"input_tokens":10,"output_tokens":50,"cache_read_input_tokens":1000,
                 "cache_creation_input_tokens":200}"""));
        assertEquals(1210, usage.inputTokens());
        assertEquals(1000, usage.cachedInputTokens());
        assertEquals(200, usage.cacheWriteTokens());
        assertEquals(50, usage.outputTokens());
        assertEquals(1260, usage.totalTokens(), "input plus output when no total is given");
    }

    @Test
    void embeddingsUsageAndAbsentOrOddCounts() {
        TokenUsage embeddings = TokenUsage.parse(JsonBodies.parse("{\"prompt_tokens\":8,\"total_tokens\":8}"));
        assertEquals(8, embeddings.inputTokens());
        assertEquals(0, embeddings.outputTokens());
        assertEquals(8, embeddings.totalTokens());
        TokenUsage odd = TokenUsage.parse(JsonBodies.parse("{\"prompt_tokens\":\"3\",\"completion_tokens\":-4}"));
        assertEquals(0, odd.inputTokens(), "a count that is not a number is absent");
        assertEquals(0, odd.outputTokens(), "a negative count is absent");
        assertEquals(TokenUsage.NONE, TokenUsage.parse(JsonBodies.parse("{}")));
    }

    @Test
    void sumsAndValidates() {
        TokenUsage a = TokenUsage.builder().inputTokens(1).outputTokens(2).cachedInputTokens(1).build();
        TokenUsage b = TokenUsage.builder().inputTokens(10).outputTokens(20).reasoningTokens(5).build();
        TokenUsage sum = a.plus(b);
        assertEquals(11, sum.inputTokens());
        assertEquals(22, sum.outputTokens());
        assertEquals(33, sum.totalTokens());
        assertEquals(1, sum.cachedInputTokens());
        assertEquals(5, sum.reasoningTokens());
        assertEquals(sum, TokenUsage.builder().inputTokens(11).outputTokens(22).cachedInputTokens(1)
                .reasoningTokens(5).build());
        assertThrows(IllegalArgumentException.class, () -> TokenUsage.builder().inputTokens(-1));
    }
}
