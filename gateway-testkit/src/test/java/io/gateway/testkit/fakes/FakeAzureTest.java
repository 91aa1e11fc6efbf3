package io.gateway.testkit.fakes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The fake rejects what Azure rejects, checked with raw requests, so a provider's tests cannot pass
 * against a fake that accepts anything.
 */
class FakeAzureTest {

    private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    private static final FakeAzure FAKE = FakeAzure.start()
            .addDeployment("chat-prod", "gpt-4o-2024-08-06", FakeAzure.Capability.CHAT)
            .addDeployment("embed-prod", "text-embedding-3-small", FakeAzure.Capability.EMBEDDING);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterAll
    static void stop() {
        FAKE.close();
    }

    private static HttpResponse<String> post(String pathAndQuery, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(FAKE.baseUrl() + pathAndQuery))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("api-key", key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String message(HttpResponse<String> response) {
        return JsonBodies.parse(response.body()).getJsonObject("error").getString("message");
    }

    @Test
    void aRequestWithoutAnApiKeyOfTheResourceIsDenied() throws Exception {
        HttpResponse<String> response = post("/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21",
                null, CHAT);
        assertEquals(401, response.statusCode());
        assertEquals(FakeAzure.ACCESS_DENIED, message(response));
        HttpRequest bearer = HttpRequest.newBuilder(URI.create(FAKE.baseUrl()
                        + "/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21"))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + FakeAzure.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
        assertEquals(401, CLIENT.send(bearer, HttpResponse.BodyHandlers.ofString()).statusCode(),
                "a key is not accepted as a bearer token");
        assertEquals(401, post("/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21",
                "another-key", CHAT).statusCode());
    }

    @Test
    void bothKeysOfTheResourceWork() throws Exception {
        for (String key : new String[] {FakeAzure.API_KEY, FakeAzure.SECOND_KEY}) {
            assertEquals(200, post("/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21", key,
                    CHAT).statusCode(), key);
        }
    }

    @Test
    void theClassicFormNeedsAKnownApiVersion() throws Exception {
        HttpResponse<String> missing = post("/openai/deployments/chat-prod/chat/completions", FakeAzure.API_KEY,
                CHAT);
        assertEquals(404, missing.statusCode());
        assertEquals("Resource not found", message(missing));
        assertEquals(404, post("/openai/deployments/chat-prod/chat/completions?api-version=2099-01-01",
                FakeAzure.API_KEY, CHAT).statusCode());
        assertEquals(200, post("/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21",
                FakeAzure.API_KEY, CHAT).statusCode());
    }

    @Test
    void theResponsesEndpointNeedsAPreviewVersion() throws Exception {
        String body = "{\"model\":\"chat-prod\",\"input\":\"Hi\"}";
        assertEquals(404, post("/openai/responses?api-version=2024-10-21", FakeAzure.API_KEY, body).statusCode());
        assertEquals(200, post("/openai/responses?api-version=2025-04-01-preview", FakeAzure.API_KEY, body)
                .statusCode());
        assertEquals(404, post("/openai/deployments/chat-prod/responses?api-version=2025-04-01-preview",
                FakeAzure.API_KEY, body).statusCode(), "Responses is not deployment-scoped");
    }

    @Test
    void anUnknownDeploymentIsNotFound() throws Exception {
        HttpResponse<String> response = post("/openai/deployments/nope/chat/completions?api-version=2024-10-21",
                FakeAzure.API_KEY, CHAT);
        assertEquals(404, response.statusCode());
        assertEquals(FakeAzure.DEPLOYMENT_NOT_FOUND, message(response));
        HttpResponse<String> v1 = post("/openai/v1/chat/completions", FakeAzure.API_KEY,
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals(404, v1.statusCode());
        assertTrue(v1.body().contains("DeploymentNotFound"));
    }

    @Test
    void theV1FormRefusesADatedApiVersionAndNeedsAModel() throws Exception {
        String body = "{\"model\":\"chat-prod\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        HttpResponse<String> versioned = post("/openai/v1/chat/completions?api-version=2024-10-21",
                FakeAzure.API_KEY, body);
        assertEquals(400, versioned.statusCode());
        assertTrue(versioned.body().contains("api-version query parameter is not allowed"));
        assertEquals(400, post("/openai/v1/chat/completions", FakeAzure.API_KEY, CHAT).statusCode());
        assertEquals(200, post("/openai/v1/chat/completions", FakeAzure.API_KEY, body).statusCode());
    }

    @Test
    void bodiesAreChecked() throws Exception {
        String url = "/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21";
        assertEquals(400, post(url, FakeAzure.API_KEY, "{not json").statusCode());
        assertEquals(400, post(url, FakeAzure.API_KEY, "{}").statusCode());
        HttpResponse<String> unknown = post(url, FakeAzure.API_KEY,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"logprob\":true}");
        assertEquals(400, unknown.statusCode());
        assertEquals("logprob", JsonBodies.parse(unknown.body()).getJsonObject("error").getString("param"));
        HttpRequest text = HttpRequest.newBuilder(URI.create(FAKE.baseUrl() + url))
                .header("api-key", FakeAzure.API_KEY).header("content-type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
        assertEquals(415, CLIENT.send(text, HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> embeddingsDeployment = post(
                "/openai/deployments/embed-prod/chat/completions?api-version=2024-10-21", FakeAzure.API_KEY, CHAT);
        assertEquals(400, embeddingsDeployment.statusCode(), "an embeddings deployment does not chat");
        assertTrue(embeddingsDeployment.body().contains("OperationNotSupported"));
    }

    @Test
    void azureExtensionsAreAccepted() throws Exception {
        HttpResponse<String> response = post("/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21",
                FakeAzure.API_KEY, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                        + "\"data_sources\":[{\"type\":\"azure_search\",\"parameters\":{\"endpoint\":\"https://s\"}}]}");
        assertEquals(200, response.statusCode(), response.body());
        assertFalse(response.headers().firstValue("x-ms-region").isEmpty());
    }
}
