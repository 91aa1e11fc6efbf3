package io.gateway.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResponsesAndStreamsTest {

    @Test
    void aRelayedAnswerKeepsItsBytesAndParsesOnDemand() {
        byte[] bytes = "{ \"id\" : 1.50 }".getBytes(StandardCharsets.UTF_8);
        Response.Complete relayed = Response.Complete.ofBytes(200, null, bytes);
        assertTrue(relayed.isRelayed());
        assertSame(bytes, relayed.bytes(), "relayed as received");
        assertEquals("1.50", relayed.body().get("id").toString());
        assertTrue(relayed.withHeaders(Headers.of("a", "b")).isRelayed());
        Response.Complete rewritten = relayed.withBody(JsonBodies.parse("{\"id\":2}"));
        assertFalse(rewritten.isRelayed());
        assertArrayEquals("{\"id\":2}".getBytes(StandardCharsets.UTF_8), rewritten.bytes());
        assertThrows(GatewayException.class, () -> Response.Complete.ofBytes(200, null, "nope".getBytes()).body());
        assertThrows(NullPointerException.class, () -> Response.Complete.ok(JsonBodies.parse("{}")).withBody(null));
        assertThrows(IllegalArgumentException.class, () -> Response.Complete.of(99, null, JsonBodies.parse("{}")));
    }

    @Test
    void streamDecoratorsReportTheOutcomeOnce() {
        List<StreamOutcome> outcomes = new ArrayList<>();
        EventStream source = EventStream.of(List.of(StreamEvent.data(JsonBodies.parse("{\"a\":1}")),
                new StreamEvent(null, "drop me"), StreamEvent.DONE));
        EventStream stream = source.map(e -> e.data().equals("drop me") ? null : e).onComplete(outcomes::add);
        assertEquals("{\"a\":1}", stream.next().data());
        assertTrue(stream.next().isDone());
        assertNull(stream.next());
        stream.close();
        assertEquals(1, outcomes.size());
        assertEquals(StreamOutcome.Status.COMPLETED, outcomes.get(0).status());
        assertEquals(2, outcomes.get(0).events());
    }

    @Test
    void aFailingOrCancelledStreamIsReportedSo() {
        List<StreamOutcome> outcomes = new ArrayList<>();
        GatewayException failure = GatewayException.of(ErrorCode.TIMEOUT, "idle");
        EventStream failing = new EventStream() {
            @Override
            public StreamEvent next() {
                throw failure;
            }

            @Override
            public void close() {
            }
        }.onComplete(outcomes::add);
        assertSame(failure, assertThrows(GatewayException.class, failing::next));
        AtomicInteger closes = new AtomicInteger();
        EventStream cancelled = EventStream.fromIterator(List.of(StreamEvent.DONE).iterator(), closes::incrementAndGet)
                .onComplete(outcomes::add);
        cancelled.close();
        cancelled.close();
        assertEquals(1, closes.get(), "close is idempotent");
        assertEquals(List.of(StreamOutcome.Status.FAILED, StreamOutcome.Status.CANCELLED),
                outcomes.stream().map(StreamOutcome::status).toList());
        assertSame(failure, outcomes.get(0).error());
    }

    @Test
    void upstreamErrorsKeepTheirStatusAndSayWhetherToRetry() {
        GatewayException limited = GatewayException.upstream(429, null, null, null, null,
                Headers.of("retry-after", "2.5"));
        assertEquals("rate_limit_error", limited.errorCode().type());
        assertTrue(limited.errorCode().retryable());
        assertEquals(Duration.ofMillis(2500), limited.retryAfter().orElseThrow());
        assertEquals("the provider answered HTTP 429", limited.getMessage());
        GatewayException overloaded = GatewayException.upstream(529, "overloaded_error", "overloaded_error",
                "Overloaded", null, Headers.of("retry-after-ms", "150"));
        assertEquals("overloaded_error", overloaded.errorCode().type());
        assertTrue(overloaded.errorCode().retryable());
        assertEquals(Duration.ofMillis(150), overloaded.retryAfter().orElseThrow());
        assertFalse(GatewayException.upstream(400, null, null, "bad", "messages", null).errorCode().retryable());
        assertEquals(502, ErrorCode.upstream(200, null, null).status(), "a non-error status is the gateway's 502");
        assertThrows(IllegalArgumentException.class, () -> new ErrorCode(200, "x", null, false, false));
    }

    @Test
    void headersAreCaseInsensitiveAndShowNoValues() {
        Headers headers = Headers.builder().add("X-Rate", "1").add("x-rate", "2").set("Authorization", "Bearer k")
                .build();
        assertEquals(List.of("1", "2"), headers.all("X-RATE"));
        assertEquals("1", headers.first("x-rate").orElseThrow());
        assertFalse(headers.toString().contains("Bearer"), headers.toString());
        assertFalse(headers.without("authorization").contains("Authorization"));
    }
}
