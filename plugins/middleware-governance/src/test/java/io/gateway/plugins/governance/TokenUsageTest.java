package io.gateway.plugins.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import org.junit.jupiter.api.Test;

class TokenUsageTest {

    @Test
    void readsEveryUsageShape() {
        assertEquals(new TokenUsage(3, 4, 7), TokenUsage.inBody(JsonBodies.parse(
                "{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}")));
        assertEquals(new TokenUsage(3, 4, 7), TokenUsage.inBody(JsonBodies.parse(
                "{\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}")));
        assertEquals(new TokenUsage(8, 0, 8), TokenUsage.inBody(JsonBodies.parse(
                "{\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}")));
        assertNull(TokenUsage.inBody(JsonBodies.parse("{\"usage\":null}")));
        assertNull(TokenUsage.inBody(JsonBodies.parse("{\"usage\":{}}")));
        assertNull(TokenUsage.inBody(JsonBodies.parse("{}")));
    }

    @Test
    void findsStreamUsageOnlyInTheEventThatCarriesIt() {
        assertNull(TokenUsage.inEvent(Operation.RESPONSES, JsonBodies.parse(
                "{\"type\":\"response.in_progress\",\"response\":{\"usage\":{\"input_tokens\":1}}}")));
        assertEquals(new TokenUsage(1, 2, 3), TokenUsage.inEvent(Operation.RESPONSES, JsonBodies.parse(
                "{\"type\":\"response.incomplete\",\"response\":{\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}}")));
        assertNull(TokenUsage.inEvent(Operation.IMAGE_GENERATION, JsonBodies.parse(
                "{\"type\":\"image_generation.partial_image\",\"usage\":{\"input_tokens\":1}}")));
        assertEquals(new TokenUsage(5, 0, 5), TokenUsage.inEvent(Operation.CHAT_COMPLETION, JsonBodies.parse(
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":5}}")));
    }

    @Test
    void spotsTheUsageOnlyChunk() {
        assertTrue(TokenUsage.isUsageOnlyChunk(JsonBodies.parse("{\"choices\":[],\"usage\":{\"total_tokens\":1}}")));
        assertFalse(TokenUsage.isUsageOnlyChunk(JsonBodies.parse("{\"choices\":[{}],\"usage\":{\"total_tokens\":1}}")));
        assertFalse(TokenUsage.isUsageOnlyChunk(JsonBodies.parse("{\"choices\":[],\"usage\":null}")));
    }

    @Test
    void parsesOnlyDataThatMayHoldAUsageObject() {
        assertTrue(TokenUsage.mayHoldUsage("{\"choices\":[],\"usage\":{\"total_tokens\":1}}"));
        assertTrue(TokenUsage.mayHoldUsage("{\"usage\" :\n {\"total_tokens\":1}}"));
        assertTrue(TokenUsage.mayHoldUsage("{\"usage\":null,\"response\":{\"usage\":{}}}"));
        assertFalse(TokenUsage.mayHoldUsage("{\"choices\":[],\"usage\":null}"));
        assertFalse(TokenUsage.mayHoldUsage("{\"delta\":\"the \\\"usage\\\": {} field\"}"));
        assertFalse(TokenUsage.mayHoldUsage("[DONE]"));
    }
}
