package io.gateway.server.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gateway.spi.StreamEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseEventReaderTest {

    private static SseEventReader reader(String text) {
        return new SseEventReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsDataFramesAndDone() throws IOException {
        SseEventReader reader = reader("data: {\"a\":1}\n\ndata: [DONE]\n\n");
        assertEquals(new StreamEvent(null, "{\"a\":1}"), reader.next());
        assertEquals(StreamEvent.DONE, reader.next());
        assertNull(reader.next());
    }

    @Test
    void readsNamedEventsWithCrlfCommentsAndMultilineData() throws IOException {
        SseEventReader reader = reader(": keep-alive\r\n\r\nevent: response.created\r\ndata: {\"x\":\r\ndata: 1}\r\n\r\n"
                + "event: ping\n\n" + "data:no-space\r\r");
        assertEquals(new StreamEvent("response.created", "{\"x\":\n1}"), reader.next());
        assertEquals(new StreamEvent(null, "no-space"), reader.next());
        assertNull(reader.next());
    }

    @Test
    void dropsAnUnterminatedEventAtTheEnd() throws IOException {
        SseEventReader reader = reader("data: complete\n\ndata: cut");
        assertEquals("complete", reader.next().data());
        assertNull(reader.next());
    }

    @Test
    void keepsUtf8AndLongLines() throws IOException {
        String longText = "é".repeat(10_000);
        SseEventReader reader = reader("data: " + longText + "\n\n");
        assertEquals(longText, reader.next().data());
    }

    @Test
    void returnsEachEventBeforeTheNextArrives() throws IOException {
        // A stream that hands out one byte at a time and fails if read past the first event's end.
        byte[] first = "data: one\n\n".getBytes(StandardCharsets.US_ASCII);
        InputStream trickle = new InputStream() {
            private int position;

            @Override
            public int read() {
                if (position >= first.length) {
                    throw new AssertionError("read past the first event");
                }
                return first[position++];
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= first.length) {
                    throw new AssertionError("read past the first event");
                }
                b[off] = first[position++];
                return 1;
            }
        };
        assertEquals("one", new SseEventReader(trickle).next().data());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 1024})
    void aSmallReadBufferGivesTheSameEvents(int bufferSize) throws IOException {
        // CR, LF and CRLF line ends, a comment, a named event, multi-line data and UTF-8 straddle the reads
        String text = ": keep-alive\r\n\r\nevent: response.created\r\ndata: {\"x\":\r\ndata: 1}\r\n\r\n"
                + "data: é€😀\n\n" + "data:" + "y".repeat(3000) + "\r\r" + "data: [DONE]\n\n";
        List<StreamEvent> expected = readAll(new SseEventReader(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))));
        assertEquals(4, expected.size());
        assertEquals(new StreamEvent(null, "é€😀"), expected.get(1));
        assertEquals(expected, readAll(new SseEventReader(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), bufferSize)));
    }

    private static List<StreamEvent> readAll(SseEventReader reader) throws IOException {
        List<StreamEvent> events = new ArrayList<>();
        StreamEvent event;
        while ((event = reader.next()) != null) {
            events.add(event);
        }
        return events;
    }
}
