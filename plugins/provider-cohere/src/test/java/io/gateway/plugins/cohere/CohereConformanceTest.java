package io.gateway.plugins.cohere;

import io.gateway.testkit.ProviderConformance;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.fakes.FakeCohere;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider against the test kit's fake of Cohere's v2 API, checked in memory: chat, embeddings, rerank. */
class CohereConformanceTest {

    @Test
    void theCohereProviderPassesConformance() {
        try (FakeCohere cohere = FakeCohere.start()) {
            ProviderConformance.verify(new CohereProviderFactory(), TestConfig.provider("cohere", Map.of(
                    "base-url", cohere.baseUrl(),
                    "keys", List.of(Map.of("name", "main", "value", cohere.apiKey())))), cohere);
        }
    }
}
