package io.gateway.plugins.mock;

import static io.gateway.plugins.mock.Fixtures.complete;
import static io.gateway.plugins.mock.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EmbeddingsTest {

    private final Provider provider = provider();

    @Test
    void embedsAString() {
        JsonObject body = complete(provider, Operation.EMBEDDING, """
                {"model":"mock-embedding","input":"the quick brown fox"}""");

        assertEquals("list", body.getString("object"));
        assertEquals("mock-embedding", body.getString("model"));
        assertEquals(1, body.getJsonArray("data").size());
        JsonObject item = body.getJsonArray("data").getJsonObject(0);
        assertEquals("embedding", item.getString("object"));
        assertEquals(0, item.getInt("index"));
        float[] vector = floats(item.getJsonArray("embedding"));
        assertEquals(Embeddings.DEFAULT_DIMENSIONS, vector.length);
        assertUnit(vector);
        assertEquals(4, body.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(4, body.getJsonObject("usage").getInt("total_tokens"));
    }

    @Test
    void embedsEveryInputForm() {
        JsonObject strings = complete(provider, Operation.EMBEDDING, """
                {"model":"m","input":["a","b c"]}""");
        JsonObject tokens = complete(provider, Operation.EMBEDDING, """
                {"model":"m","input":[1, 2, 3]}""");
        JsonObject tokenArrays = complete(provider, Operation.EMBEDDING, """
                {"model":"m","input":[[1, 2, 3], [4, 5]]}""");

        assertEquals(2, strings.getJsonArray("data").size());
        assertEquals(1, strings.getJsonArray("data").getJsonObject(1).getInt("index"));
        assertEquals(3, strings.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(1, tokens.getJsonArray("data").size());
        assertEquals(3, tokens.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(2, tokenArrays.getJsonArray("data").size());
        assertEquals(5, tokenArrays.getJsonObject("usage").getInt("prompt_tokens"));
        assertEquals(tokens.getJsonArray("data").getJsonObject(0).getJsonArray("embedding"),
                tokenArrays.getJsonArray("data").getJsonObject(0).getJsonArray("embedding"),
                "the same token ids embed the same way in either form");
    }

    @Test
    void sameInputSameVectorDifferentInputDifferentVector() {
        JsonArray first = vectorOf(provider, "hello world");
        JsonArray again = vectorOf(provider(), "hello world");
        JsonArray other = vectorOf(provider, "hello there");

        assertEquals(first, again);
        assertNotEquals(first, other);
        JsonObject batch = complete(provider, Operation.EMBEDDING, """
                {"model":"m","input":["hello there","hello world"]}""");
        assertEquals(first, batch.getJsonArray("data").getJsonObject(1).getJsonArray("embedding"),
                "a vector does not depend on its neighbours in the batch");
    }

    @Test
    void honoursDimensions() {
        JsonObject body = complete(provider, Operation.EMBEDDING, """
                {"model":"m","input":"x","dimensions":64}""");

        float[] vector = floats(body.getJsonArray("data").getJsonObject(0).getJsonArray("embedding"));
        assertEquals(64, vector.length);
        assertUnit(vector);
    }

    @Test
    void base64IsTheLittleEndianFloat32OfTheSameValues() {
        String request = """
                {"model":"m","input":["alpha","beta"],"dimensions":16%s}""";
        JsonObject floats = complete(provider, Operation.EMBEDDING, request.formatted(""));
        JsonObject base64 = complete(provider, Operation.EMBEDDING,
                request.formatted(",\"encoding_format\":\"base64\""));

        for (int i = 0; i < 2; i++) {
            float[] expected = floats(floats.getJsonArray("data").getJsonObject(i).getJsonArray("embedding"));
            byte[] bytes = Base64.getDecoder().decode(base64.getJsonArray("data").getJsonObject(i).getString("embedding"));
            assertEquals(16 * Float.BYTES, bytes.length);
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (float value : expected) {
                assertEquals(value, buffer.getFloat(), 0f, "bit-identical floats");
            }
        }
        assertEquals(floats.getJsonObject("usage"), base64.getJsonObject("usage"));
    }

    @Test
    void rejectsBadInputs() {
        for (String body : new String[] {
                "{\"model\":\"m\"}",
                "{\"model\":\"m\",\"input\":\"\"}",
                "{\"model\":\"m\",\"input\":[]}",
                "{\"model\":\"m\",\"input\":[true]}",
                "{\"model\":\"m\",\"input\":\"x\",\"dimensions\":0}",
                "{\"model\":\"m\",\"input\":\"x\",\"encoding_format\":\"hex\"}"}) {
            GatewayException e = assertThrows(GatewayException.class,
                    () -> provider.call(Fixtures.call(Operation.EMBEDDING, body)), body);
            assertEquals(400, e.status(), body);
        }
    }

    private static JsonArray vectorOf(Provider provider, String input) {
        return complete(provider, Operation.EMBEDDING, "{\"model\":\"m\",\"input\":\"" + input + "\"}")
                .getJsonArray("data").getJsonObject(0).getJsonArray("embedding");
    }

    private static float[] floats(JsonArray array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.getJsonNumber(i).doubleValue();
        }
        return values;
    }

    private static void assertUnit(float[] vector) {
        double sum = 0;
        for (float value : vector) {
            assertTrue(value >= -1 && value <= 1);
            sum += (double) value * value;
        }
        assertEquals(1.0, Math.sqrt(sum), 1e-6);
    }
}
