package io.gateway.plugins.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.testkit.ProviderHarness;
import io.gateway.testkit.fakes.FakeBedrock;
import io.gateway.testkit.http.RecordedRequest;
import jakarta.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Embeddings and image generations through InvokeModel, in each model family's body. */
class InvokeModelTest {

    @Test
    void titanEmbedsOneTextPerCallInOrder() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            JsonObject answer = provider.complete(Operation.EMBEDDING, """
                    {"model":"amazon.titan-embed-text-v2:0","input":["first text","second longer text"],
                     "dimensions":256}""");
            List<RecordedRequest> calls = bedrock.fake.requests();
            assertEquals(2, calls.size());
            assertEquals("/model/amazon.titan-embed-text-v2%3A0/invoke", calls.get(0).path());
            assertEquals(JsonBodies.parse("{\"inputText\":\"first text\",\"dimensions\":256}"), calls.get(0).bodyJson());
            assertEquals("second longer text", calls.get(1).bodyJson().getString("inputText"));
            assertEquals(2, answer.getJsonArray("data").size());
            assertEquals(1, answer.getJsonArray("data").getJsonObject(1).getInt("index"));
            assertEquals(256, answer.getJsonArray("data").getJsonObject(0).getJsonArray("embedding").size());
            assertEquals(5, answer.getJsonObject("usage").getInt("prompt_tokens"), "2 + 3 words");
        }
    }

    @Test
    void cohereEmbedsABatchWithItsInputTypeAndHeaderTokenCount() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            JsonObject answer = provider.complete(Operation.EMBEDDING, """
                    {"model":"cohere.embed-english-v3","input":["a b","c"],"input_type":"search_query",
                     "encoding_format":"base64"}""");
            assertEquals(1, bedrock.fake.requests().size());
            JsonObject sent = bedrock.lastBody();
            assertEquals(JsonBodies.parse("{\"texts\":[\"a b\",\"c\"],\"input_type\":\"search_query\","
                    + "\"embedding_types\":[\"float\"]}"), sent);
            String base64 = answer.getJsonArray("data").getJsonObject(0).getString("embedding");
            ByteBuffer floats = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(1024 * 4, floats.remaining());
            assertEquals(3, answer.getJsonObject("usage").getInt("prompt_tokens"));
        }
    }

    @Test
    void embeddingsRefuseOtherModelsTokenIdsAndFixedSizeDimensions() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            assertEquals(400, provider.failure(Operation.EMBEDDING,
                    "{\"model\":\"" + FakeBedrock.CHAT_MODEL + "\",\"input\":\"x\"}").status());
            assertEquals(400, provider.failure(Operation.EMBEDDING,
                    "{\"model\":\"amazon.titan-embed-text-v2:0\",\"input\":[[1,2]]}").status());
            assertEquals("dimensions", provider.failure(Operation.EMBEDDING,
                    "{\"model\":\"amazon.titan-embed-text-v1\",\"input\":\"x\",\"dimensions\":256}").param());
            assertTrue(bedrock.fake.requests().isEmpty());
            GatewayException upstream = provider.failure(Operation.EMBEDDING,
                    "{\"model\":\"amazon.titan-embed-text-v2:0\",\"input\":\"x\",\"dimensions\":300}");
            assertEquals(400, upstream.status());
            assertTrue(upstream.getMessage().contains("dimensions"), upstream.getMessage());
        }
    }

    @Test
    void imagesAreTextImageTasks() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            JsonObject answer = provider.complete(Operation.IMAGE_GENERATION, """
                    {"model":"amazon.titan-image-generator-v2:0","prompt":"a red fox","n":2,"size":"512x768",
                     "quality":"hd","negative_prompt":"blurry","seed":7}""");
            assertEquals(JsonBodies.parse("""
                    {"taskType":"TEXT_IMAGE","textToImageParams":{"text":"a red fox","negativeText":"blurry"},
                     "imageGenerationConfig":{"numberOfImages":2,"quality":"premium","width":512,"height":768,
                     "seed":7}}"""), bedrock.lastBody());
            assertEquals(2, answer.getJsonArray("data").size());
            assertTrue(answer.getJsonArray("data").getJsonObject(0).getString("b64_json").startsWith("iVBOR"));
            assertEquals(400, provider.failure(Operation.IMAGE_GENERATION,
                    "{\"model\":\"amazon.nova-canvas-v1:0\",\"prompt\":\"x\",\"response_format\":\"url\"}").status());
            assertEquals(400, provider.failure(Operation.IMAGE_GENERATION,
                    "{\"model\":\"stability.sd3-large-v1:0\",\"prompt\":\"x\"}").status());
        }
    }

    @Test
    void theModelListHoldsOnDemandModelsAndInferenceProfiles() {
        try (Bedrock bedrock = new Bedrock(); ProviderHarness provider = bedrock.provider()) {
            JsonObject list = provider.complete(Operation.LIST_MODELS, "{}");
            List<String> ids = list.getJsonArray("data").stream().map(v -> v.asJsonObject().getString("id")).toList();
            assertTrue(ids.contains("anthropic.claude-3-5-haiku-20241022-v1:0"), ids.toString());
            assertTrue(ids.contains(FakeBedrock.CHAT_MODEL), ids.toString());
            assertTrue(!ids.contains("anthropic.claude-sonnet-4-20250514-v1:0"), "needs a profile: " + ids);
            assertEquals("ON_DEMAND", bedrock.fake.requests().get(0).queryParameter("byInferenceType"));
        }
    }
}
