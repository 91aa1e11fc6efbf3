package io.gateway.plugins.gemini;

import static io.gateway.plugins.gemini.Fixtures.complete;
import static io.gateway.plugins.gemini.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelsTest {

    private final Gemini gemini = new Gemini();

    @AfterEach
    void closeTheFake() {
        gemini.close();
    }
    private final Provider provider = provider(gemini);

    @Test
    void everyPageIsListedWithBareIds() {
        gemini.handle(request -> {
            String query = request.uri().getQuery();
            if (query.contains("pageToken=")) {
                return Replies.json("""
                        {"models":[{"name":"models/gemini-embedding-001","displayName":"Embedding",
                          "supportedGenerationMethods":["embedContent"]}]}""");
            }
            return Replies.json("""
                    {"models":[
                      {"name":"models/gemini-2.5-flash","version":"001","displayName":"Gemini 2.5 Flash",
                       "inputTokenLimit":1048576,"supportedGenerationMethods":["generateContent"]},
                      {"name":"models/gemini-2.5-pro"}],
                     "nextPageToken":"page 2/="}""");
        });

        JsonObject body = complete(provider, Operation.LIST_MODELS, null);

        assertEquals(2, gemini.requests().size());
        Gemini.Recorded first = gemini.requests().get(0);
        assertEquals("GET", first.method());
        assertEquals("https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000",
                first.uri().toString());
        assertFalse(first.headers().contains("content-type"));
        assertEquals("pageSize=1000&pageToken=page 2/=", gemini.requests().get(1).uri().getQuery());

        assertEquals("list", body.getString("object"));
        JsonArray data = body.getJsonArray("data");
        assertEquals(3, data.size());
        JsonObject model = data.getJsonObject(0);
        assertEquals("gemini-2.5-flash", model.getString("id"));
        assertEquals("model", model.getString("object"));
        assertEquals(0, model.getInt("created"));
        assertEquals("google", model.getString("owned_by"));
        assertEquals("gemini-embedding-001", data.getJsonObject(2).getString("id"));
    }

    @Test
    void anEmptyListIsAnEmptyList() {
        gemini.answer("{}");
        assertEquals(0, complete(provider, Operation.LIST_MODELS, null).getJsonArray("data").size());
    }
}
