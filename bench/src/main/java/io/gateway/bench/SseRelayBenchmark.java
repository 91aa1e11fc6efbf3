package io.gateway.bench;

import io.gateway.server.upstream.SseEventReader;
import io.gateway.spi.StreamEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One SSE event relayed: read from the upstream body by {@link SseEventReader#next()}, then encoded
 * for the client. The upstream body is an in-memory stream that repeats one frame forever, each
 * {@code read} returning at most the rest of the current frame (as when every event arrives in its
 * own packet), so one reader serves every invocation as it serves one long stream.
 *
 * <p>The encoding is the server's {@code io.gateway.server.http.SseFrames.encode(StreamEvent)}
 * ({@link #encodeAsSseFrames}). {@link #encodeSingleLine} is a candidate fast path, not in the server.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SseRelayBenchmark {

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    /** {@code chat}: a {@code chat.completion.chunk} data-only frame; {@code responses}: a named Responses event. */
    @Param({"chat", "responses"})
    public String frame;

    private SseEventReader reader;
    private StreamEvent event;

    /** Opens the endless upstream stream. */
    @Setup
    public void setUp() throws IOException {
        String text = frame.equals("chat")
                ? "data: " + Payloads.CHAT_CHUNK + "\n\n"
                : "event: response.output_text.delta\ndata: " + Payloads.RESPONSES_DELTA + "\n\n";
        reader = new SseEventReader(new RepeatingStream(text.getBytes(StandardCharsets.UTF_8)));
        event = reader.next();
        if (!java.util.Arrays.equals(encodeAsSseFrames(event), encodeSingleLine(event))
                || !new String(encodeAsSseFrames(event), StandardCharsets.UTF_8).equals(text)) {
            throw new IllegalStateException("the encodings differ from the upstream frame");
        }
    }

    /**
     * Read one event.
     *
     * @return the event
     */
    @Benchmark
    public StreamEvent read() throws IOException {
        return reader.next();
    }

    /**
     * Encode one event as {@code SseFrames} does.
     *
     * @return the frame
     */
    @Benchmark
    public byte[] encode() {
        return encodeAsSseFrames(event);
    }

    /**
     * Read one event and encode it: one event relayed.
     *
     * @return the frame
     */
    @Benchmark
    public byte[] relay() throws IOException {
        return encodeAsSseFrames(reader.next());
    }

    /**
     * Candidate: read one event and encode it with the single-line fast path.
     *
     * @return the frame
     */
    @Benchmark
    public byte[] relayFastEncode() throws IOException {
        return encodeSingleLine(reader.next());
    }

    /** The server's encoding, {@code SseFrames.encode(StreamEvent)}. */
    static byte[] encodeAsSseFrames(StreamEvent event) {
        return io.gateway.server.http.SseFrames.encode(event);
    }

    /**
     * Candidate: data without a line break (every JSON event the providers send) is one string
     * concatenation and one encode; anything else takes the general path.
     */
    static byte[] encodeSingleLine(StreamEvent event) {
        String data = event.data();
        if (data.indexOf('\n') >= 0) {
            return encodeAsSseFrames(event);
        }
        String name = event.event();
        String frame = name == null ? "data: " + data + "\n\n" : "event: " + name + "\ndata: " + data + "\n\n";
        return frame.getBytes(StandardCharsets.UTF_8);
    }

    /** Repeats one frame forever; a read never crosses the end of a frame. */
    private static final class RepeatingStream extends InputStream {
        private final byte[] frame;
        private int position;

        RepeatingStream(byte[] frame) {
            this.frame = frame;
        }

        @Override
        public int read() {
            byte b = frame[position];
            position = (position + 1) % frame.length;
            return b & 0xff;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            int count = Math.min(length, frame.length - position);
            System.arraycopy(frame, position, target, offset, count);
            position = (position + count) % frame.length;
            return count;
        }
    }
}
