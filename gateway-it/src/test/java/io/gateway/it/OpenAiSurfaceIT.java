package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.MultipartField;
import com.openai.core.http.HttpResponse;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.audio.AudioResponseFormat;
import com.openai.models.audio.speech.SpeechCreateParams;
import com.openai.models.audio.transcriptions.TranscriptionCreateParams;
import com.openai.models.audio.transcriptions.TranscriptionCreateResponse;
import com.openai.models.audio.transcriptions.TranscriptionStreamEvent;
import com.openai.models.audio.translations.TranslationCreateParams;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.images.ImageEditParams;
import com.openai.models.images.ImagesResponse;
import com.openai.models.moderations.ModerationCreateParams;
import com.openai.models.moderations.ModerationCreateResponse;
import io.gateway.spi.JsonBodies;
import io.gateway.testkit.fakes.FakeOpenAi;
import io.gateway.testkit.http.MultipartParts;
import io.gateway.testkit.http.OpenAiMediaPreset;
import io.gateway.testkit.http.RecordedRequest;
import jakarta.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rest of the OpenAI surface end to end, through the official openai-java client, the real gateway
 * and the openai provider, against a fake OpenAI that checks multipart forms as the real API does:
 * speech saved to a file, transcriptions of a WAV in every response format, an image edit with a mask,
 * files uploaded, listed, downloaded and deleted, a batch created and polled to completion,
 * moderations; malformed forms and routes a provider does not offer refused before any upstream call.
 */
class OpenAiSurfaceIT {

    @TempDir
    static Path temp;

