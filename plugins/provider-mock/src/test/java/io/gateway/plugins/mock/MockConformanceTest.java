package io.gateway.plugins.mock;

import io.gateway.testkit.ProviderConformance;
import io.gateway.testkit.TestConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mock calls no upstream, so it is checked without a vendor fake: shapes, streams, refusals. */
class MockConformanceTest {

    @Test
    void theMockPassesConformance() {
        ProviderConformance.of(new MockProviderFactory(), TestConfig.provider("mock", Map.of())).verify();
    }
}
