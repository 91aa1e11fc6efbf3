package io.gateway.testkit.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Value semantics and validation of {@link Reply} and {@link SseFrame}. */
class ReplyAndFrameTest {

    @Test
    void frameEqualityIgnoresTheDelay() {
        SseFrame plain = SseFrame.data("{}");
        SseFrame delayed = plain.after(Duration.ofSeconds(1));

        assertEquals(plain, delayed);
        assertEquals(plain.hashCode(), delayed.hashCode());
        assertEquals(Duration.ofSeconds(1), delayed.delay());
        assertEquals(Duration.ZERO, plain.delay());
        assertNotEquals(plain, SseFrame.event("x", "{}"));
        assertTrue(delayed.toString().contains("1000ms"));
    }

    @Test
    void frameEncoding() {
        assertEquals("data: {\"a\":1}\n\n", SseFrame.data("{\"a\":1}").encode());
        assertEquals("event: e\ndata: a\ndata: b\ndata: c\n\n", SseFrame.event("e", "a\nb\r\nc").encode());
        assertEquals("data: \n\n", SseFrame.data("").encode());
        assertEquals("data: [DONE]\n\n", SseFrame.done().encode());
    }

    @Test
    void typedFrameTakesItsNameFromTheJsonType() {
        JsonObject json = JsonBodies.provider().createObjectBuilder()
                .add("type", "response.completed").add("sequence_number", 3).build();

        SseFrame frame = SseFrame.typed(json);

        assertEquals("response.completed", frame.event());
        assertEquals(3, frame.json().getInt("sequence_number"));
        assertThrows(IllegalArgumentException.class,
                () -> SseFrame.typed(JsonBodies.provider().createObjectBuilder().build()));
    }

    @Test
    void frameFromJsonValue() {
        JsonObject json = JsonBodies.provider().createObjectBuilder().add("a", 1).build();

        assertEquals("{\"a\":1}", SseFrame.data(json).data());
    }

    @Test
    void frameValidation() {
        assertThrows(NullPointerException.class, () -> SseFrame.data((String) null));
        assertThrows(IllegalArgumentException.class, () -> SseFrame.event("a\nb", "x"));
        assertThrows(IllegalArgumentException.class, () -> SseFrame.data("x").after(Duration.ofMillis(-1)));
        assertThrows(IllegalStateException.class, () -> SseFrame.done().json());
        assertTrue(SseFrame.done().isDone());
    }

    @Test
    void replyValidation() {
        assertThrows(IllegalArgumentException.class, () -> Reply.json(99, "{}"));
        assertThrows(IllegalArgumentException.class, () -> Reply.json(600, "{}"));
        assertThrows(IllegalArgumentException.class, () -> Reply.truncated(200, 5, "12345"));
        assertThrows(IllegalArgumentException.class, () -> Reply.truncated(200, Map.of("X", "1"), "12"));
        assertThrows(IllegalArgumentException.class, () -> Reply.truncated(200, Map.of("Content-Length", "x"), "1"));
        assertThrows(IllegalStateException.class, () -> Reply.json(200, "{}").thenDropConnection());
        assertThrows(IllegalStateException.class, () -> Reply.dropConnection().header("a", "b"));
        assertThrows(IllegalStateException.class, () -> Reply.from(r -> Reply.status(200)).header("a", "b"));
        assertThrows(IllegalArgumentException.class, () -> Reply.status(200).delay(Duration.ofMillis(-5)));
        assertThrows(IllegalArgumentException.class, () -> Reply.Chunk.of("x").after(Duration.ofMillis(-5)));
    }

    @Test
    void repliesAreImmutable() {
        Reply base = Reply.json(200, "{}");
        Reply withHeader = base.header("x-a", "1");
        Reply delayed = base.delay(Duration.ofSeconds(1));

        assertEquals(List.of(new Reply.Header("Content-Type", "application/json")), base.effectiveHeaders());
        assertEquals(2, withHeader.effectiveHeaders().size());
        assertEquals(Duration.ZERO, base.delayBefore());
        assertEquals(Duration.ofSeconds(1), delayed.delayBefore());
        assertEquals(200, delayed.status());
        assertTrue(delayed.toString().contains("delay 1000ms"), delayed.toString());
    }

    @Test
    void sseReplyTurnsFramesIntoChunks() {
        Reply reply = Reply.sse(SseFrame.data("a"), SseFrame.event("e", "b").after(Duration.ofMillis(5)));

        assertEquals(200, reply.status());
        assertEquals(2, reply.chunks().size());
        assertArrayEquals("event: e\ndata: b\n\n".getBytes(StandardCharsets.UTF_8), reply.chunks().get(1).bytes());
        assertEquals(Duration.ofMillis(5), reply.chunks().get(1).delay());
    }

    @Test
    void chunkCopiesItsBytes() {
        byte[] bytes = {1, 2, 3};
        Reply.Chunk chunk = Reply.Chunk.of(bytes);
        bytes[0] = 9;

        assertArrayEquals(new byte[] {1, 2, 3}, chunk.bytes());
        assertEquals(Reply.Chunk.of(new byte[] {1, 2, 3}), chunk);
    }
}
