package io.gateway.plugins.gemini;

import static io.gateway.plugins.gemini.Fixtures.complete;
import static io.gateway.plugins.gemini.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmbeddingsTest {

    private final Gemini gemini = new Gemini();

    @AfterEach
    void closeTheFake() {
        gemini.close();
    }
    private final Provider provider = provider(gemini);

    private void answerVectors() {
        gemini.handle(request -> {
            if (request.path().endsWith(":embedContent")) {
                return Replies.json("{\"embedding\":{\"values\":[0.25,-0.5,1.0]}}");
            }
            StringBuilder embeddings = new StringBuilder();
            for (int i = 0; i < request.body().getJsonArray("requests").size(); i++) {
                embeddings.append(i == 0 ? "" : ",").append("{\"values\":[").append(i).append(".5,0.125]}");
            }
            return Replies.json("{\"embeddings\":[" + embeddings + "]}");
        });
    }

    @Test
    void aStringUsesEmbedContent() {
        answerVectors();
        JsonObject body = complete(provider, Operation.EMBEDDING,
                "{\"model\":\"gemini-embedding-001\",\"input\":\"hello world\"}");

        Gemini.Recorded request = gemini.last();
        assertEquals("https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:embedContent",
                request.uri().toString());
        assertEquals("hello world", request.body().getJsonObject("content").getJsonArray("parts").getJsonObject(0)
                .getString("text"));
        assertFalse(request.body().containsKey("outputDimensionality"));

        assertEquals("list", body.getString("object"));
        assertEquals("gemini-embedding-001", body.getString("model"));
        JsonObject first = body.getJsonArray("data").getJsonObject(0);
        assertEquals("embedding", first.getString("object"));
        assertEquals(0, first.getInt("index"));
        JsonArray vector = first.getJsonArray("embedding");
        assertEquals(3, vector.size());
        assertEquals(-0.5, vector.getJsonNumber(1).doubleValue());
        assertEquals(0, body.getJsonObject("usage").getInt("prompt_tokens"), "Gemini reports no tokens here");
        assertEquals(0, body.getJsonObject("usage").getInt("total_tokens"));
    }

    @Test
    void anArrayUsesBatchEmbedContentsWithTheModelInEveryRequest() {
        answerVectors();
        JsonObject body = complete(provider, Operation.EMBEDDING,
                "{\"model\":\"gemini-embedding-001\",\"input\":[\"a\",\"b\",\"c\"],\"dimensions\":256}");

        Gemini.Recorded request = gemini.last();
        assertTrue(request.path().endsWith("/models/gemini-embedding-001:batchEmbedContents"));
        JsonArray requests = request.body().getJsonArray("requests");
        assertEquals(3, requests.size());
        for (int i = 0; i < 3; i++) {
            JsonObject embed = requests.getJsonObject(i);
            assertEquals("models/gemini-embedding-001", embed.getString("model"));
            assertEquals(256, embed.getInt("outputDimensionality"));
        }
        assertEquals("c", requests.getJsonObject(2).getJsonObject("content").getJsonArray("parts").getJsonObject(0)
                .getString("text"));
        JsonArray data = body.getJsonArray("data");
        assertEquals(3, data.size());
        assertEquals(2, data.getJsonObject(2).getInt("index"));
        assertEquals(2.5, data.getJsonObject(2).getJsonArray("embedding").getJsonNumber(0).doubleValue());
    }

    @Test
    void dimensionsReachASingleEmbedding() {
        answerVectors();
        complete(provider, Operation.EMBEDDING, "{\"model\":\"gemini-embedding-001\",\"input\":\"x\",\"dimensions\":3}");
        assertEquals(3, gemini.last().body().getInt("outputDimensionality"));
    }

    @Test
    void base64IsLittleEndianFloat32() {
        answerVectors();
        JsonObject body = complete(provider, Operation.EMBEDDING,
                "{\"model\":\"gemini-embedding-001\",\"input\":\"x\",\"encoding_format\":\"base64\"}");

        String encoded = body.getJsonArray("data").getJsonObject(0).getString("embedding");
        ByteBuffer buffer = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(12, buffer.remaining());
        assertEquals(0.25f, buffer.getFloat());
        assertEquals(-0.5f, buffer.getFloat());
        assertEquals(1.0f, buffer.getFloat());
    }

    @Test
    void reportedTokensAreUsed() {
        gemini.answer("{\"embedding\":{\"values\":[0.1]},\"usageMetadata\":{\"promptTokenCount\":4,"
                + "\"totalTokenCount\":4}}");
        JsonObject usage = complete(provider, Operation.EMBEDDING, "{\"model\":\"gemini-embedding-001\",\"input\":\"x\"}")
                .getJsonObject("usage");
        assertEquals(4, usage.getInt("prompt_tokens"));
        assertEquals(4, usage.getInt("total_tokens"));
    }

    @Test
    void tokenInputAnswers400() {
        for (String input : new String[] {"[1,2,3]", "[[1,2],[3]]"}) {
            GatewayException e = assertThrows(GatewayException.class, () -> provider.call(Fixtures.call(
                    Operation.EMBEDDING, "{\"model\":\"gemini-embedding-001\",\"input\":" + input + "}")));
            assertEquals(400, e.status());
            assertEquals("gemini embeddings take text input", e.getMessage());
            assertEquals("input", e.param());
        }
        for (String body : new String[] {
            "{\"model\":\"gemini-embedding-001\",\"input\":[]}",
            "{\"model\":\"gemini-embedding-001\"}",
            "{\"model\":\"gemini-embedding-001\",\"input\":\"x\",\"encoding_format\":\"hex\"}",
            "{\"model\":\"gemini-embedding-001\",\"input\":\"x\",\"dimensions\":0}"}) {
            GatewayException e = assertThrows(GatewayException.class,
                    () -> provider.call(Fixtures.call(Operation.EMBEDDING, body)), body);
            assertEquals(400, e.status(), body);
        }
        assertTrue(gemini.requests().isEmpty());
    }

    @Test
    void aShortBatchAnswerIsABadUpstreamResponse() {
        gemini.answer("{\"embeddings\":[{\"values\":[1]}]}");
        GatewayException e = assertThrows(GatewayException.class, () -> provider.call(Fixtures.call(
                Operation.EMBEDDING, "{\"model\":\"gemini-embedding-001\",\"input\":[\"a\",\"b\"]}")));
        assertEquals(502, e.status());
    }
}
