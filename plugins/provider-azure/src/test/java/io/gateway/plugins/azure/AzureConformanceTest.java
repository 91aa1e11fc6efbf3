package io.gateway.plugins.azure;

import io.gateway.testkit.ProviderConformance;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.fakes.FakeAzure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The provider against the test kit's fake Azure OpenAI resource, checked in memory, in the classic
 * (dated api-version) and the v1 URL form. The resource's deployments are named like their models, so
 * the key maps none.
 */
class AzureConformanceTest {

    private static void verify(String apiVersion) {
        try (FakeAzure azure = FakeAzure.start()) {
            ProviderConformance.verify(new AzureProviderFactory(), TestConfig.provider("azure", Map.of(
                    "base-url", azure.baseUrl(),
                    "api-version", apiVersion,
                    "keys", List.of(Map.of("name", "main", "value", azure.apiKey())))), azure);
        }
    }

    @Test
    void theClassicFormPassesConformance() {
        verify("2024-10-21");
    }

    @Test
    void theV1FormPassesConformance() {
        verify("v1");
    }
}
