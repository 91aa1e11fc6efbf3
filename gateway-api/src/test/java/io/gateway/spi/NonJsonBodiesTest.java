package io.gateway.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.spi.upstream.UpstreamRequest;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SPI 2.1 additions for bodies that are not JSON: contents, forms, byte streams, binary answers. */
class NonJsonBodiesTest {

    @TempDir
    Path temp;

    @Test
    void repeatableContentsOpenFromTheStartEachTimeAndOneShotOnesOnce() throws IOException {
        Content bytes = Content.of("abc".getBytes(StandardCharsets.US_ASCII), "text/plain");
        assertEquals(3, bytes.length());
        assertTrue(bytes.repeatable());
        assertEquals("abc", read(bytes.open()));
        assertEquals("abc", read(bytes.open()));

        Path file = Files.writeString(temp.resolve("a.txt"), "file bytes");
        Content fromFile = Content.of(file, "text/plain");
        assertEquals(10, fromFile.length());
        assertEquals("file bytes", read(fromFile.open()));
        assertEquals("file bytes", read(fromFile.open()));

        Content once = Content.once(new ByteArrayInputStream(new byte[] {1, 2}), -1, "application/octet-stream");
        assertFalse(once.repeatable());
        assertEquals(-1, once.length());
        assertEquals(2, once.open().readAllBytes().length);
        assertThrows(IllegalStateException.class, once::open);
        assertThrows(IllegalArgumentException.class, () -> Content.once(InputStream.nullInputStream(), -2, "x/y"));
    }

    @Test
    void aFormEncodesAsMultipartWithAFreshBoundaryAndStreamsItsFiles() throws IOException {
        MultipartForm form = MultipartForm.builder()
                .file("file", "meeting \"1\".wav", Content.of(new byte[] {0, 1, 2, (byte) 0xff}, "audio/wav"))
                .field("model", "openai/whisper-1")
                .field("timestamp_granularities[]", "word")
                .field("timestamp_granularities[]", "segment")
                .build();
        assertEquals("openai/whisper-1", form.field("model").orElseThrow());
        assertEquals(List.of("word", "segment"), form.fields("timestamp_granularities[]"));
        assertEquals("meeting \"1\".wav", form.file("file").orElseThrow().filename().orElseThrow());
        assertTrue(form.file("model").isEmpty(), "a field is no file");
        assertTrue(form.field("file").isEmpty(), "a file is no field");
        assertEquals("{\"model\":\"openai/whisper-1\",\"timestamp_granularities[]\":[\"word\",\"segment\"]}",
                form.fieldsAsJson().toString());

        MultipartForm bare = form.withField("model", "whisper-1").withoutField("timestamp_granularities[]");
        assertEquals(List.of("file", "model"), bare.parts().stream().map(MultipartForm.Part::name).toList(),
                "the field keeps its place");
        Content encoded = bare.encode();
        String type = encoded.contentType();
        assertTrue(type.startsWith("multipart/form-data; boundary="), type);
        String boundary = type.substring(type.indexOf('=') + 1);
        byte[] bytes = encoded.open().readAllBytes();
        assertEquals(bytes.length, encoded.length(), "the announced length is the encoded one");
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertEquals("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"meeting %221%22.wav\""
                + "\r\nContent-Type: audio/wav\r\n\r\n\u0000\u0001\u0002\u00ff\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n--" + boundary + "--\r\n", text);
        assertArrayEquals(bytes, encoded.open().readAllBytes(), "a repeatable form encodes the same bytes again");
        assertTrue(form.toString().contains("model=field") && !form.toString().contains("whisper"),
                "toString shows no values: " + form);

        MultipartForm streamed = MultipartForm.builder().file("file", "x.bin",
                Content.once(new ByteArrayInputStream(new byte[] {9}), 1, "application/octet-stream")).build();
        assertFalse(streamed.repeatable());
        Content once = streamed.encode();
        assertFalse(once.repeatable());
        once.open().readAllBytes();
        assertThrows(IllegalStateException.class, once::open);
    }

