package io.gateway.testkit.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private static SseFrame data(String data) {
        return SseFrame.data(data);
    }

    @Test
    void unnamedAndNamedEvents() {
        List<SseFrame> frames = SseParser.readAll("data: {\"a\":1}\n\nevent: response.created\ndata: {\"b\":2}\n\n");

        assertEquals(List.of(data("{\"a\":1}"), new SseFrame("response.created", "{\"b\":2}")), frames);
        assertNull(frames.get(0).event());
    }

    @Test
    void multiLineDataIsJoinedWithLineFeeds() {
        assertEquals(List.of(data("one\ntwo\n\nfour")),
                SseParser.readAll("data: one\ndata: two\ndata:\ndata: four\n\n"));
    }

    @Test
    void commentsAreSkippedAndCounted() {
        SseParser parser = new SseParser(bytes(": keep-alive\n\n:another\ndata: x\n: inside\n\n"));

        assertEquals(List.of(data("x")), parser.stream().toList());
        assertEquals(3, parser.comments());
    }

    @Test
    void crlfAndCrLineEndsAreAccepted() {
        assertEquals(List.of(new SseFrame("e", "a\nb"), data("c"), data("d")),
                SseParser.readAll("event: e\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\rdata: d\n\r\n"));
    }

    @Test
    void blankEventsAreNotDispatched() {
        assertEquals(List.of(data("x")), SseParser.readAll("\n\n\nevent: lonely\n\n\n\ndata: x\n\n\n\n"));
    }

    @Test
    void eventNameDoesNotLeakIntoTheNextEvent() {
        assertEquals(List.of(data("x")), SseParser.readAll("event: ignored\n\ndata: x\n\n"));
    }

    @Test
    void anEmptyDataFieldIsAnEventWithEmptyData() {
        assertEquals(List.of(data(""), data("")), SseParser.readAll("data\n\ndata:\n\n"));
    }

    @Test
    void onlyOneSpaceAfterTheColonIsRemoved() {
        assertEquals(List.of(data("x"), data("x"), data(" x"), data("x:y: z")),
                SseParser.readAll("data:x\n\ndata: x\n\ndata:  x\n\ndata: x:y: z\n\n"));
    }

    @Test
    void idIsTrackedAndRetryAndUnknownFieldsIgnored() {
        SseParser parser = new SseParser(bytes("id: 7\nretry: 1000\nfoo: bar\ndata: x\n\nid: bad\0id\ndata: y\n\n"));

        assertEquals(data("x"), parser.next());
        assertEquals("7", parser.lastEventId());
        assertEquals(data("y"), parser.next());
        assertEquals("7", parser.lastEventId(), "an id with NUL is ignored");
        assertFalse(parser.hasNext());
    }

    @Test
    void leadingByteOrderMarkIsSkipped() {
        assertEquals(List.of(new SseFrame("e", "x")), SseParser.readAll("\uFEFFevent: e\ndata: x\n\n"));
    }

    @Test
    void incompleteEventAtTheEndIsDiscarded() {
        assertEquals(List.of(data("x")), SseParser.readAll("data: x\n\ndata: partial\n"));
        assertEquals(List.of(data("x")), SseParser.readAll("data: x\n\ndata: no line end"));
    }

    @Test
    void doneSentinelIsAnOrdinaryFrame() {
        List<SseFrame> frames = SseParser.readAll("data: {}\n\ndata: [DONE]\n\n");

        assertTrue(frames.get(1).isDone());
        assertEquals(SseFrame.done(), frames.get(1));
    }

    @Test
    void multiByteCharactersSplitAcrossReads() {
        String text = "data: héllo – 你好 🎉\n\n";

        assertEquals(List.of(data("héllo – 你好 🎉")), SseParser.readAll(new OneByteAtATime(bytes(text))));
    }

    @Test
    void crlfSplitAcrossReadsIsOneLineEnd() {
        assertEquals(List.of(data("a"), data("b")),
                SseParser.readAll(new OneByteAtATime(bytes("data: a\r\n\r\ndata: b\r\n\r\n"))));
    }

    @Test
    void nextAtTheEndThrowsAndNextOrNullReturnsNull() {
        SseParser parser = new SseParser(bytes("data: x\n\n"));

        assertEquals(data("x"), parser.nextOrNull());
        assertNull(parser.nextOrNull());
        assertFalse(parser.hasNext());
        assertThrows(NoSuchElementException.class, parser::next);
    }

    @Test
    void readFailureSurfacesAsUncheckedIoException() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };

        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SseParser.readAll(failing));
        assertEquals("connection reset", e.getCause().getMessage());
    }

    @Test
    void framesAreYieldedAsSoonAsTheyAreComplete() throws Exception {
        PipedOutputStream writer = new PipedOutputStream();
        PipedInputStream reader = new PipedInputStream(writer, 1024);
        try (SseParser parser = new SseParser(reader)) {
            writer.write(bytes("data: first\n\ndata: sec").readAllBytes());
            writer.flush();

            assertEquals(data("first"), parser.next());

            CompletableFuture<SseFrame> second = CompletableFuture.supplyAsync(parser::next);
            assertThrows(TimeoutException.class, () -> second.get(200, TimeUnit.MILLISECONDS),
                    "the second frame is not complete yet");
            writer.write("ond\n\r".getBytes(StandardCharsets.UTF_8));
            writer.flush();
            assertEquals(data("second"), second.get(30, TimeUnit.SECONDS),
                    "a CR ends the blank line without waiting for a possible LF");

            writer.write("\n".getBytes(StandardCharsets.UTF_8));
            writer.close();
            assertFalse(parser.hasNext());
        }
    }

    @Test
    void encodedFramesParseBackToTheSameFrames() {
        List<SseFrame> frames = List.of(
                SseFrame.event("image_generation.partial_image", "{\"type\":\"image_generation.partial_image\"}"),
                data("multi\nline\r\nwith crlf"),
                data(""),
                data(" spaced "),
                SseFrame.done());
        StringBuilder wire = new StringBuilder();
        frames.forEach(frame -> wire.append(frame.encode()));

        List<SseFrame> parsed = SseParser.readAll(wire.toString());

        assertEquals(List.of(frames.get(0), data("multi\nline\nwith crlf"), data(""), data(" spaced "),
                SseFrame.done()), parsed);
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Delivers one byte per read, as a slow network might. */
    private static final class OneByteAtATime extends FilterInputStream {
        OneByteAtATime(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(1, len));
        }
    }
}
