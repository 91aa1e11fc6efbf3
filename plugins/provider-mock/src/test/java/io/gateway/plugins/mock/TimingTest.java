package io.gateway.plugins.mock;

import static io.gateway.plugins.mock.Fixtures.json;
import static io.gateway.plugins.mock.Fixtures.provider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.ErrorCode;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.Response;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimingTest {

    private static final String CHAT = """
            {"model":"m","messages":[{"role":"user","content":"one two three"}]}""";
    private static final String CHAT_STREAM = """
            {"model":"m","stream":true,"messages":[{"role":"user","content":"one two three"}]}""";
    private static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void latencyDelaysACompleteAnswer() {
        Provider provider = provider(Map.of("latency", "200ms"));

        long start = System.nanoTime();
        Response response = provider.call(Fixtures.call(Operation.CHAT_COMPLETION, CHAT));

        assertInstanceOf(Response.Complete.class, response);
        assertTrue(elapsedMillis(start) >= 200, "waited the latency");
    }

    @Test
    void latencyPastTheDeadlineTimesOutAtTheDeadline() {
        Provider provider = provider(Map.of("latency", "30s"));

        long start = System.nanoTime();
        GatewayException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                GatewayException.class, () -> provider.call(Fixtures.call(Operation.CHAT_COMPLETION, json(CHAT),
                        Fixtures.NOW.plusMillis(150), LONG))));

        assertEquals(ErrorCode.TIMEOUT, e.errorCode());
        long elapsed = elapsedMillis(start);
        assertTrue(elapsed >= 150 && elapsed < 10_000, "waited until the deadline, not the latency: " + elapsed);
    }

    @Test
    void latencyDelaysTheFirstStreamEventNotTheCall() {
        Provider provider = provider(Map.of("latency", "300ms"));

        long start = System.nanoTime();
        Response.Streaming streaming = (Response.Streaming) provider.call(
                Fixtures.call(Operation.CHAT_COMPLETION, CHAT_STREAM));
        try (EventStream events = streaming.events()) {
            assertNotNull(events.next());
            assertTrue(elapsedMillis(start) >= 300);
        }
    }

    @Test
    void streamLatencyPastTheDeadlineFailsTheFirstEvent() {
        Provider provider = provider(Map.of("latency", "30s"));
        Response.Streaming streaming = (Response.Streaming) provider.call(Fixtures.call(
                Operation.CHAT_COMPLETION, json(CHAT_STREAM), Fixtures.NOW.plusMillis(100), LONG));

        try (EventStream events = streaming.events()) {
            GatewayException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(GatewayException.class, events::next));
            assertEquals(504, e.status());
        }
    }

    @Test
    void streamIntervalPacesEvents() {
        Provider provider = provider(Map.of("stream-interval", "50ms"));
        Response.Streaming streaming = (Response.Streaming) provider.call(
                Fixtures.call(Operation.CHAT_COMPLETION, CHAT_STREAM));

        long start = System.nanoTime();
        int count = Fixtures.drain(streaming.events()).size();

        assertTrue(elapsedMillis(start) >= (count - 1) * 50L, "one interval between each pair of events");
    }

    @Test
    void intervalLongerThanTheIdleTimeoutFailsTheStream() {
        Provider provider = provider(Map.of("stream-interval", "30s"));
        Response.Streaming streaming = (Response.Streaming) provider.call(Fixtures.call(
                Operation.CHAT_COMPLETION, json(CHAT_STREAM), Fixtures.NOW.plusSeconds(30),
                Duration.ofMillis(100)));

        try (EventStream events = streaming.events()) {
            assertNotNull(events.next(), "the first event is not subject to the interval");
            GatewayException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(GatewayException.class, events::next));
            assertEquals(ErrorCode.TIMEOUT, e.errorCode());
        }
    }

    @Test
    void closeFromAnotherThreadStopsASlowStreamPromptly() throws InterruptedException {
        Provider provider = provider(Map.of("stream-interval", "30s"));
        Response.Streaming streaming = (Response.Streaming) provider.call(Fixtures.call(
                Operation.CHAT_COMPLETION, json(CHAT_STREAM), Fixtures.NOW.plusSeconds(60), LONG));
        EventStream events = streaming.events();
        assertNotNull(events.next());

        Thread closer = Thread.ofVirtual().start(() -> {
            sleep(100);
            events.close();
        });
        long start = System.nanoTime();
        assertNull(assertTimeoutPreemptively(Duration.ofSeconds(5), events::next), "a closed stream ends");
        assertTrue(elapsedMillis(start) < 5_000);
        assertTrue(closer.join(Duration.ofSeconds(5)));
        assertNull(events.next(), "and stays ended");
        events.close();
    }

    @Test
    void closeInterruptsTheWaitForTheFirstEvent() {
        Provider provider = provider(Map.of("latency", "30s"));
        Response.Streaming streaming = (Response.Streaming) provider.call(Fixtures.call(
                Operation.CHAT_COMPLETION, json(CHAT_STREAM), Fixtures.NOW.plusSeconds(60), LONG));
        EventStream events = streaming.events();

        Thread.ofVirtual().start(() -> {
            sleep(100);
            events.close();
        });
        assertNull(assertTimeoutPreemptively(Duration.ofSeconds(5), events::next));
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
