package io.gateway.server.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.routing.AnswerScanner;
import io.gateway.server.upstream.SseEventReader;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Operation;
import io.gateway.spi.StreamEvent;
import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Property-based fuzzing of the three readers that take bytes from outside: the request body reader
 * (clients), the answer scanner and the SSE reader (upstreams). Inputs are random bytes and valid
 * documents mutated byte by byte (flips, cuts, insertions, duplications). No input may produce
 * anything but a result or the gateway's own failure: a 4xx {@link GatewayException} for requests, a
 * 502 for answers, an {@link IOException} for streams.
 */
class MalformedInputFuzzTest {

    private static final List<String> REQUESTS = List.of(
            "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello 😀\"}],"
                    + "\"temperature\":0.7,\"stream\":true,\"fallbacks\":[\"mock/m\"]}",
            "{\"model\":\"mock/m\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"base64\"}",
            "{\"model\":\"x/y\",\"prompt\":[1,2,3],\"max_tokens\":16,\"logit_bias\":{\"50256\":-100}}",
            "{\"model\":\"gemini/g\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"é\"}]}]}");

    private static final List<String> ANSWERS = List.of(
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                    + "\"assistant\",\"content\":\"Hi \\u00e9\\n\"},\"finish_reason\":\"stop\"}],\"usage\":{"
                    + "\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}",
            "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.0023,-0.0093,1e-5]}],"
                    + "\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}");

    private static final String STREAM = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
            + ": keep-alive\r\n\r\n"
            + "event: response.output_text.delta\ndata: {\"delta\":\"b\"}\ndata: {\"x\":1}\n\n"
            + "id: 7\nretry: 100\ndata:[DONE]\r\n\r\n";

    // ------------------------------------------------------------------ requests

    @Property(tries = 3000)
    void requestBodiesFromMutatedRequestsFailOnlyWith4xx(@ForAll("mutatedRequests") byte[] body) {
        checkRequest(body);
    }

    @Property(tries = 2000)
    void requestBodiesFromRandomBytesFailOnlyWith4xx(@ForAll @Size(max = 300) byte[] body) {
        checkRequest(body);
    }

    private static void checkRequest(byte[] body) {
        for (Operation operation : Operation.values()) {
            try {
                byte[] read = readBody(body, operation.ordinal() % 2 == 0 ? body.length : -1);
                JsonObject parsed = RequestBodies.parse(read);
                validate(operation, parsed);
            } catch (GatewayException e) {
                assertTrue(e.status() >= 400 && e.status() < 500, "status " + e.status() + ": " + e.getMessage());
            }
        }
    }

    private static byte[] readBody(byte[] body, long declared) {
        try {
            return RequestBodies.read(new ByteArrayInputStream(body), declared, 64 * 1024L);
        } catch (IOException e) {
            throw new AssertionError("reading an in-memory body failed", e);
        }
    }

    private static void validate(Operation operation, JsonObject body) {
        RequestBodies.validate(operation, body);
    }

    // ------------------------------------------------------------------ answers

    @Property(tries = 3000)
    void answersFromMutatedAnswersFailOnlyWith502(@ForAll("mutatedAnswers") byte[] answer) {
        checkAnswer(answer);
    }

    @Property(tries = 2000)
    void answersFromRandomBytesFailOnlyWith502(@ForAll @Size(max = 300) byte[] answer) {
        checkAnswer(answer);
    }

    private static void checkAnswer(byte[] answer) {
        try {
            AnswerScanner.scan(answer, "fuzz");
        } catch (GatewayException e) {
            assertTrue(e.status() == 502, "status " + e.status());
        }
        try {
            AnswerScanner.scanEvent(new String(answer, StandardCharsets.UTF_8), "fuzz");
        } catch (GatewayException e) {
            assertTrue(e.status() == 502, "status " + e.status());
        }
    }

    // ------------------------------------------------------------------ streams

