package io.gateway.plugins.mock;

import static io.gateway.plugins.mock.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelsTest {

    @Test
    void listsTheDefaultModels() {
        JsonObject body = list(provider());

        assertEquals("list", body.getString("object"));
        assertEquals(List.of("mock-model", "mock-embedding", "mock-image"), ids(body));
        JsonObject model = body.getJsonArray("data").getJsonObject(0);
        assertEquals("model", model.getString("object"));
        assertEquals("mock", model.getString("owned_by"));
        assertEquals(Fixtures.NOW.getEpochSecond(), model.getJsonNumber("created").longValue());
    }

    @Test
    void listsConfiguredModelsBare() {
        JsonObject body = list(provider(Map.of("models", List.of("alpha", "beta"))));

        assertEquals(List.of("alpha", "beta"), ids(body));
    }

    private static JsonObject list(io.gateway.spi.provider.Provider provider) {
        // The router sends GET models with an empty body and no model.
        Response response = provider.call(Fixtures.call(Operation.LIST_MODELS, JsonValue.EMPTY_JSON_OBJECT,
                Fixtures.NOW.plus(Fixtures.DEADLINE), Fixtures.IDLE));
        return ((Response.Complete) response).body();
    }

    private static List<String> ids(JsonObject body) {
        return body.getJsonArray("data").getValuesAs(JsonObject.class).stream()
                .map(model -> model.getString("id")).toList();
    }
}