    static FakeOpenAi openai;
    static TestGateway gateway;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        openai = FakeOpenAi.start();
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("middleware-request-log", "io.gateway.plugins.requestlog.RequestLogPlugin");
        gateway = TestGateway.start("""
                gateway:
                  providers:
                    openai:
                      base-url: %s
                      keys:
                        - name: main
                          value: %s
                    mistral:
                      base-url: %s
                  max-request-body-by-route:
                    audio/translations: 64KB
                  middleware:
                    - type: request-log
                """.formatted(openai.apiBase(), FakeOpenAi.API_KEY, openai.apiBase()), plugins.root());
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl() + "/openai/v1").apiKey("not-needed")
                .maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        gateway.close();
        openai.close();
    }

    @BeforeEach
    void reset() {
        openai.reset();
    }

    // ------------------------------------------------------------------ audio

    @Test
    void speechSavedToAFileHasTheUpstreamsBytes() throws IOException {
        String input = "The gateway speaks through the fake upstream today";
        Path saved = temp.resolve("speech.wav");
        try (HttpResponse response = client.audio().speech().create(SpeechCreateParams.builder()
                .model("openai/tts-1").input(input).voice("alloy")
                .responseFormat(SpeechCreateParams.ResponseFormat.WAV).build())) {
            assertEquals(200, response.statusCode());
            assertEquals("audio/wav", response.headers().values("content-type").get(0));
            Files.copy(response.body(), saved);
        }
        assertArrayEquals(OpenAiMediaPreset.speechAudio(input, "alloy", "wav"), Files.readAllBytes(saved));
        JsonObject sent = openai.lastRequest().bodyJson();
        assertEquals("tts-1", sent.getString("model"), "the bare model went upstream");

        try (HttpResponse mp3 = client.audio().speech().create(SpeechCreateParams.builder()
                .model("openai/tts-1").input("short").voice("nova").build())) {
            assertEquals("audio/mpeg", mp3.headers().values("content-type").get(0));
            assertArrayEquals(OpenAiMediaPreset.speechAudio("short", "nova", "mp3"), mp3.body().readAllBytes());
        }
    }

    @Test
    void speechAsServerSentEventsIsRelayedEventByEvent() throws IOException {
        try (HttpResponse response = client.audio().speech().create(SpeechCreateParams.builder()
                .model("openai/gpt-4o-mini-tts").input("stream me").voice("coral")
                .streamFormat(SpeechCreateParams.StreamFormat.SSE).build())) {
            assertTrue(response.headers().values("content-type").get(0).startsWith("text/event-stream"));
            String events = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(events.contains("\"type\":\"speech.audio.delta\""), events);
            assertTrue(events.contains("\"type\":\"speech.audio.done\""), events);
        }
    }

    @Test
    void aWavIsTranscribedInEveryResponseFormat() throws IOException {
        byte[] wav = OpenAiMediaPreset.wav(new byte[48_000 * 3], 48_000); // 1.5 s of 16-bit mono silence
        Path file = Files.write(temp.resolve("meeting.wav"), wav);

        TranscriptionCreateResponse json = client.audio().transcriptions().create(transcription(file,
                AudioResponseFormat.JSON));
        assertEquals(OpenAiMediaPreset.TRANSCRIPT, json.asTranscription().text());
        RecordedRequest sent = openai.lastRequest();
        MultipartParts form = MultipartParts.parse(sent.header("content-type"), sent.body());
        assertEquals("whisper-1", form.text("model"), "the bare model went upstream in the form");
        assertArrayEquals(wav, form.part("file").orElseThrow().data(), "the WAV reached the upstream unchanged");
        assertEquals("meeting.wav", form.part("file").orElseThrow().filename());

        TranscriptionCreateResponse verbose = client.audio().transcriptions().create(transcription(file,
                AudioResponseFormat.VERBOSE_JSON).toBuilder().timestampGranularities(List.of(
                TranscriptionCreateParams.TimestampGranularity.WORD,
                TranscriptionCreateParams.TimestampGranularity.SEGMENT)).build());
        assertEquals(1.5, verbose.asVerbose().duration(), 1e-9);
        assertFalse(verbose.asVerbose().words().orElseThrow().isEmpty(), "word timestamps were asked for");
        MultipartParts verboseForm = MultipartParts.parse(openai.lastRequest().header("content-type"),
                openai.lastRequest().body());
        assertEquals(List.of("word", "segment"), verboseForm.all("timestamp_granularities[]").stream()
                .map(MultipartParts.Part::text).toList(), "repeated fields keep their order");

        for (AudioResponseFormat format : List.of(AudioResponseFormat.TEXT, AudioResponseFormat.SRT,
                AudioResponseFormat.VTT)) {
            try (HttpResponseFor<TranscriptionCreateResponse> raw = client.audio().transcriptions().withRawResponse()
                    .create(transcription(file, format))) {
                assertEquals(200, raw.statusCode());
                assertTrue(raw.headers().values("content-type").get(0).startsWith("text/plain"), format.toString());
                String text = new String(raw.body().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(text.contains(OpenAiMediaPreset.TRANSCRIPT), format + ": " + text);
                if (format == AudioResponseFormat.SRT) {
                    assertTrue(text.contains("00:00:00,000 --> 00:00:01,500"), text);
                } else if (format == AudioResponseFormat.VTT) {
                    assertTrue(text.startsWith("WEBVTT") && text.contains("00:00:01.500"), text);
                }
            }
        }
    }

    @Test
    void aStreamedTranscriptionArrivesAsEvents() throws IOException {
        Path file = Files.write(temp.resolve("stream.wav"), OpenAiMediaPreset.wav(new byte[16_000], 16_000));
        StringBuilder text = new StringBuilder();
        List<String> kinds = new ArrayList<>();
        try (StreamResponse<TranscriptionStreamEvent> stream = client.audio().transcriptions().createStreaming(
                TranscriptionCreateParams.builder().file(file).model("openai/gpt-4o-transcribe").build())) {
            stream.stream().forEach(event -> {
                event.transcriptTextDelta().ifPresent(delta -> {
                    text.append(delta.delta());
                    kinds.add("delta");
                });
                event.transcriptTextDone().ifPresent(done -> kinds.add("done"));
            });
        }
        assertEquals("done", kinds.getLast());
        assertTrue(kinds.size() > 2, kinds.toString());
        assertFalse(text.isEmpty());
    }

    @Test
    void aTranslationComesBackInEnglish() throws IOException {
        Path file = Files.write(temp.resolve("french.wav"), OpenAiMediaPreset.wav(new byte[8_000], 8_000));
        assertEquals(OpenAiMediaPreset.TRANSLATION, client.audio().translations().create(
                TranslationCreateParams.builder().file(file).model("openai/whisper-1").build()).asTranslation().text());
    }

    // ------------------------------------------------------------------ images

    @Test
    void anImageIsEditedWithAMask() throws IOException {
        Path image = png(temp.resolve("photo.png"), 8, 8);
        Path mask = png(temp.resolve("mask.png"), 8, 8);
        ImagesResponse edited = client.images().edit(ImageEditParams.builder()
                .image(image)
                .mask(MultipartField.<InputStream>builder().value(Files.newInputStream(mask)).filename("mask.png")
                        .contentType("image/png").build())
                .prompt("add a red hat").model("openai/dall-e-2").n(2)
                .responseFormat(ImageEditParams.ResponseFormat.B64_JSON).build());
        assertEquals(2, edited.data().orElseThrow().size());
        MultipartParts form = MultipartParts.parse(openai.lastRequest().header("content-type"),
                openai.lastRequest().body());
        assertArrayEquals(Files.readAllBytes(mask), form.part("mask").orElseThrow().data());
        assertArrayEquals(Files.readAllBytes(image), form.part("image").orElseThrow().data());

        Path small = png(temp.resolve("small-mask.png"), 4, 4);
        OpenAIServiceException wrongMask = assertThrows(OpenAIServiceException.class, () -> client.images().edit(
                ImageEditParams.builder().image(image).mask(MultipartField.<InputStream>builder()
                        .value(Files.newInputStream(small)).filename("small-mask.png").contentType("image/png").build())
                        .prompt("hat").model("openai/dall-e-2").build()));
        assertEquals(400, wrongMask.statusCode(), "the upstream's refusal is relayed");
        assertTrue(wrongMask.getMessage().contains("same dimensions"), wrongMask.getMessage());
    }

    // ------------------------------------------------------------------ files and batches

    @Test
    void filesAreUploadedListedDownloadedAndDeleted() throws IOException {
        byte[] content = ("{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
                + "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n")
                .getBytes(StandardCharsets.UTF_8);
        Path jsonl = Files.write(temp.resolve("requests.jsonl"), content);
        FileObject uploaded = client.files().create(FileCreateParams.builder().file(jsonl).purpose(FilePurpose.BATCH)
                .build());
        assertTrue(uploaded.id().startsWith("openai/file-"), "the id names its provider: " + uploaded.id());
        assertEquals(content.length, uploaded.bytes());
        assertEquals("requests.jsonl", uploaded.filename());

        List<String> listed = client.files().list().data().stream().map(FileObject::id).toList();
        assertTrue(listed.contains(uploaded.id()), listed.toString());
        assertEquals(uploaded.id(), client.files().retrieve(uploaded.id()).id());
        try (HttpResponse download = client.files().content(uploaded.id())) {
            assertArrayEquals(content, download.body().readAllBytes());
        }
        assertTrue(client.files().delete(uploaded.id()).deleted());
        OpenAIServiceException gone = assertThrows(OpenAIServiceException.class,
                () -> client.files().retrieve(uploaded.id()));
        assertEquals(404, gone.statusCode());
        assertTrue(openai.requests().stream().allMatch(r -> !r.path().contains("openai/")),
                "the gateway's prefix never went upstream: " + openai.requests());
    }

    @Test
    void aBatchIsCreatedAndPolledToCompletion() throws IOException {
        Path jsonl = Files.writeString(temp.resolve("batch.jsonl"), """
                {"custom_id":"one","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"1"}]}}
                {"custom_id":"two","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"2"}]}}
                """);
        FileObject input = client.files().create(FileCreateParams.builder().file(jsonl).purpose(FilePurpose.BATCH)
                .build());
        Batch batch = client.batches().create(BatchCreateParams.builder().inputFileId(input.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H).build());
        assertTrue(batch.id().startsWith("openai/batch_"), batch.id());
        assertEquals(input.id(), batch.inputFileId(), "the batch names its file as the gateway does");
        JsonObject created = openai.lastRequest().bodyJson();
        assertFalse(created.getString("input_file_id").contains("/"), "the upstream got its own id: " + created);

        Batch polled = batch;
        for (int i = 0; i < 5 && polled.status() != Batch.Status.COMPLETED; i++) {
            polled = client.batches().retrieve(batch.id());
        }
        assertEquals(Batch.Status.COMPLETED, polled.status());
        assertEquals(2, polled.requestCounts().orElseThrow().completed());
        String output = polled.outputFileId().orElseThrow();
        assertTrue(output.startsWith("openai/file-"), output);
        try (HttpResponse results = client.files().content(output)) {
            String lines = new String(results.body().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(lines.contains("\"custom_id\":\"one\"") && lines.contains("\"custom_id\":\"two\""), lines);
        }
        assertTrue(client.batches().list().data().stream().anyMatch(b -> b.id().equals(batch.id())));

        Batch second = client.batches().create(BatchCreateParams.builder().inputFileId(input.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H).build());
        assertEquals(Batch.Status.CANCELLING, client.batches().cancel(second.id()).status());
    }

    @Test
    void filesGoToTheProviderTheHeaderNames() {
        java.net.http.HttpResponse<String> unknown = Http.send(HttpRequest.newBuilder(gateway.uri("/v1/files"))
                .header("x-bf-provider", "nowhere").GET().build());
        assertEquals(400, unknown.statusCode(), unknown.body());
        assertTrue(unknown.body().contains("unknown provider 'nowhere'"), unknown.body());
        java.net.http.HttpResponse<String> offered = Http.send(HttpRequest.newBuilder(gateway.uri("/v1/files"))
                .header("x-bf-provider", "mistral").GET().build());
        assertEquals(400, offered.statusCode(), offered.body());
        assertTrue(offered.body().contains("unsupported_operation"), offered.body());
        assertEquals(0, openai.upstream().requestCount(), "no upstream call for refused requests");
    }

    @Test
    void moderationsPassThrough() {
        ModerationCreateResponse moderation = client.moderations().create(ModerationCreateParams.builder()
                .input("a friendly sentence").model("openai/omni-moderation-latest").build());
        assertEquals(1, moderation.results().size());
        assertFalse(moderation.results().get(0).flagged());
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void malformedFormsAreRefusedNamingTheProblem() {
        String boundary = "b0undary";
        String good = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nopenai/whisper-1\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\nRIFF....WAVE\r\n--" + boundary + "--\r\n";
        assertRefused(post("multipart/form-data", good), 400, "no boundary");
        assertRefused(post("multipart/form-data; boundary=" + boundary, good.substring(0, good.length() - 30)), 400,
                "truncated");
        String noFile = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nopenai/whisper-1"
                + "\r\n--" + boundary + "--\r\n";
        assertRefused(post("multipart/form-data; boundary=" + boundary, noFile), 400, "'file' is required");
        assertRefused(post("application/json", "{\"model\":\"openai/whisper-1\"}"), 415, "multipart/form-data");
        assertEquals(0, openai.upstream().requestCount(), "malformed forms never reach the upstream");
    }

    @Test
    void aRoutesOwnBodyLimitApplies() {
        String boundary = "limit";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\n"
                + "x".repeat(100_000) + "\r\n--" + boundary + "--\r\n";
        java.net.http.HttpResponse<String> refused = Http.send(HttpRequest.newBuilder(
                gateway.uri("/v1/audio/translations")).header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertRefused(refused, 413, "the limit of audio/translations");
        assertEquals(0, openai.upstream().requestCount());
    }

    @Test
    void aProviderWithoutTheRouteAnswers400WithoutAnUpstreamCall() throws IOException {
        Path file = Files.write(temp.resolve("x.wav"), OpenAiMediaPreset.wav(new byte[800], 8_000));
        OpenAIServiceException refused = assertThrows(OpenAIServiceException.class, () -> client.audio()
                .transcriptions().create(TranscriptionCreateParams.builder().file(file).model("mistral/whisper-1")
                        .build()));
        assertEquals(400, refused.statusCode());
        assertTrue(refused.getMessage().contains("does not support transcription"), refused.getMessage());
        assertEquals(0, openai.upstream().requestCount());
    }

    // ------------------------------------------------------------------ helpers

    private static TranscriptionCreateParams transcription(Path file, AudioResponseFormat format) {
        return TranscriptionCreateParams.builder().file(file).model("openai/whisper-1").responseFormat(format)
                .build();
    }

    private static java.net.http.HttpResponse<String> post(String contentType, String body) {
        return Http.send(HttpRequest.newBuilder(gateway.uri("/v1/audio/transcriptions"))
                .header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static void assertRefused(java.net.http.HttpResponse<String> response, int status, String naming) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject envelope = JsonBodies.parse(response.body());
        String message = envelope.getJsonObject("error").getString("message");
        assertTrue(message.contains(naming), "the message names the problem (" + naming + "): " + message);
    }

    private static Path png(Path file, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0xffff0000);
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return Files.write(file, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
