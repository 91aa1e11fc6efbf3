package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImageModel;
import com.openai.models.images.ImagesResponse;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end calls through the official openai-java client against the real gateway. */
class OpenAiSdkIT {

    @TempDir
    static Path temp;

    static TestGateway gateway;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-mock", "io.gateway.plugins.mock.MockPlugin");
        gateway = TestGateway.start("""
                gateway:
                  providers:
                    mock:
                      type: mock
                """, plugins.root());
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/openai/v1").apiKey("not-needed")
                .maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        gateway.close();
    }

    @Test
    void chatCompletion() {
        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("mock/any-model").addUserMessage("Hello from the SDK").build());
        assertEquals("any-model", completion.model());
        String text = completion.choices().get(0).message().content().orElseThrow();
        assertTrue(text.contains("Hello from the SDK"), text);
        assertTrue(completion.usage().orElseThrow().totalTokens() > 0);
    }

    @Test
    void chatStreaming() {
        StringBuilder text = new StringBuilder();
        boolean[] usage = {false};
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("mock/any-model").addUserMessage("stream this")
                        .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder()
                                .includeUsage(true).build())
                        .build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(u -> usage[0] = true);
            });
        }
        assertTrue(text.toString().contains("stream this"), text.toString());
        assertTrue(usage[0], "the final usage chunk arrived");
    }

    @Test
    void responsesStreaming() {
        StringBuilder text = new StringBuilder();
        List<String> types = new java.util.ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
                ResponseCreateParams.builder().model("mock/any-model").input("responses stream").build())) {
            stream.stream().forEach(event -> {
                event.outputTextDelta().ifPresent(delta -> text.append(delta.delta()));
                if (event.isCreated()) {
                    types.add("created");
                }
                if (event.isCompleted()) {
                    types.add("completed");
                }
            });
        }
        assertTrue(text.toString().contains("responses stream"), text.toString());
        assertEquals(List.of("created", "completed"), types);
    }

    @Test
    void embeddings() {
        CreateEmbeddingResponse response = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("mock/mock-embedding").inputOfArrayOfStrings(List.of("a", "b")).build());
        assertEquals(2, response.data().size());
        assertFalse(response.data().get(0).embedding().isEmpty());
    }

    @Test
    void images() {
        ImagesResponse response = client.images().generate(ImageGenerateParams.builder()
                .model(ImageModel.of("mock/mock-image")).prompt("a red fox").build());
        String b64 = response.data().orElseThrow().get(0).b64Json().orElseThrow();
        byte[] png = Base64.getDecoder().decode(b64);
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
    }

    @Test
    void errorsParseWithStatusAndMessage() {
        OpenAIServiceException e = assertThrows(OpenAIServiceException.class, () -> client.chat().completions()
                .create(ChatCompletionCreateParams.builder().model("nosuch/model").addUserMessage("x").build()));
        assertEquals(400, e.statusCode());
        assertTrue(e.getMessage().contains("unknown provider 'nosuch'"), e.getMessage());

        OpenAIServiceException limited = assertThrows(OpenAIServiceException.class, () -> client.chat().completions()
                .create(ChatCompletionCreateParams.builder().model("mock/error-429").addUserMessage("x").build()));
        assertEquals(429, limited.statusCode());
    }
}
