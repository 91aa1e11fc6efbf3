package io.gateway.server.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.core.RequestFiles;
import io.gateway.spi.GatewayException;
import io.gateway.spi.MultipartForm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multipart forms read with Commons FileUpload's streaming parser: parts, spooling, malformed bodies, limits. */
class FormReaderTest {

    private static final String BOUNDARY = "----form-boundary-7MA4YWxkTrZu0gW";
    private static final String TYPE = "multipart/form-data; boundary=" + BOUNDARY;

    @TempDir
    Path spool;

    @Test
    void fieldsStayInMemoryFilesAreSpooledAndDeletedWhenTheRequestEnds() throws IOException {
        byte[] audio = new byte[300_000];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (byte) (i * 7);
        }
        byte[] body = new Form()
                .file("file", "réunion €.wav", "audio/wav", audio)
                .field("model", "openai/whisper-1")
                .field("timestamp_granularities[]", "word")
                .field("timestamp_granularities[]", "segment")
                .file("mask", null, "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff})
                .field("prompt", "grüße")
                .bytes();
        try (RequestFiles files = new RequestFiles(spool)) {
            MultipartForm form = FormReader.read(new ByteArrayInputStream(body), TYPE, body.length, 1 << 20,
                    "audio/transcriptions", files);
            assertEquals("openai/whisper-1", form.field("model").orElseThrow());
            assertEquals(List.of("word", "segment"), form.fields("timestamp_granularities[]"));
            assertEquals("grüße", form.field("prompt").orElseThrow(), "fields are UTF-8");
            MultipartForm.Part file = form.file("file").orElseThrow();
            assertEquals("réunion €.wav", file.filename().orElseThrow(), "UTF-8 file names survive");
            assertEquals("audio/wav", file.contentType());
            assertEquals(audio.length, file.content().length());
            try (InputStream in = file.content().open()) {
                assertArrayEquals(audio, in.readAllBytes());
            }
            MultipartForm.Part mask = form.file("mask").orElseThrow();
            assertTrue(mask.filename().isEmpty(), "a binary part without a file name stays a file");
            try (InputStream in = mask.content().open()) {
                assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff}, in.readAllBytes(),
                        "byte for byte, never decoded as text");
            }
            assertEquals(1, files.spooledFiles(), "the large part went to disk, the small one did not");
            Path spooled = files.files().get(0);
            assertTrue(Files.exists(spooled));
            files.close();
            assertFalse(Files.exists(spooled), "the request's end deletes its spool");
        }
    }

    @Test
    void malformedBodiesAreRefusedNamingTheProblem() {
        byte[] good = new Form().field("model", "m").file("file", "a.wav", "audio/wav", new byte[10]).bytes();
        assertMessage(() -> read(good, "multipart/form-data"), 400, "no boundary");
        assertMessage(() -> read(good, "application/json"), 415, "multipart/form-data");
        assertMessage(() -> read(good, null), 415, "missing");
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 20);
        assertMessage(() -> read(truncated, TYPE), 400, "truncated");
        assertMessage(() -> read(good, "multipart/form-data; boundary=another"), 400, "no named part delimited by the boundary");
        byte[] nameless = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" + BOUNDARY + "--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertMessage(() -> read(nameless, TYPE), 400, "no named part");
        byte[] bigField = new Form().field("prompt", "x".repeat(FormReader.MAX_FIELD + 1)).bytes();
        assertMessage(() -> FormReader.read(new ByteArrayInputStream(bigField), TYPE, bigField.length, 4 << 20,
                "audio/transcriptions", new RequestFiles(spool)), 400, "is larger than 1024 KB");
    }

    @Test
    void theRoutesLimitIsCheckedAgainstTheDeclaredLengthAndWhileReading() {
        byte[] body = new Form().file("file", "a.wav", "audio/wav", new byte[5000]).bytes();
        assertMessage(() -> FormReader.read(new ByteArrayInputStream(body), TYPE, body.length, 4000,
                "audio/transcriptions", new RequestFiles(spool)), 413, "the limit of audio/transcriptions");
        assertMessage(() -> FormReader.read(new ByteArrayInputStream(body), TYPE, -1, 4000,
                "audio/transcriptions", new RequestFiles(spool)), 413, "4000 bytes");
    }

    /**
     * A 25 MB upload is read part by part: the heap does not hold it. Prints the parser's throughput
     * (docs/architecture.md cites it).
     */
    @Test
    void a25MbUploadIsReadWithoutHoldingIt() throws IOException {
        int size = 25 * 1024 * 1024;
        byte[] head = new Form().field("model", "openai/whisper-1").bytes();
        String fileHead = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"long.wav\""
                + "\r\nContent-Type: audio/wav\r\n\r\n";
        String tail = "\r\n--" + BOUNDARY + "--\r\n";
        long length = head.length - (BOUNDARY.length() + 6) + fileHead.length() + size + tail.length();
        for (int round = 0; round < 3; round++) {
            InputStream body = new java.io.SequenceInputStream(java.util.Collections.enumeration(List.of(
                    new ByteArrayInputStream(head, 0, head.length - (BOUNDARY.length() + 6)),
                    new ByteArrayInputStream(fileHead.getBytes(StandardCharsets.US_ASCII)),
                    new Zeros(size),
                    new ByteArrayInputStream(tail.getBytes(StandardCharsets.US_ASCII)))));
            Runtime runtime = Runtime.getRuntime();
            long started = System.nanoTime();
            try (RequestFiles files = new RequestFiles(spool)) {
                MultipartForm form = FormReader.read(body, TYPE, length, 32L << 20, "audio/transcriptions", files);
                double seconds = (System.nanoTime() - started) / 1e9;
                assertEquals(size, form.file("file").orElseThrow().content().length());
                assertEquals("openai/whisper-1", form.field("model").orElseThrow());
                System.out.printf("FormReader: 25 MB form read and spooled in %.0f ms (%.0f MB/s); heap in use %d MB%n",
                        seconds * 1000, 25 / seconds, (runtime.totalMemory() - runtime.freeMemory()) >> 20);
            }
        }
    }

    private MultipartForm read(byte[] body, String type) throws IOException {
        return FormReader.read(new ByteArrayInputStream(body), type, body.length, 1 << 20, "audio/transcriptions",
                new RequestFiles(spool));
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, int status, String naming) {
        GatewayException e = assertThrows(GatewayException.class, call);
        assertEquals(status, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(naming), "the message names the problem (" + naming + "): "
                + e.getMessage());
    }

    /** Builds a form as HTTP clients do. */
    private static final class Form {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Form field(String name, String value) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n"
                    + value + "\r\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Form file(String name, String filename, String type, byte[] data) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                    + (filename == null ? "" : "; filename=\"" + filename + "\"") + "\r\nContent-Type: " + type
                    + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(data);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        byte[] bytes() {
            out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            return out.toByteArray();
        }
    }

    /** Zero bytes made as they are read. */
    private static final class Zeros extends InputStream {
        private long left;

        Zeros(long length) {
            left = length;
        }

        @Override
        public int read() {
            return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(count, left);
            java.util.Arrays.fill(buffer, offset, offset + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
