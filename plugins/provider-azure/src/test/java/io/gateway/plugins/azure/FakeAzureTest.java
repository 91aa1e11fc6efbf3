package io.gateway.plugins.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fake rejects what Azure rejects, checked with raw requests, so the provider's tests cannot
 * pass against a fake that accepts anything.
 */
class FakeAzureTest {

    private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    private static FakeAzure fake;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        fake = new FakeAzure();
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    private static HttpResponse<String> post(String pathAndQuery, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fake.baseUrl() + pathAndQuery))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("api-key", key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRequestWithoutTheApiKeyIsDenied() throws Exception {
        HttpResponse<String> response = post("/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21",
                null, CHAT);
        assertEquals(401, response.statusCode());
        assertEquals(FakeAzure.ACCESS_DENIED, response.body());
        HttpRequest bearer = HttpRequest.newBuilder(URI.create(fake.baseUrl()
                        + "/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21"))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + FakeAzure.KEY1)
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
        assertEquals(401, CLIENT.send(bearer, HttpResponse.BodyHandlers.ofString()).statusCode(),
                "a key is not accepted as a bearer token");
    }

    @Test
    void theClassicFormNeedsAKnownApiVersion() throws Exception {
        HttpResponse<String> missing = post("/openai/deployments/chat-prod/chat/completions", FakeAzure.KEY1, CHAT);
        assertEquals(404, missing.statusCode());
        assertEquals(FakeAzure.RESOURCE_NOT_FOUND, missing.body());
        assertEquals(404, post("/openai/deployments/chat-prod/chat/completions?api-version=2099-01-01",
                FakeAzure.KEY1, CHAT).statusCode());
        assertEquals(200, post("/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21",
                FakeAzure.KEY1, CHAT).statusCode());
    }

    @Test
    void theResponsesEndpointNeedsAPreviewVersion() throws Exception {
        String body = "{\"model\":\"chat-prod\",\"input\":\"Hi\"}";
        assertEquals(404, post("/openai/responses?api-version=2024-10-21", FakeAzure.KEY1, body).statusCode());
        assertEquals(200, post("/openai/responses?api-version=2025-04-01-preview", FakeAzure.KEY1, body).statusCode());
        assertEquals(404, post("/openai/deployments/chat-prod/responses?api-version=2025-04-01-preview",
                FakeAzure.KEY1, body).statusCode(), "Responses is not deployment-scoped");
    }

    @Test
    void anUnknownDeploymentIsNotFound() throws Exception {
        HttpResponse<String> response = post("/openai/deployments/nope/chat/completions?api-version=2024-10-21",
                FakeAzure.KEY1, CHAT);
        assertEquals(404, response.statusCode());
        assertEquals(FakeAzure.DEPLOYMENT_NOT_FOUND, response.body());
        HttpResponse<String> v1 = post("/openai/v1/chat/completions", FakeAzure.KEY1,
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals(404, v1.statusCode());
        assertTrue(v1.body().contains("DeploymentNotFound"));
    }

    @Test
    void theV1FormRefusesAnApiVersionAndNeedsAModel() throws Exception {
        String body = "{\"model\":\"chat-prod\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        HttpResponse<String> versioned = post("/openai/v1/chat/completions?api-version=2024-10-21", FakeAzure.KEY1,
                body);
        assertEquals(400, versioned.statusCode());
        assertTrue(versioned.body().contains("api-version query parameter is not allowed"));
        assertEquals(400, post("/openai/v1/chat/completions", FakeAzure.KEY1, CHAT).statusCode());
        assertEquals(200, post("/openai/v1/chat/completions", FakeAzure.KEY1, body).statusCode());
    }

    @Test
    void bodiesAreChecked() throws Exception {
        String url = "/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21";
        assertEquals(400, post(url, FakeAzure.KEY1, "{not json").statusCode());
        assertEquals(400, post(url, FakeAzure.KEY1, "{}").statusCode());
        HttpRequest text = HttpRequest.newBuilder(URI.create(fake.baseUrl() + url))
                .header("api-key", FakeAzure.KEY1).header("content-type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
        assertEquals(415, CLIENT.send(text, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(400, post("/openai/deployments/embed-prod/chat/completions?api-version=2024-10-21",
                FakeAzure.KEY1, CHAT).statusCode(), "an embeddings deployment does not chat");
    }
}
