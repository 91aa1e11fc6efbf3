package io.gateway.plugins.gemini;

import static io.gateway.plugins.gemini.Answers.candidate;
import static io.gateway.plugins.gemini.Answers.object;
import static io.gateway.plugins.gemini.Answers.response;
import static io.gateway.plugins.gemini.Answers.textPart;
import static io.gateway.plugins.gemini.Answers.usage;
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
import jakarta.json.JsonObjectBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ImagesTest {

    private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    private final Gemini gemini = new Gemini();

    @AfterEach
    void closeTheFake() {
        gemini.close();
    }
    private final Provider provider = provider(gemini);

    private static JsonObjectBuilder image(String mimeType, String data) {
        return object().add("inlineData", object().add("mimeType", mimeType).add("data", data));
    }

    @Test
    void imagePartsBecomeB64JsonWithUsage() {
        gemini.answer(response(usage(12, 1290), candidate(0, "STOP", textPart("Here is your cat."),
                image("image/png", PNG))).toString());

        JsonObject body = complete(provider, Operation.IMAGE_GENERATION,
                "{\"model\":\"gemini-2.5-flash-image\",\"prompt\":\"a cat in a hat\",\"size\":\"1536x1024\"}");

        Gemini.Recorded request = gemini.last();
        assertTrue(request.path().endsWith("/models/gemini-2.5-flash-image:generateContent"));
        JsonObject content = request.body().getJsonArray("contents").getJsonObject(0);
        assertEquals("user", content.getString("role"));
        assertEquals("a cat in a hat", content.getJsonArray("parts").getJsonObject(0).getString("text"));
        JsonObject config = request.body().getJsonObject("generationConfig");
        JsonArray modalities = config.getJsonArray("responseModalities");
        assertEquals("TEXT", modalities.getString(0));
        assertEquals("IMAGE", modalities.getString(1));
        assertFalse(config.containsKey("candidateCount"));
        assertEquals("3:2", config.getJsonObject("imageConfig").getString("aspectRatio"));

        assertEquals(Fixtures.NOW.getEpochSecond(), body.getJsonNumber("created").longValue());
        JsonArray data = body.getJsonArray("data");
        assertEquals(1, data.size());
        assertEquals(PNG, data.getJsonObject(0).getString("b64_json"));
        assertEquals("png", body.getString("output_format"));
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(12, usage.getInt("input_tokens"));
        assertEquals(1290, usage.getInt("output_tokens"));
        assertEquals(1302, usage.getInt("total_tokens"));
        assertEquals(12, usage.getJsonObject("input_tokens_details").getInt("text_tokens"));
        assertEquals(0, usage.getJsonObject("input_tokens_details").getInt("image_tokens"));
    }

    @Test
    void nAsksForCandidatesAndEveryImageIsReturned() {
        gemini.answer(response(usage(5, 2580), candidate(0, "STOP", image("image/png", PNG)),
                candidate(1, "STOP", image("image/jpeg", "/9j/4AAQ"))).toString());

        JsonObject body = complete(provider, Operation.IMAGE_GENERATION,
                "{\"model\":\"gemini-2.5-flash-image\",\"prompt\":\"two dogs\",\"n\":2,\"size\":\"auto\","
                        + "\"response_format\":\"b64_json\",\"quality\":\"high\"}");

        JsonObject config = gemini.last().body().getJsonObject("generationConfig");
        assertEquals(2, config.getInt("candidateCount"));
        assertFalse(config.containsKey("imageConfig"), "auto leaves the ratio to the model");
        assertEquals(2, body.getJsonArray("data").size());
        assertEquals("/9j/4AAQ", body.getJsonArray("data").getJsonObject(1).getString("b64_json"));
    }


    @Test
    void urlsStreamsAndBadSizesAnswer400() {
        GatewayException url = assertThrows(GatewayException.class, () -> provider.call(Fixtures.call(
                Operation.IMAGE_GENERATION, "{\"model\":\"m\",\"prompt\":\"x\",\"response_format\":\"url\"}")));
        assertEquals(400, url.status());
        assertEquals("gemini returns images as b64_json", url.getMessage());
        assertEquals("response_format", url.param());

        GatewayException stream = assertThrows(GatewayException.class, () -> provider.call(Fixtures.call(
                Operation.IMAGE_GENERATION, "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}")));
        assertEquals(400, stream.status());
        assertEquals("stream", stream.param());

        for (String body : new String[] {"{\"model\":\"m\",\"prompt\":\"x\",\"size\":\"big\"}",
            "{\"model\":\"m\",\"prompt\":\"  \"}", "{\"model\":\"m\",\"prompt\":\"x\",\"n\":0}"}) {
            GatewayException e = assertThrows(GatewayException.class,
                    () -> provider.call(Fixtures.call(Operation.IMAGE_GENERATION, body)), body);
            assertEquals(400, e.status(), body);
        }
        assertTrue(gemini.requests().isEmpty());
    }

    @Test
    void refusedImagesAnswerAContentPolicyError() {
        gemini.answer(response(usage(7, 0), candidate(0, "IMAGE_SAFETY")).toString());
        GatewayException e = assertThrows(GatewayException.class, () -> provider.call(Fixtures.call(
                Operation.IMAGE_GENERATION, "{\"model\":\"gemini-2.5-flash-image\",\"prompt\":\"x\"}")));
        assertEquals(400, e.status());
        assertEquals("content_policy_violation", e.errorCode().code());
        assertEquals("prompt", e.param());

        gemini.answer("{\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}");
        e = assertThrows(GatewayException.class, () -> provider.call(Fixtures.call(
                Operation.IMAGE_GENERATION, "{\"model\":\"gemini-2.5-flash-image\",\"prompt\":\"x\"}")));
        assertEquals("content_policy_violation", e.errorCode().code());
    }

    @Test
    void aTextOnlyAnswerIsABadUpstreamResponse() {
        gemini.answer(Answers.text("I can only describe images."));
        GatewayException e = assertThrows(GatewayException.class, () -> provider.call(Fixtures.call(
                Operation.IMAGE_GENERATION, "{\"model\":\"gemini-2.5-flash-image\",\"prompt\":\"x\"}")));
        assertEquals(502, e.status());
        assertTrue(e.getMessage().contains("gemini-2.5-flash-image"));
    }
}
