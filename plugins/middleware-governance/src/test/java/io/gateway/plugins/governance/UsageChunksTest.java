package io.gateway.plugins.governance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import org.junit.jupiter.api.Test;

class UsageChunksTest {

    @Test
    void spotsTheUsageOnlyChunk() {
        assertTrue(UsageChunks.isUsageOnlyChunk(JsonBodies.parse("{\"choices\":[],\"usage\":{\"total_tokens\":1}}")));
        assertFalse(UsageChunks.isUsageOnlyChunk(JsonBodies.parse("{\"choices\":[{}],\"usage\":{\"total_tokens\":1}}")));
        assertFalse(UsageChunks.isUsageOnlyChunk(JsonBodies.parse("{\"choices\":[],\"usage\":null}")));
    }

    @Test
    void parsesOnlyDataThatMayHoldAUsageObject() {
        assertTrue(UsageChunks.mayHoldUsage("{\"choices\":[],\"usage\":{\"total_tokens\":1}}"));
        assertTrue(UsageChunks.mayHoldUsage("{\"usage\" :\n {\"total_tokens\":1}}"));
        assertTrue(UsageChunks.mayHoldUsage("{\"usage\":null,\"response\":{\"usage\":{}}}"));
        assertFalse(UsageChunks.mayHoldUsage("{\"choices\":[],\"usage\":null}"));
        assertFalse(UsageChunks.mayHoldUsage("{\"delta\":\"the \\\"usage\\\": {} field\"}"));
        assertFalse(UsageChunks.mayHoldUsage("[DONE]"));
    }
}
