package io.gateway.translation.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** OpenAI image sizes as the aspect ratios Gemini's {@code imageConfig} offers. */
class ImagesTest {

    @Test
    void sizesMapToTheNearestAspectRatio() {
        assertEquals("1:1", Images.aspectRatio("1024x1024"));
        assertEquals("2:3", Images.aspectRatio("1024x1536"));
        assertEquals("16:9", Images.aspectRatio("1792x1024"));
        assertEquals("9:16", Images.aspectRatio("1024x1792"));
        assertEquals("21:9", Images.aspectRatio("2520x1080"));
    }
}
