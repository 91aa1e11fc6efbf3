package io.gateway.plugins.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.openai.OpenAiPaths;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The URL table of both forms. */
class AzureEndpointsTest {

    private static final String BASE = "https://res.openai.azure.com";

    @Test
    void classicForm() {
        AzureEndpoints endpoints = new AzureEndpoints(BASE, "2024-10-21", "2025-04-01-preview");
        assertFalse(endpoints.v1());
        assertEquals(BASE + "/openai/deployments/d1/chat/completions?api-version=2024-10-21",
                endpoints.uri(Operation.CHAT_COMPLETION, "d1").toString());
        assertEquals(BASE + "/openai/deployments/d1/completions?api-version=2024-10-21",
                endpoints.uri(Operation.TEXT_COMPLETION, "d1").toString());
        assertEquals(BASE + "/openai/deployments/d1/embeddings?api-version=2024-10-21",
                endpoints.uri(Operation.EMBEDDING, "d1").toString());
        assertEquals(BASE + "/openai/deployments/d1/images/generations?api-version=2024-10-21",
                endpoints.uri(Operation.IMAGE_GENERATION, "d1").toString());
        assertEquals(BASE + "/openai/responses?api-version=2025-04-01-preview",
                endpoints.uri(Operation.RESPONSES, "d1").toString());
        assertEquals(BASE + "/openai/models?api-version=2024-10-21",
                endpoints.uri(Operation.LIST_MODELS, null).toString());
        assertTrue(endpoints.deploymentInBody(Operation.RESPONSES));
        assertFalse(endpoints.deploymentInBody(Operation.CHAT_COMPLETION));
    }

    @Test
    void v1Form() {
        AzureEndpoints endpoints = new AzureEndpoints(BASE, "v1", "2025-04-01-preview");
        assertTrue(endpoints.v1());
        for (Operation operation : Operation.values()) {
            if (OpenAiPaths.of(operation) == null) {
                continue; // not an operation of the OpenAI API (Anthropic's Messages)
            }
            assertEquals(BASE + "/openai/v1/" + OpenAiPaths.of(operation), endpoints.uri(operation, "d1").toString());
            if (operation != Operation.LIST_MODELS) {
                assertTrue(endpoints.deploymentInBody(operation), operation + " names the deployment in the body");
            }
        }
    }

    @Test
    void audioAndImageEditsAreDeploymentScopedFilesAndBatchesBelongToTheResource() {
        AzureEndpoints classic = new AzureEndpoints(BASE, "2024-10-21", "2025-04-01-preview");
        assertEquals(BASE + "/openai/deployments/whisper/audio/transcriptions?api-version=2024-10-21",
                classic.uri(call(Operation.TRANSCRIPTION, Map.of()), "whisper").toString());
        assertEquals(BASE + "/openai/deployments/tts/audio/speech?api-version=2024-10-21",
                classic.uri(call(Operation.SPEECH, Map.of()), "tts").toString());
        assertEquals(BASE + "/openai/deployments/img/images/edits?api-version=2024-10-21",
                classic.uri(call(Operation.IMAGE_EDIT, Map.of()), "img").toString());
        assertEquals(BASE + "/openai/files/file-1/content?api-version=2024-10-21",
                classic.uri(call(Operation.FILE_CONTENT, Map.of("file_id", "file-1")), null).toString());
        assertEquals(BASE + "/openai/files?purpose=batch&api-version=2024-10-21",
                classic.uri(call(Operation.FILE_LIST, Map.of("purpose", "batch")), null).toString());
        assertEquals(BASE + "/openai/batches/batch_1/cancel?api-version=2024-10-21",
                classic.uri(call(Operation.BATCH_CANCEL, Map.of("batch_id", "batch_1")), null).toString());

        AzureEndpoints v1 = new AzureEndpoints(BASE, "v1", "2025-04-01-preview");
        assertEquals(BASE + "/openai/v1/audio/transcriptions",
                v1.uri(call(Operation.TRANSCRIPTION, Map.of()), null).toString());
        assertEquals(BASE + "/openai/v1/files/file-1", v1.uri(call(Operation.FILE_RETRIEVE,
                Map.of("file_id", "file-1")), null).toString());
    }

    private static ProviderCall call(Operation operation, Map<String, String> parameters) {
        return ProviderCall.builder(operation, JsonBodies.parse("{}")).parameters(parameters).build();
    }

    @Test
    void deploymentNamesAreEncodedAsOneSegment() {
        assertEquals("gpt-4.1_prod~x", AzureEndpoints.pathSegment("gpt-4.1_prod~x"));
        assertEquals("a%2Fb%3Fc%23d%20e%25", AzureEndpoints.pathSegment("a/b?c#d e%"));
        assertEquals("d%C3%A9ploiement", AzureEndpoints.pathSegment("déploiement"));
        AzureEndpoints endpoints = new AzureEndpoints(BASE, "2024-10-21", "2025-04-01-preview");
        assertEquals("/openai/deployments/a%2Fb/embeddings",
                endpoints.uri(Operation.EMBEDDING, "a/b").getRawPath());
    }
}
