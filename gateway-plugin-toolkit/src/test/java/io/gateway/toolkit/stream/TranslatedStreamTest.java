package io.gateway.toolkit.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.StreamEvent;
import io.gateway.testkit.ScriptedEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranslatedStreamTest {

    /** The upstream: these events as data, then its end. */
    private static ScriptedEvents upstream(String... data) {
        return ScriptedEvents.of(java.util.Arrays.stream(data).map(text -> new StreamEvent(null, text)).toList());
    }

    /** Doubles every event, ends with "end", finishes after "stop". */
    private static final class Doubling extends TranslatedStream {
        final List<String> seen = new ArrayList<>();

        Doubling(EventStream upstream) {
            super(upstream);
        }

        @Override
        protected void translate(StreamEvent event) {
            seen.add(event.data());
            if (event.data().equals("bad")) {
                throw GatewayException.of(ErrorCode.BAD_UPSTREAM_RESPONSE, "bad event");
            }
            emit(new StreamEvent(null, event.data() + "1"));
            emit(new StreamEvent(null, event.data() + "2"));
            if (event.data().equals("stop")) {
                finish();
            }
        }

        @Override
        protected void upstreamEnded() {
            emit(new StreamEvent(null, "end"));
        }
    }

    private static List<String> drain(EventStream stream) {
        List<String> out = new ArrayList<>();
        for (StreamEvent event = stream.next(); event != null; event = stream.next()) {
            out.add(event.data());
        }
        return out;
    }

    @Test
    void pullsOneUpstreamEventAtATimeAndSkipsBlankData() {
        ScriptedEvents upstream = upstream("a", " ", "b");
        Doubling stream = new Doubling(upstream);
        assertEquals("a1", stream.next().data());
        assertEquals(1, upstream.pulls(), "nothing is read ahead");
        assertEquals("a2", stream.next().data());
        assertEquals(1, upstream.pulls());
        assertEquals("b1", stream.next().data());
        assertEquals(3, upstream.pulls());
        assertEquals(List.of("b2", "end"), drain(stream));
        assertEquals(List.of("a", "b"), stream.seen);
        assertNull(stream.next(), "an ended stream stays ended");
    }

    @Test
    void finishingDrainsTheRestWithoutTranslatingIt() {
        ScriptedEvents upstream = upstream("a", "stop", "late", "later");
        Doubling stream = new Doubling(upstream);
        assertEquals(List.of("a1", "a2", "stop1", "stop2"), drain(stream));
        assertEquals(List.of("a", "stop"), stream.seen);
        assertEquals(5, upstream.pulls(), "the tail was read to the end");
    }

    @Test
    void aFailureEndsTheStreamOnce() {
        Doubling failing = new Doubling(upstream("a", "bad", "c"));
        assertEquals("a1", failing.next().data());
        assertEquals("a2", failing.next().data());
        assertEquals("bad event", assertThrows(GatewayException.class, failing::next).getMessage());
        assertNull(failing.next());

        Doubling broken = new Doubling(ScriptedEvents.failingAfter(List.of(),
                GatewayException.of(ErrorCode.PROVIDER_CONNECTION_FAILED, "broken")));
        assertEquals(ErrorCode.PROVIDER_CONNECTION_FAILED,
                assertThrows(GatewayException.class, broken::next).errorCode());
        assertNull(broken.next());
    }

    @Test
    void closeClosesTheUpstreamOnceAndEndsTheStream() {
        ScriptedEvents upstream = upstream("a", "b");
        Doubling stream = new Doubling(upstream);
        assertEquals("a1", stream.next().data());
        stream.close();
        stream.close();
        assertEquals(1, upstream.closes());
        assertNull(stream.next());
        assertEquals(1, upstream.pulls());
    }
}
