package io.gateway.plugins.anthropic;

import static io.gateway.plugins.anthropic.Fixtures.complete;
import static io.gateway.plugins.anthropic.Fixtures.failure;
import static io.gateway.plugins.anthropic.Fixtures.obj;
import static io.gateway.plugins.anthropic.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.upstream.UpstreamRequest;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GET /v1/models as OpenAI's model list. */
class ModelsTest {

    private final Anthropic fake = new Anthropic();

    @AfterEach
    void closeTheFake() {
        fake.close();
    }
    private final Provider provider = provider(fake);

    @Test
    void translatesTheList() {
        fake.onModels(query -> Answers.json(Fixtures.json("{'data':[{'type':'model','id':'claude-opus-4-1',"
                + "'display_name':'Claude Opus 4.1','created_at':'2025-08-05T00:00:00Z'},{'type':'model',"
                + "'id':'claude-3-5-haiku-20241022','display_name':'Claude Haiku 3.5',"
                + "'created_at':'2024-10-22T00:00:00Z'}],'has_more':false,'first_id':'claude-opus-4-1',"
                + "'last_id':'claude-3-5-haiku-20241022'}")));
        JsonObject list = complete(provider, Operation.LIST_MODELS, "{}");
        assertEquals(obj("{'object':'list','data':[{'id':'claude-opus-4-1','object':'model','created':1754352000,"
                + "'owned_by':'anthropic'},{'id':'claude-3-5-haiku-20241022','object':'model','created':1729555200,"
                + "'owned_by':'anthropic'}]}"), list);
        UpstreamRequest request = fake.lastRequest();
        assertEquals("GET", request.method());
        assertEquals("https://api.anthropic.com/v1/models?limit=1000", request.uri().toString());
        assertEquals(Fixtures.KEY, request.headers().first("x-api-key").orElseThrow());
        assertEquals("2023-06-01", request.headers().first("anthropic-version").orElseThrow());
    }

    @Test
    void followsPages() {
        fake.onModels(query -> Answers.json(query.contains("after_id=m2")
                ? Fixtures.json("{'data':[{'id':'m3','created_at':'2024-01-01T00:00:00Z'}],'has_more':false,"
                        + "'first_id':'m3','last_id':'m3'}")
                : Fixtures.json("{'data':[{'id':'m1','created_at':'2024-01-01T00:00:00Z'},{'id':'m2',"
                        + "'created_at':'not a date'}],'has_more':true,'first_id':'m1','last_id':'m2'}")));
        JsonObject list = complete(provider, Operation.LIST_MODELS, "{}");
        assertEquals(3, list.getJsonArray("data").size());
        assertEquals("m3", list.getJsonArray("data").getJsonObject(2).getString("id"));
        assertEquals(0, list.getJsonArray("data").getJsonObject(1).getInt("created"));
        assertEquals(2, fake.requests().size());
        assertEquals("limit=1000&after_id=m2", fake.lastRequest().uri().getQuery());
    }

    @Test
    void errorsKeepTheirStatus() {
        fake.onModels(query -> Answers.error(403, "permission_error", "No access"));
        assertEquals(403, failure(provider, Operation.LIST_MODELS, "{}").status());
    }
}
