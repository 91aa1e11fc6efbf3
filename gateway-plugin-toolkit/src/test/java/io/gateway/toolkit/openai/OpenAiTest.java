package io.gateway.toolkit.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.ProviderCall;
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
    void everyOperationHasItsOwnPathSaveThoseThatDifferByMethod() {
        // upload and list share files, create and list share batches, retrieve and delete files/ID:
        // the HTTP method tells them apart
        java.util.Map<String, Set<Operation>> byPath = new java.util.HashMap<>();
        for (Operation operation : Operation.values()) {
            if (operation == Operation.MESSAGES || operation == Operation.COUNT_TOKENS
                    || operation == Operation.PASSTHROUGH) {
                assertEquals(null, OpenAiPaths.of(operation), "Anthropic's Messages API and passthrough calls have no "
                        + "OpenAI path of their own");
                continue;
            }
            if (operation == Operation.MCP || operation == Operation.MCP_TOOL_EXECUTE) {
                assertEquals(null, OpenAiPaths.of(operation), "the gateway answers MCP requests itself");
                continue;
            }
            ProviderCall call = ProviderCall.builder(operation, JsonBodies.parse("{}"))
                    .parameters(java.util.Map.of("file_id", "file-1", "batch_id", "batch_1")).build();
            String path = OpenAiPaths.of(call);
            assertFalse(path.startsWith("/"), path);
            byPath.computeIfAbsent(path, p -> java.util.EnumSet.noneOf(Operation.class)).add(operation);
        }
        for (Set<Operation> shared : byPath.values()) {
            if (shared.size() > 1) {
                assertTrue(Set.of(java.util.EnumSet.of(Operation.FILE_UPLOAD, Operation.FILE_LIST),
                        java.util.EnumSet.of(Operation.BATCH_CREATE, Operation.BATCH_LIST),
                        java.util.EnumSet.of(Operation.FILE_RETRIEVE, Operation.FILE_DELETE)).contains(shared),
                        shared.toString());
            }
        }
        assertEquals("chat/completions", OpenAiPaths.of(Operation.CHAT_COMPLETION));
        assertEquals("images/generations", OpenAiPaths.of(Operation.IMAGE_GENERATION));
    }

    @Test
    void callPathsCarryEncodedIdsAndTheListQuery() {
        ProviderCall content = ProviderCall.builder(Operation.FILE_CONTENT, JsonBodies.parse("{}"))
                .parameters(java.util.Map.of("file_id", "file/../x y")).build();
        assertEquals("files/file%2F..%2Fx%20y/content", OpenAiPaths.of(content), "an id cannot add a segment");
        ProviderCall list = ProviderCall.builder(Operation.FILE_LIST, JsonBodies.parse("{}"))
                .parameters(new java.util.LinkedHashMap<>(java.util.Map.of("purpose", "batch"))).build();
        assertEquals("files?purpose=batch", OpenAiPaths.of(list));
        ProviderCall cancel = ProviderCall.builder(Operation.BATCH_CANCEL, JsonBodies.parse("{}"))
                .parameters(java.util.Map.of("batch_id", "batch_1")).build();
        assertEquals("batches/batch_1/cancel", OpenAiPaths.of(cancel));
        assertThrows(IllegalArgumentException.class, () -> OpenAiPaths.of(ProviderCall.builder(
                Operation.FILE_RETRIEVE, JsonBodies.parse("{}")).build()));
    }
}