    @Test
    void byteStreamsReportHowTheyEndedOnce() throws IOException {
        List<BytesOutcome> outcomes = new ArrayList<>();
        ByteStream stream = ByteStream.of("hello".getBytes(StandardCharsets.US_ASCII)).onComplete(outcomes::add);
        byte[] buffer = new byte[3];
        assertEquals(3, stream.read(buffer, 0, 3));
        assertEquals(2, stream.read(buffer, 0, 3));
        assertEquals(-1, stream.read(buffer, 0, 3));
        stream.close();
        assertEquals(List.of(new BytesOutcome(StreamOutcome.Status.COMPLETED, 5, null)), outcomes);

        outcomes.clear();
        ByteStream broken = ByteStream.of(new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("reset");
            }
        }).onComplete(outcomes::add);
        GatewayException e = assertThrows(GatewayException.class, () -> broken.read(buffer, 0, 1));
        assertEquals(502, e.status());
        assertEquals(StreamOutcome.Status.FAILED, outcomes.get(0).status());

        outcomes.clear();
        ByteStream cancelled = ByteStream.of(new byte[10]).onComplete(outcomes::add);
        cancelled.read(buffer, 0, 1);
        cancelled.close();
        cancelled.close();
        assertEquals(List.of(new BytesOutcome(StreamOutcome.Status.CANCELLED, 1, null)), outcomes);
        assertArrayEquals(new byte[] {1, 2}, ByteStream.of(new byte[] {1, 2}).asInputStream().readAllBytes(),
                "asInputStream reads through");
    }

    @Test
    void binaryAnswersCheckTheirFields() {
        Response.Binary audio = Response.Binary.ok("audio/mpeg", ByteStream.of(new byte[1]));
        assertEquals(200, audio.status());
        assertEquals(-1, audio.length());
        assertTrue(audio.headers().isEmpty());
        assertEquals("audio/mpeg", audio.withHeaders(Headers.of("x", "1")).contentType());
        assertThrows(NullPointerException.class, () -> new Response.Binary(200, null, null, 1,
                ByteStream.of(new byte[0])));
        assertThrows(IllegalArgumentException.class, () -> new Response.Binary(200, null, "a/b", -2,
                ByteStream.of(new byte[0])));
        Response response = audio;
        String kind = switch (response) {
            case Response.Complete c -> "json";
            case Response.Streaming s -> "events";
            case Response.Binary b -> "bytes";
        };
        assertEquals("bytes", kind);
    }

    @Test
    void exchangesCarryFormsContentsAndParameters() {
        MultipartForm form = MultipartForm.builder().field("model", "groq/whisper-large-v3").field("stream", "true")
                .file("file", "a.wav", Content.of(new byte[4], "audio/wav")).build();
        Exchange exchange = Exchange.create("r", Operation.TRANSCRIPTION, JsonValue.EMPTY_JSON_OBJECT, null,
                Instant.EPOCH).withForm(form);
        assertEquals(new ModelRef("groq", "whisper-large-v3"), exchange.model(), "the model comes from the form");
        assertEquals("true", exchange.body().getString("stream"));
        assertTrue(exchange.stream(), "a form's stream field asks for a stream");
        assertTrue(exchange.withHeaders(Headers.empty()).form().isPresent(), "copies keep the form");

        Exchange speech = Exchange.create("r", Operation.SPEECH,
                JsonBodies.parse("{\"model\":\"tts-1\",\"input\":\"hi\",\"stream_format\":\"sse\"}"), null, Instant.EPOCH);
        assertTrue(speech.stream());
        assertTrue(speech.form().isEmpty());

        Exchange file = Exchange.create("r", Operation.FILE_RETRIEVE, JsonValue.EMPTY_JSON_OBJECT, null, Instant.EPOCH)
                .withParameters(Map.of("file_id", "openai/file-1"))
                .withContent(Content.of(new byte[0], "application/octet-stream"));
        assertEquals("openai/file-1", file.parameter("file_id").orElseThrow());
        assertNull(file.model());
        assertFalse(file.stream());
        assertTrue(file.withBody(JsonValue.EMPTY_JSON_OBJECT).content().isPresent());
    }

    @Test
    void callsAndUpstreamRequestsCarryStreamedBodies() {
        Content body = Content.of(new byte[] {1}, "audio/wav");
        ProviderCall call = ProviderCall.builder(Operation.FILE_CONTENT, JsonValue.EMPTY_JSON_OBJECT)
                .parameters(Map.of("file_id", "file-1")).content(body).stream(true).build();
        assertEquals("file-1", call.parameter("file_id").orElseThrow());
        assertTrue(call.toBuilder().build().content().isPresent());
        UpstreamRequest request = call.requestBuilder("POST", URI.create("http://h/v1/files"), Headers.empty())
                .body(new byte[] {2}).content(body).build();
        assertNull(request.body(), "a content replaces bytes");
        assertEquals(body, request.content());
        assertTrue(request.stream());
        assertEquals(call.deadline(), request.deadline());
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
