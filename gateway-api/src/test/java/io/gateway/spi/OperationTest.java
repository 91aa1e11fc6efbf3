package io.gateway.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The operations' wire names and stream framing, which metrics, error envelopes and the server rely on. */
class OperationTest {

    @Test
    void rerankIsNamedRerankAndNeverStreams() {
        assertEquals("rerank", Operation.RERANK.wireName());
        assertFalse(Operation.RERANK.streamable(), "rerank answers one JSON document");
        assertFalse(Operation.RERANK.namedEvents());
        assertEquals(Operation.RERANK, Operation.valueOf("RERANK"));
    }

    @Test
    void passthroughIsNamedPassthroughAndLeavesStreamsToTheAnswer() {
        assertEquals("passthrough", Operation.PASSTHROUGH.wireName());
        assertFalse(Operation.PASSTHROUGH.streamable(), "no stream field: the answer's content type decides");
        assertFalse(Operation.PASSTHROUGH.namedEvents());
    }

    @Test
    void wireNamesAreUnique() {
        assertEquals(Operation.values().length, Arrays.stream(Operation.values()).map(Operation::wireName)
                .distinct().count());
    }
}
