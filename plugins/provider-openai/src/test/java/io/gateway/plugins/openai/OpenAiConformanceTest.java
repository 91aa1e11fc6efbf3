package io.gateway.plugins.openai;

import io.gateway.testkit.ProviderConformance;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.fakes.FakeOpenAi;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider against the test kit's fake of OpenAI's API, checked in memory as the server would call it. */
class OpenAiConformanceTest {

    @Test
    void theOpenAiTypePassesConformance() {
        try (FakeOpenAi openai = FakeOpenAi.start()) {
            ProviderConformance.verify(new OpenAiProviderFactory(Preset.OPENAI), TestConfig.provider("openai", Map.of(
                    "base-url", openai.apiBase(),
                    "keys", List.of(Map.of("name", "main", "value", openai.apiKey())))), openai);
        }
    }
}
