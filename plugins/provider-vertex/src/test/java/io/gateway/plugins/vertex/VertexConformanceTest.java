package io.gateway.plugins.vertex;

import io.gateway.spi.Operation;
import io.gateway.testkit.ProviderConformance;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.fakes.FakeVertex;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The provider against the test kit's fake Vertex AI, checked in memory: once with Gemini models for chat
 * and Responses, once with a Claude model (and Anthropic's errors). Images are checked complete only: Gemini
 * does not stream them.
 */
class VertexConformanceTest {

    private static TestConfig config(FakeVertex vertex) {
        return TestConfig.provider("vertex", Map.of(
                "base-url", vertex.baseUrl(),
                "location", "us-central1",
                "models", List.of("gemini-2.5-flash", "claude-sonnet-4-5@20250929"),
                "keys", List.of(Map.of("name", "main", "value", vertex.apiKey()))));
    }

    @Test
    void geminiModelsPassConformance() {
        try (FakeVertex vertex = FakeVertex.start()) {
            ProviderConformance.of(new VertexProviderFactory(), config(vertex), vertex)
                    .withoutStreaming(Operation.IMAGE_GENERATION)
                    .verify();
        }
    }

    @Test
    void claudeModelsPassConformance() {
        try (FakeVertex vertex = FakeVertex.start().claudeForChat()) {
            ProviderConformance.of(new VertexProviderFactory(), config(vertex), vertex)
                    .withoutStreaming(Operation.IMAGE_GENERATION)
                    .verify();
        }
    }
}
