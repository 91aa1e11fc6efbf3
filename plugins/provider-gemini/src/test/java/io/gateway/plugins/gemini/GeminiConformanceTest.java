package io.gateway.plugins.gemini;

import io.gateway.spi.Operation;
import io.gateway.testkit.ProviderConformance;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.fakes.FakeGemini;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The provider against the test kit's fake of the Gemini API, checked in memory. Gemini cannot stream
 * images (the provider refuses a streamed image request), so images are checked complete only.
 */
class GeminiConformanceTest {

    @Test
    void theGeminiProviderPassesConformance() {
        try (FakeGemini gemini = FakeGemini.start()) {
            ProviderConformance.of(new GeminiPlugin().providerFactories().get(0), TestConfig.provider("gemini", Map.of(
                    "base-url", gemini.baseUrl(),
                    "keys", List.of(Map.of("name", "main", "value", gemini.apiKey())))), gemini)
                    .withoutStreaming(Operation.IMAGE_GENERATION)
                    .verify();
        }
    }
}