    @Property(tries = 3000)
    void streamsFromMutatedStreamsEndOrFailWithIoExceptions(@ForAll("mutatedStreams") byte[] stream) {
        checkStream(stream);
    }

    @Property(tries = 2000)
    void streamsFromRandomBytesEndOrFailWithIoExceptions(@ForAll @Size(max = 400) byte[] stream) {
        checkStream(stream);
    }

    private static void checkStream(byte[] stream) {
        SseEventReader reader = new SseEventReader(new TricklingStream(stream));
        int events = 0;
        try {
            StreamEvent event;
            while ((event = reader.next()) != null) {
                events++;
                assertTrue(event.data() != null);
                assertTrue(events <= stream.length + 1, "more events than bytes");
            }
        } catch (IOException e) {
            // an upstream's broken stream; the relay turns it into an error frame
        }
    }

    /** Hands out the bytes in reads of varying size, as a socket would. */
    private static final class TricklingStream extends InputStream {
        private final byte[] bytes;
        private int position;

        TricklingStream(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (position >= bytes.length) {
                return -1;
            }
            int count = Math.min(Math.min(length, 1 + position % 7), bytes.length - position);
            System.arraycopy(bytes, position, target, offset, count);
            position += count;
            return count;
        }
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<byte[]> mutatedRequests() {
        return mutated(REQUESTS);
    }

    @Provide
    Arbitrary<byte[]> mutatedAnswers() {
        return mutated(ANSWERS);
    }

    @Provide
    Arbitrary<byte[]> mutatedStreams() {
        return mutated(List.of(STREAM));
    }

    private static Arbitrary<byte[]> mutated(List<String> seeds) {
        Arbitrary<byte[]> seed = Arbitraries.of(seeds).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<List<Mutation>> mutations = mutation().list().ofMinSize(1).ofMaxSize(6);
        return Combinators.combine(seed, mutations).as((bytes, list) -> {
            byte[] current = bytes;
            for (Mutation m : list) {
                current = m.apply(current);
            }
            return current;
        });
    }

    private record Mutation(int kind, int position, int value, int length) {
        byte[] apply(byte[] in) {
            if (in.length == 0) {
                return new byte[] {(byte) value};
            }
            int at = Math.floorMod(position, in.length);
            return switch (kind) {
                case 0 -> { // flip a byte to any value
                    byte[] out = in.clone();
                    out[at] = (byte) value;
                    yield out;
                }
                case 1 -> java.util.Arrays.copyOf(in, at); // cut
                case 2 -> { // insert a byte
                    byte[] out = new byte[in.length + 1];
                    System.arraycopy(in, 0, out, 0, at);
                    out[at] = (byte) value;
                    System.arraycopy(in, at, out, at + 1, in.length - at);
                    yield out;
                }
                case 3 -> { // duplicate a run
                    int run = Math.min(1 + length, in.length - at);
                    byte[] out = new byte[in.length + run];
                    System.arraycopy(in, 0, out, 0, at + run);
                    System.arraycopy(in, at, out, at + run, in.length - at);
                    yield out;
                }
                default -> { // delete a run
                    int run = Math.min(1 + length, in.length - at);
                    byte[] out = new byte[in.length - run];
                    System.arraycopy(in, 0, out, 0, at);
                    System.arraycopy(in, at + run, out, at, in.length - at - run);
                    yield out;
                }
            };
        }
    }

    private static Arbitrary<Mutation> mutation() {
        Arbitrary<Integer> special = Arbitraries.of(0, (int) '{', (int) '}', (int) '[', (int) ']', (int) '"',
                (int) '\\', (int) ':', (int) ',', (int) '\n', (int) '\r', 0xC3, 0xFF, 0xED, (int) 'e', (int) '-',
                (int) '.', (int) '0');
        Arbitrary<Integer> value = Arbitraries.oneOf(Arbitraries.integers().between(0, 255), special);
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 10_000),
                value, Arbitraries.integers().between(0, 40)).as(Mutation::new);
    }
}
