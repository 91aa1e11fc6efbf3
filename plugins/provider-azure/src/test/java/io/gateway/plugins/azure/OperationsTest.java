package io.gateway.plugins.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import jakarta.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.gateway.testkit.fakes.FakeAzure;
import io.gateway.testkit.http.Reply;

/**
 * Every operation without streaming, in the classic form ({@code api-version: 2024-10-21}) and the
 * v1 form ({@code api-version: v1}): the URL, the headers and body the fake received, and the answer
 * relayed byte for byte.
 */
class OperationsTest {

    private static final Map<String, String> DEPLOYMENTS = Map.of(
            "gpt-4o", "chat-prod",
            "gpt-35-turbo-instruct", "instruct-prod",
            "text-embedding-3-small", "embed-prod",
            "gpt-image-1", "image-prod");

    private static boolean v1(String version) {
        return version.equals("v1");
    }

    private static void assertForm(Harness.Recorded request, String version, String classicPath, String v1Path,
                                   String classicVersion) {
        if (v1(version)) {
            assertEquals(v1Path, request.path());
            assertTrue(request.query().isEmpty(), "the v1 form takes no api-version: " + request.query());
        } else {
            assertEquals(classicPath, request.path());
            assertEquals(Map.of("api-version", classicVersion), request.query());
        }
    }

