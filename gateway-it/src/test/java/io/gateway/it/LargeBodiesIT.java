package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.testkit.fakes.FakeOpenAi;
import io.gateway.testkit.http.MultipartParts;
import io.gateway.testkit.http.OpenAiMediaPreset;
import io.gateway.testkit.http.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies that are not JSON pass through without being held: a gateway in its own JVM with
 * {@code -Xmx256m} relays two 200 MB file downloads at once (400 MB, more than its heap) and a 25 MB
 * audio upload, and its GC log shows the heap live after each collection staying small whatever the
 * size of the bodies.
 */
class LargeBodiesIT {

    private static final long DOWNLOAD = 200L * 1024 * 1024;
    private static final int UPLOAD = 25_000_000;
    /** The most heap a collection may leave live while the bodies pass: nowhere near one body. */
    private static final long MAX_LIVE_HEAP_MB = 64;

    @TempDir
    static Path temp;

    static FakeOpenAi openai;
    static ClusterNode gateway;
    static Path gcLog;

    @BeforeAll
    static void start() {
        openai = FakeOpenAi.start();
        gcLog = temp.resolve("gc.log");
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin");
        gateway = ClusterNode.start("""
                gateway:
                  providers:
                    openai:
                      base-url: %s
                      stream-idle-timeout: 60s
                      timeout: 120s
                      keys:
                        - name: main
                          value: %s
                """.formatted(openai.apiBase(), FakeOpenAi.API_KEY), plugins.root(), temp.resolve("node"),
                List.of("-Xlog:gc:file=" + gcLog));
    }

    @AfterAll
    static void stop() {
        try {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            openai.close();
        }
    }

    @Test
    void twoDownloadsOf200MbAndA25MbUploadPassWithASmallHeap() throws Exception {
        String id = openai.addFile("big.bin", "user_data", DOWNLOAD, () -> new PatternStream(DOWNLOAD));
        long expected = crc(new PatternStream(DOWNLOAD));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long started = System.nanoTime();
        List<CompletableFuture<long[]>> downloads = List.of(
                CompletableFuture.supplyAsync(() -> download(http, "/v1/files/openai/" + id + "/content")),
                CompletableFuture.supplyAsync(() -> download(http, "/v1/files/" + id + "/content")));
        for (CompletableFuture<long[]> download : downloads) {
            long[] result = download.get();
            assertEquals(DOWNLOAD, result[0], "every byte arrived");
            assertEquals(expected, result[1], "the bytes are the upstream's");
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        byte[] wav = OpenAiMediaPreset.wav(new byte[UPLOAD - 44], 16_000);
        String boundary = "large-bodies-boundary";
        ByteArrayOutputStream form = new ByteArrayOutputStream(UPLOAD + 512);
        form.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nopenai/whisper-1"
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"response_format\"\r\n\r\ntext\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"long.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        form.writeBytes(wav);
        form.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> transcribed = http.send(HttpRequest.newBuilder(gateway.uri("/v1/audio/transcriptions"))
                .header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, transcribed.statusCode(), transcribed.body());
        assertEquals(OpenAiMediaPreset.TRANSCRIPT + "\n", transcribed.body());
        RecordedRequest sent = openai.upstream().requests("/v1/audio/transcriptions").getLast();
        MultipartParts upstreamForm = MultipartParts.parse(sent.header("content-type"), sent.body());
        assertEquals(crc(new java.io.ByteArrayInputStream(wav)),
                crc(new java.io.ByteArrayInputStream(upstreamForm.part("file").orElseThrow().data())),
                "the 25 MB upload reached the upstream unchanged");

        long live = maxLiveHeapMb();
        System.out.printf("LargeBodiesIT: 2 x %d MB downloaded in %.1f s (%.0f MB/s together), a %d MB upload; "
                + "the gateway's heap after collections peaked at %d MB (-Xmx256m)%n", DOWNLOAD >> 20, seconds,
                2 * (DOWNLOAD >> 20) / seconds, UPLOAD / 1_000_000, live);
        assertTrue(live <= MAX_LIVE_HEAP_MB, "the heap live after a collection reached " + live + " MB:\n"
                + Files.readString(gcLog));
        http.close();
    }

    private static long[] download(HttpClient http, String path) {
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(gateway.uri(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            assertEquals("application/octet-stream", response.headers().firstValue("content-type").orElse(""));
            CRC32 crc = new CRC32();
            long total = 0;
            try (InputStream in = response.body()) {
                byte[] buffer = new byte[64 * 1024];
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    crc.update(buffer, 0, read);
                    total += read;
                }
            }
            return new long[] {total, crc.getValue()};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long crc(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = in.read(buffer)) >= 0) {
            crc.update(buffer, 0, read);
        }
        return crc.getValue();
    }

    /** The largest heap occupancy after a collection in the GC log ({@code 24M->3M(256M)}: 3). */
    private static long maxLiveHeapMb() throws IOException {
        Matcher matcher = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(Files.readString(gcLog));
        long max = 0;
        int collections = 0;
        while (matcher.find()) {
            max = Math.max(max, Long.parseLong(matcher.group(2)));
            collections++;
        }
        assertTrue(collections > 0, "the gateway collected garbage while 400 MB passed: " + Files.readString(gcLog));
        return max;
    }

    /** Deterministic bytes made as they are read: the fake's file content, never held. */
    static final class PatternStream extends InputStream {
        private final long length;
        private long position;

        PatternStream(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) {
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(count, length - position);
            for (int i = 0; i < n; i++) {
                long at = position + i;
                buffer[offset + i] = (byte) (at ^ (at >>> 8) ^ (at >>> 17));
            }
            position += n;
            return n;
        }
    }
}
