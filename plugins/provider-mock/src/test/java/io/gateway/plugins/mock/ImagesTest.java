package io.gateway.plugins.mock;

import static io.gateway.plugins.mock.Fixtures.complete;
import static io.gateway.plugins.mock.Fixtures.provider;
import static io.gateway.plugins.mock.Fixtures.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagesTest {

    private final Provider provider = provider();

    @Test
    void thePngDecodesToTheExpectedPixels() throws IOException {
        BufferedImage image = decode(TinyPng.BASE64);

        assertEquals(TinyPng.SIZE, image.getWidth());
        assertEquals(TinyPng.SIZE, image.getHeight());
        for (int y = 0; y < TinyPng.SIZE; y++) {
            for (int x = 0; x < TinyPng.SIZE; x++) {
                assertEquals(TinyPng.PIXELS[y][x], image.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void generatesNImagesWithUsage() throws IOException {
        JsonObject body = complete(provider, Operation.IMAGE_GENERATION, """
                {"model":"mock-image","prompt":"a red fox in snow","n":2,"quality":"low"}""");

        assertEquals(Fixtures.NOW.getEpochSecond(), body.getJsonNumber("created").longValue());
        assertEquals(2, body.getJsonArray("data").size());
        for (int i = 0; i < 2; i++) {
            JsonObject image = body.getJsonArray("data").getJsonObject(i);
            assertNotNull(decode(image.getString("b64_json")));
            assertEquals("a red fox in snow", image.getString("revised_prompt"));
            assertFalse(image.containsKey("url"));
        }
        assertEquals("png", body.getString("output_format"));
        assertEquals("low", body.getString("quality"));
        assertEquals("1024x1024", body.getString("size"));
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(5, usage.getInt("input_tokens"));
        assertEquals(5, usage.getJsonObject("input_tokens_details").getInt("text_tokens"));
        assertEquals(0, usage.getJsonObject("input_tokens_details").getInt("image_tokens"));
        assertEquals(2 * 272, usage.getInt("output_tokens"));
        assertEquals(5 + 2 * 272, usage.getInt("total_tokens"));
    }

    @Test
    void urlFormatAnswersDataUrls() throws IOException {
        JsonObject body = complete(provider, Operation.IMAGE_GENERATION, """
                {"model":"dall-e-3","prompt":"a cat","response_format":"url"}""");

        JsonObject image = body.getJsonArray("data").getJsonObject(0);
        assertFalse(image.containsKey("b64_json"));
        String url = image.getString("url");
        assertTrue(url.startsWith("data:image/png;base64,"));
        assertNotNull(decode(url.substring(url.indexOf(',') + 1)));
    }

    @Test
    void streamsPartialImagesThenCompleted() throws IOException {
        List<StreamEvent> events = stream(provider, Operation.IMAGE_GENERATION, """
                {"model":"mock-image","prompt":"a cat","stream":true,"partial_images":2,"size":"1536x1024"}""");

        assertEquals(List.of("image_generation.partial_image", "image_generation.partial_image",
                "image_generation.completed"), events.stream().map(StreamEvent::event).toList());
        for (int i = 0; i < 2; i++) {
            JsonObject partial = events.get(i).json();
            assertEquals("image_generation.partial_image", partial.getString("type"));
            assertEquals(i, partial.getInt("partial_image_index"));
            assertNotNull(decode(partial.getString("b64_json")));
            assertEquals(Fixtures.NOW.getEpochSecond(), partial.getJsonNumber("created_at").longValue());
            assertEquals("1536x1024", partial.getString("size"));
            assertEquals("medium", partial.getString("quality"));
            assertEquals("opaque", partial.getString("background"));
            assertEquals("png", partial.getString("output_format"));
        }
        JsonObject completed = events.getLast().json();
        assertNotNull(decode(completed.getString("b64_json")));
        assertEquals(2 + 1056, completed.getJsonObject("usage").getInt("total_tokens"));
    }

    @Test
    void streamWithoutPartialImagesIsOneCompletedEvent() {
        List<StreamEvent> events = stream(provider, Operation.IMAGE_GENERATION, """
                {"model":"mock-image","prompt":"a cat","stream":true}""");

        assertEquals(1, events.size());
        assertEquals("image_generation.completed", events.getFirst().event());
    }

    @Test
    void rejectsAMissingPrompt() {
        GatewayException e = assertThrows(GatewayException.class,
                () -> provider.call(Fixtures.call(Operation.IMAGE_GENERATION, "{\"model\":\"m\"}")));
        assertEquals(400, e.status());
        assertEquals("prompt", e.param());
    }

    private static BufferedImage decode(String base64) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
        assertNotNull(image, "ImageIO recognises the bytes as an image");
        return image;
    }
}