    private static void assertRelayed(Harness azure, Response.Complete answer) {
        assertEquals(200, answer.status());
        assertArrayEquals(azure.lastAnswer(), answer.bytes(), "the body is relayed byte for byte");
        assertEquals("99", answer.headers().first("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals("89000", answer.headers().first("x-ratelimit-remaining-tokens").orElseThrow());
        assertTrue(answer.headers().first("apim-request-id").isPresent(), "apim-request-id is relayed");
        assertFalse(answer.headers().contains("x-ms-region"), "Azure's routing headers stay behind");
        assertFalse(answer.headers().contains("x-request-id"), "the gateway sets its own x-request-id");
        assertFalse(answer.headers().contains("content-type"), "the server sets content headers itself");
    }

    private static void assertJsonPost(Harness.Recorded request) {
        assertEquals("POST", request.method());
        assertEquals(FakeAzure.API_KEY, request.headers().first("api-key").orElseThrow());
        assertEquals("application/json", request.headers().first("content-type").orElseThrow());
        assertEquals("application/json", request.headers().first("accept").orElseThrow());
        assertFalse(request.headers().contains("authorization"), "Azure keys go in api-key, not Authorization");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void chatCompletions(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            Response.Complete answer = azure.complete(azure.call(Operation.CHAT_COMPLETION, "gpt-4o", """
                    {"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},
                     {"role":"user","content":[{"type":"text","text":"Hello?"}]}],"max_completion_tokens":50,"n":1}
                    """, "main"));
            Harness.Recorded request = azure.last();
            assertForm(request, version, "/openai/deployments/chat-prod/chat/completions", "/openai/v1/chat/completions",
                    "2024-10-21");
            assertJsonPost(request);
            JsonObject sent = request.json();
            assertEquals(v1(version) ? "chat-prod" : "gpt-4o", sent.getString("model"),
                    "the v1 form names the deployment in the body; the classic form leaves the body's model alone");
            assertEquals(50, sent.getInt("max_completion_tokens"));
            assertEquals("Be brief.", sent.getJsonArray("messages").getJsonObject(0).getString("content"));
            assertRelayed(azure, answer);
            JsonObject body = answer.body();
            assertEquals("gpt-4o-2024-08-06", body.getString("model"));
            assertEquals("Hello from Azure! You said: Hello?", body.getJsonArray("choices").getJsonObject(0).getJsonObject("message")
                    .getString("content"));
            assertEquals(0, body.getJsonArray("prompt_filter_results").getJsonObject(0).getInt("prompt_index"),
                    "Azure's filter annotations reach the client");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void textCompletions(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            Response.Complete answer = azure.complete(azure.call(Operation.TEXT_COMPLETION, "gpt-35-turbo-instruct",
                    "{\"model\":\"gpt-35-turbo-instruct\",\"prompt\":\"Say hello\",\"max_tokens\":5}", "main"));
            Harness.Recorded request = azure.last();
            assertForm(request, version, "/openai/deployments/instruct-prod/completions", "/openai/v1/completions",
                    "2024-10-21");
            assertJsonPost(request);
            assertEquals(v1(version) ? "instruct-prod" : "gpt-35-turbo-instruct", request.json().getString("model"));
            assertRelayed(azure, answer);
            assertEquals("text_completion", answer.body().getString("object"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void embeddings(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            Response.Complete answer = azure.complete(azure.call(Operation.EMBEDDING, "text-embedding-3-small",
                    "{\"model\":\"text-embedding-3-small\",\"input\":[\"one\",\"two\"],\"dimensions\":3}", "main"));
            Harness.Recorded request = azure.last();
            assertForm(request, version, "/openai/deployments/embed-prod/embeddings", "/openai/v1/embeddings",
                    "2024-10-21");
            assertJsonPost(request);
            assertEquals(3, request.json().getInt("dimensions"));
            assertRelayed(azure, answer);
            assertEquals(2, answer.body().getJsonArray("data").size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void base64EmbeddingsArriveUntouched(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            ByteBuffer sent = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.1f).putFloat(-0.2f)
                    .putFloat(0.3f);
            azure.fake.answerNext(Reply.json(200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\","
                    + "\"index\":0,\"embedding\":\"" + Base64.getEncoder().encodeToString(sent.array()) + "\"}],"
                    + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}"));
            Response.Complete answer = azure.complete(azure.call(Operation.EMBEDDING, "text-embedding-3-small",
                    "{\"model\":\"text-embedding-3-small\",\"input\":\"one\",\"encoding_format\":\"base64\"}", "main"));
            assertArrayEquals(azure.lastAnswer(), answer.bytes());
            String encoded = answer.body().getJsonArray("data").getJsonObject(0).getString("embedding");
            ByteBuffer floats = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0.1f, floats.getFloat());
            assertEquals(-0.2f, floats.getFloat());
            assertEquals(0.3f, floats.getFloat());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void imageGenerations(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            Response.Complete answer = azure.complete(azure.call(Operation.IMAGE_GENERATION, "gpt-image-1",
                    "{\"model\":\"gpt-image-1\",\"prompt\":\"a lighthouse\",\"size\":\"1024x1024\",\"n\":1}", "main"));
            Harness.Recorded request = azure.last();
            assertForm(request, version, "/openai/deployments/image-prod/images/generations",
                    "/openai/v1/images/generations", "2024-10-21");
            assertJsonPost(request);
            assertEquals(v1(version) ? "image-prod" : "gpt-image-1", request.json().getString("model"));
            assertRelayed(azure, answer);
            JsonObject image = answer.body().getJsonArray("data").getJsonObject(0);
            assertTrue(image.containsKey("b64_json"));
            assertEquals(2, answer.body().getJsonObject("usage").getJsonObject("input_tokens_details")
                    .getInt("text_tokens"), "the fake counts the prompt's words");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void responses(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            Response.Complete answer = azure.complete(azure.call(Operation.RESPONSES, "gpt-4o",
                    "{\"model\":\"gpt-4o\",\"input\":\"Hello?\",\"instructions\":\"Be brief.\"}", "main"));
            Harness.Recorded request = azure.last();
            assertForm(request, version, "/openai/responses", "/openai/v1/responses",
                    AzureProviderFactory.DEFAULT_RESPONSES_API_VERSION);
            assertJsonPost(request);
            assertEquals("chat-prod", request.json().getString("model"),
                    "the Responses endpoint is not deployment-scoped: the deployment goes in the body in both forms");
            assertEquals("Be brief.", request.json().getString("instructions"));
            assertRelayed(azure, answer);
            assertEquals("response", answer.body().getString("object"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void listModels(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            Response.Complete answer = azure.complete(azure.call(Operation.LIST_MODELS, null, "{}", "main"));
            Harness.Recorded request = azure.last();
            assertForm(request, version, "/openai/models", "/openai/v1/models", "2024-10-21");
            assertEquals("GET", request.method());
            assertEquals(0, request.body().length);
            assertEquals(FakeAzure.API_KEY, request.headers().first("api-key").orElseThrow());
            assertNull(request.headers().first("content-type").orElse(null), "a GET carries no content-type");
            assertRelayed(azure, answer);
            assertEquals("gpt-4o-2024-08-06", answer.body().getJsonArray("data").getJsonObject(0).getString("id"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-06-01", "2025-04-01-preview"})
    void theConfiguredApiVersionIsSent(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            azure.complete(azure.call(Operation.CHAT_COMPLETION, "gpt-4o",
                    "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "main"));
            assertEquals(version, azure.last().query().get("api-version"));
            azure.complete(azure.call(Operation.LIST_MODELS, null, "{}", "main"));
            assertEquals(version, azure.last().query().get("api-version"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-21", "v1"})
    void theBodyIsSentAsTheRouterPreparedIt(String version) {
        try (Harness azure = Harness.withVersion(version, DEPLOYMENTS)) {
            String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                    + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"strict\":true,"
                    + "\"parameters\":{\"type\":\"object\",\"properties\":{}}}}],\"temperature\":0.2,"
                    + "\"data_sources\":[{\"type\":\"azure_search\",\"parameters\":{\"endpoint\":\"https://s\"}}]}";
            azure.complete(azure.call(Operation.CHAT_COMPLETION, "gpt-4o", body, "main"));
            JsonObject expected = JsonBodies.parse(body);
            if (v1(version)) {
                expected = JsonBodies.provider().createObjectBuilder(expected).add("model", "chat-prod").build();
            }
            assertEquals(expected, azure.last().json(), "every field, Azure extensions included, goes up as is");
        }
    }
}
