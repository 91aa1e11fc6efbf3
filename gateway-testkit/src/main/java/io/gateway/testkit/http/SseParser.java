package io.gateway.testkit.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads server-sent events from a stream, following the WHATWG "event stream interpretation": lines
 * end with LF, CRLF or CR; {@code :} starts a comment; {@code data:} lines of one event are joined
 * with {@code \n}; one space after the colon is dropped; a blank line dispatches the event unless
 * it has no {@code data} field; an incomplete event at the end of the stream is discarded; a
 * leading byte order mark is skipped. {@code id:} is tracked ({@link #lastEventId()}), {@code retry:}
 * and unknown fields are ignored. An event without an {@code event:} field has a {@code null} event
 * name (the spec calls it {@code message}).
 *
 * <p>As an {@link Iterator}, {@link #hasNext()} blocks until the next complete event arrives or the
 * stream ends, so a test can observe events one by one while they are streamed. Reads are not
 * buffered ahead of need beyond what the stream has already delivered. Not thread-safe.
 *
 * <p>This is the kit's one SSE parser: {@link io.gateway.testkit.HttpUpstream} reads upstream streams
 * with it, {@link io.gateway.testkit.ScriptedUpstream} parses canned bodies with it, and tests read a
 * gateway's answers with it.
 *
 * <pre>{@code
 * HttpResponse<InputStream> response = client.send(request, BodyHandlers.ofInputStream());
 * try (SseParser events = new SseParser(response.body())) {
 *     SseFrame first = events.next();
 *     ...
 * }
 * }</pre>
 */
public final class SseParser implements Iterator<SseFrame>, AutoCloseable {

    /** Thrown when one event is larger than the parser's limit. */
    public static final class EventTooLargeException extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        EventTooLargeException(int limit) {
            super(new IOException("a stream event is larger than " + limit + " bytes"));
        }
    }

    private final InputStream in;
    private final int maxEventBytes;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private boolean endOfStream;
    private boolean skipLineFeed;
    private boolean firstLine = true;

    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private String eventType = "";
    private String lastEventId = "";
    private int comments;
    private SseFrame pending;

    /**
     * A parser over a stream of UTF-8 text.
     *
     * @param in the stream; closed by {@link #close()}
     */
    public SseParser(InputStream in) {
        this(in, Integer.MAX_VALUE);
    }

    /**
     * A parser that refuses events larger than a limit, as the server's reader does (16 MB), so a
     * runaway stream cannot exhaust the heap.
     *
     * @param in            the stream; closed by {@link #close()}
     * @param maxEventBytes the largest event accepted: its data lines together, and any single line
     * @throws IllegalArgumentException if the limit is not positive
     */
    public SseParser(InputStream in, int maxEventBytes) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxEventBytes <= 0) {
            throw new IllegalArgumentException("maxEventBytes must be positive, was " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * Parses a complete stream.
     *
     * @param in the stream, read to its end (not closed)
     * @return the events in order
     * @throws UncheckedIOException if reading fails
     */
    public static List<SseFrame> readAll(InputStream in) {
        SseParser parser = new SseParser(in);
        List<SseFrame> frames = new ArrayList<>();
        while (parser.hasNext()) {
            frames.add(parser.next());
        }
        return frames;
    }

    /**
     * Parses a complete stream held in memory.
     *
     * @param bytes UTF-8 text
     * @return the events in order
     */
    public static List<SseFrame> readAll(byte[] bytes) {
        return readAll(new ByteArrayInputStream(bytes));
    }

    /**
     * Parses a complete stream held in a string.
     *
     * @param text the text
     * @return the events in order
     */
    public static List<SseFrame> readAll(String text) {
        return readAll(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Blocks until the next event is complete or the stream ends.
     *
     * @return {@code true} if there is another event
     * @throws UncheckedIOException if reading fails
     */
    @Override
    public boolean hasNext() {
        if (pending == null && !endOfStream) {
            pending = readEvent();
        }
        return pending != null;
    }

    /**
     * The next event, blocking until it is complete.
     *
     * @return the event
     * @throws NoSuchElementException at the end of the stream
     * @throws UncheckedIOException   if reading fails
     */
    @Override
    public SseFrame next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the event stream has ended");
        }
        SseFrame frame = pending;
        pending = null;
        return frame;
    }

    /**
     * The next event, or {@code null} at the end of the stream.
     *
     * @return the event or {@code null}
     * @throws UncheckedIOException if reading fails
     */
    public SseFrame nextOrNull() {
        return hasNext() ? next() : null;
    }

    /**
     * The remaining events as a lazy, ordered stream.
     *
     * @return the stream
     */
    public Stream<SseFrame> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /**
     * The value of the last {@code id:} field seen, as the spec's "last event ID".
     *
     * @return the id, {@code ""} if none
     */
    public String lastEventId() {
        return lastEventId;
    }

    /**
     * How many comment lines (starting with {@code :}) were skipped so far.
     *
     * @return the count
     */
    public int comments() {
        return comments;
    }

    /**
     * Closes the underlying stream.
     *
     * @throws UncheckedIOException if closing fails
     */
    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SseFrame readEvent() {
        String text;
        while ((text = readLine()) != null) {
            if (text.isEmpty()) {
                if (data.isEmpty()) {
                    eventType = "";
                    continue;
                }
                data.setLength(data.length() - 1);
                SseFrame frame = new SseFrame(eventType.isEmpty() ? null : eventType, data.toString());
                data.setLength(0);
                eventType = "";
                return frame;
            }
            if (text.charAt(0) == ':') {
                comments++;
                continue;
            }
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value = colon < 0 ? "" : text.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> eventType = value;
                case "data" -> {
                    data.append(value).append('\n');
                    if (data.length() > maxEventBytes) {
                        throw new EventTooLargeException(maxEventBytes);
                    }
                }
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        lastEventId = value;
                    }
                }
                default -> {
                    // "retry" and unknown fields are ignored
                }
            }
        }
        // end of stream: an event without its blank line is discarded
        data.setLength(0);
        eventType = "";
        return null;
    }

    /** The next complete line without its terminator, or {@code null} at the end of the stream. */
    private String readLine() {
        line.reset();
        while (true) {
            if (position == limit) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw new UncheckedIOException("reading the event stream failed", e);
                }
                if (n < 0) {
                    endOfStream = true;
                    return null;
                }
                position = 0;
                limit = n;
                continue;
            }
            byte b = buffer[position++];
            if (skipLineFeed) {
                skipLineFeed = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n') {
                return decodeLine();
            }
            if (b == '\r') {
                // end the line now, without waiting to see whether LF follows
                skipLineFeed = true;
                return decodeLine();
            }
            line.write(b);
            if (line.size() > maxEventBytes) {
                throw new EventTooLargeException(maxEventBytes);
            }
        }
    }

    private String decodeLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        if (firstLine) {
            firstLine = false;
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        }
        return text;
    }
}
