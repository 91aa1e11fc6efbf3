package io.gateway.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.GatewayException;
import io.gateway.spi.StreamEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptedEventsTest {

    private static final StreamEvent ONE = new StreamEvent(null, "1");
    private static final StreamEvent TWO = new StreamEvent("named", "2");

    @Test
    void countsPullsAndDeliveries() {
        ScriptedEvents events = ScriptedEvents.of(List.of(ONE, TWO));
        assertSame(ONE, events.next());
        assertSame(TWO, events.next());
        assertNull(events.next());
        assertNull(events.next());
        assertEquals(4, events.pulls());
        assertEquals(2, events.delivered());
    }

    @Test
    void failsAfterItsEventsAsScripted() {
        GatewayException broken = GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED, "broken");
        ScriptedEvents events = ScriptedEvents.failingAfter(List.of(ONE), broken);
        assertSame(ONE, events.next());
        assertSame(broken, assertThrows(GatewayException.class, events::next));
    }

    @Test
    void aConsumerThatReadsAheadFailsInsteadOfHanging() {
        ScriptedEvents events = new ScriptedEvents().waitAtMost(Duration.ofMillis(50)).push(ONE);
        events.next();
        AssertionError error = assertThrows(AssertionError.class, events::next);
        assertTrue(error.getMessage().contains("reads ahead"), error.getMessage());
    }

    @Test
    void eventsPushedLaterReachAWaitingConsumer() throws Exception {
        ScriptedEvents events = new ScriptedEvents();
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            events.push(TWO).end();
        });
        assertSame(TWO, events.next());
        assertNull(events.next());
        producer.join();
    }

    @Test
    void aClosedStreamEnds() {
        ScriptedEvents events = new ScriptedEvents().push(ONE);
        events.close();
        assertTrue(events.closed());
        assertNull(events.next());
    }
}
