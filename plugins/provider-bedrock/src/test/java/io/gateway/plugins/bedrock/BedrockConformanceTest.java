package io.gateway.plugins.bedrock;

import io.gateway.testkit.ProviderConformance;
import io.gateway.testkit.TestClock;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.fakes.FakeBedrock;
import io.gateway.spi.Operation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The provider against the test kit's fake Bedrock, checked in memory: chat, Responses, embeddings,
 * images and the model list answer in OpenAI's shapes, streams are translated from the binary event
 * stream, errors keep their status and message, and every upstream answer is released. Every request
 * passes the fake's SigV4 check.
 */
class BedrockConformanceTest {

    @Test
    void theBedrockProviderPassesConformanceWithStaticCredentials() {
        try (FakeBedrock bedrock = FakeBedrock.start().withClock(TestClock.create())) {
            ProviderConformance.of(new BedrockProviderFactory(), TestConfig.provider("bedrock", Map.of(
                    "base-url", bedrock.baseUrl(),
                    "region", FakeBedrock.REGION,
                    "keys", List.of(Map.of("name", "main", "access-key-id", FakeBedrock.ACCESS_KEY_ID,
                            "value", bedrock.apiKey())))), bedrock)
                    .withoutStreaming(Operation.EMBEDDING, Operation.IMAGE_GENERATION)
                    .verify();
        }
    }
}
