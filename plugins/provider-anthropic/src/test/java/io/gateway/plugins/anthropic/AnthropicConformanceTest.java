package io.gateway.plugins.anthropic;

import io.gateway.testkit.ProviderConformance;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.fakes.FakeAnthropic;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider against the test kit's fake of Anthropic's Messages API, checked in memory. */
class AnthropicConformanceTest {

    @Test
    void theAnthropicProviderPassesConformance() {
        try (FakeAnthropic anthropic = FakeAnthropic.start()) {
            ProviderConformance.verify(new AnthropicProviderFactory(), TestConfig.provider("claude", Map.of(
                    "base-url", anthropic.baseUrl(),
                    "keys", List.of(Map.of("name", "main", "value", anthropic.apiKey())))), anthropic);
        }
    }
}
