package io.gateway.server.upstream;

import io.gateway.spi.StreamEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Parses a server-sent event stream as the HTML standard defines it: fields {@code event} and
 * {@code data} (several {@code data} lines join with {@code \n}), comment lines starting with
 * {@code :}, LF, CR or CRLF line ends, and a blank line ending each event. Events without data are
 * dropped. Each event is returned as soon as its blank line has been read, so nothing is buffered
 * beyond one event. Not thread-safe: one reader per stream.
 */
public final class SseEventReader {

    private final InputStream in;
    /** The largest event accepted (data lines together), so an upstream cannot exhaust the heap. */
    public static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

    /** Thrown when an event is larger than {@link #MAX_EVENT_BYTES}. */
    public static final class EventTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        EventTooLargeException() {
            super("a stream event is larger than " + (MAX_EVENT_BYTES >> 20) + " MB");
        }
    }

    private final byte[] buffer;
    private int position;
    private int limit;
    private boolean lastWasCr;
    private byte[] line = new byte[256];
    private int lineLength;

    /**
     * A reader over an unbuffered stream, reading up to 8 KB at a time.
     *
     * @param in the body; reads may block
     */
    public SseEventReader(InputStream in) {
        this(in, 8192);
    }

    /**
     * A reader with a read buffer of the given size. A stream that is buffered itself (such as an
     * upstream connection's body) needs only a small one: every open stream holds its reader for as
     * long as it lasts, so with thousands of streams the size counts.
     *
     * @param in         the body; reads may block
     * @param bufferSize bytes read at a time, at least 1
     */
    public SseEventReader(InputStream in, int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1");
        }
        this.in = in;
        this.buffer = new byte[bufferSize];
    }

    /**
     * Reads the next event.
     *
     * @return the event, or {@code null} at the end of the stream
     * @throws IOException if reading fails (including read timeouts)
     */
    public StreamEvent next() throws IOException {
        String event = null;
        StringBuilder data = null;
        while (true) {
            String text = readLine();
            if (text == null) {
                return null; // an unterminated event at EOF is discarded, as the standard says
            }
            if (text.isEmpty()) {
                if (data != null) {
                    return new StreamEvent(event, data.toString());
                }
                event = null;
                continue;
            }
            if (text.charAt(0) == ':') {
                continue;
            }
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value;
            if (colon < 0) {
                value = "";
            } else {
                int start = colon + 1;
                if (start < text.length() && text.charAt(start) == ' ') {
                    start++;
                }
                value = text.substring(start);
            }
            switch (field) {
                case "data" -> {
                    if (data != null && data.length() + value.length() + 1 > MAX_EVENT_BYTES) {
                        throw new EventTooLargeException();
                    }
                    if (data == null) {
                        data = new StringBuilder(value.length() + 16);
                    } else {
                        data.append('\n');
                    }
                    data.append(value);
                }
                case "event" -> event = value.isEmpty() ? null : value;
                default -> {
                    // id and retry do not matter to a relay; unknown fields are ignored by the standard
                }
            }
        }
    }

    private String readLine() throws IOException {
        lineLength = 0;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (lineLength > 0) {
                        String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
                        lineLength = 0;
                        return text;
                    }
                    return null;
                }
            }
            byte b = buffer[position++];
            if (b == '\n') {
                if (lastWasCr) {
                    lastWasCr = false;
                    continue;
                }
                return new String(line, 0, lineLength, StandardCharsets.UTF_8);
            }
            lastWasCr = b == '\r';
            if (lastWasCr) {
                return new String(line, 0, lineLength, StandardCharsets.UTF_8);
            }
            if (lineLength == line.length) {
                if (lineLength >= MAX_EVENT_BYTES) {
                    throw new EventTooLargeException();
                }
                byte[] bigger = new byte[line.length * 2];
                System.arraycopy(line, 0, bigger, 0, lineLength);
                line = bigger;
            }
            line[lineLength++] = b;
        }
    }
}
