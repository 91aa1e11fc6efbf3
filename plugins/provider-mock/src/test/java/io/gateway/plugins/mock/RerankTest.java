package io.gateway.plugins.mock;

import static io.gateway.plugins.mock.Fixtures.complete;
import static io.gateway.plugins.mock.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

class RerankTest {

    private final Provider provider = provider();

    @Test
    void ordersDocumentsByTheShareOfQueryWordsTheyHold() {
        JsonObject body = complete(provider, Operation.RERANK, """
                {"model":"mock-rerank","query":"capital of France",
                 "documents":["Berlin is a city","Paris is the capital of France",{"text":"the capital of Spain"}]}""");

        JsonArray results = body.getJsonArray("results");
        assertEquals(3, results.size());
        assertEquals(1, results.getJsonObject(0).getInt("index"));
        assertEquals(1.0, results.getJsonObject(0).getJsonNumber("relevance_score").doubleValue());
        assertEquals(2, results.getJsonObject(1).getInt("index"));
        assertEquals(2.0 / 3, results.getJsonObject(1).getJsonNumber("relevance_score").doubleValue(), 1e-6);
        assertEquals(0, results.getJsonObject(2).getInt("index"));
        assertFalse(results.getJsonObject(0).containsKey("document"), "documents only when asked for");
        assertEquals("mock-rerank", body.getString("model"));
        assertEquals(3 + 4 + 6 + 4, body.getJsonObject("usage").getInt("total_tokens"));
    }

    @Test
    void topNCutsAndReturnDocumentsAddsTheText() {
        JsonObject body = complete(provider, Operation.RERANK, """
                {"model":"m","query":"fox","documents":["a dog","a fox"],"top_n":1,"return_documents":true}""");

        JsonArray results = body.getJsonArray("results");
        assertEquals(1, results.size());
        assertEquals(1, results.getJsonObject(0).getInt("index"));
        assertEquals("a fox", results.getJsonObject(0).getJsonObject("document").getString("text"));
    }

    @Test
    void aDocumentWithoutTextIs400() {
        GatewayException e = assertThrows(GatewayException.class, () -> complete(provider, Operation.RERANK, """
                {"model":"m","query":"q","documents":[{"title":"t"}]}"""));
        assertEquals(400, e.status());
        assertEquals("documents", e.param());
    }
}
