package io.gateway.server.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.core.Pricing;
import io.gateway.server.core.ServerOutcome;
import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.telemetry.Telemetry;
import io.gateway.spi.ByteStream;
import io.gateway.spi.Content;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.MultipartForm;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The router on the rest of the surface: forms sent with the bare model and sent again on a retry,
 * one-shot bodies never resent, binary answers holding their slot until their bytes end, files and
 * batches routed by their ids' provider prefix, and answers priced by units.
 */
class RouterSurfaceTest {

    private final List<ProviderCall> calls = new ArrayList<>();

    @Test
    void speechIsPricedByItsCharactersAndHoldsItsSlotUntilTheBytesEnd() {
        ProviderRuntime openai = provider("openai", 0, call -> new Response.Binary(200, null, "audio/mpeg", 4,
                ByteStream.of(new byte[] {1, 2, 3, 4})));
        Router router = router(openai);
        Exchange speech = exchange(Operation.SPEECH, "{\"model\":\"openai/tts-1\",\"input\":\"héllo wörld\","
                + "\"voice\":\"alloy\"}");
        Response.Binary answer = (Response.Binary) router.route(speech);
        assertEquals("tts-1", calls.get(0).model());
        assertEquals(1, openai.limit().inFlight(), "the slot is held while the bytes pass");
        // 11 characters at 15 USD per 1M
        assertEquals(new BigDecimal("0.000165"), ServerOutcome.of(speech).costUsd().orElseThrow());
        byte[] buffer = new byte[8];
        assertEquals(4, answer.body().read(buffer, 0, 8));
        assertEquals(-1, answer.body().read(buffer, 0, 8));
        assertEquals(0, openai.limit().inFlight(), "the slot is free once the bytes ended");
    }

    @Test
    void aFormGoesUpWithTheBareModelAndIsSentAgainOnARetry() throws IOException {
        byte[] wav = wav(16_000, 90);
        int[] attempts = {0};
        ProviderRuntime openai = provider("openai", 2, call -> {
            if (attempts[0]++ == 0) {
                throw GatewayException.upstream(503, "server_error", null, "overloaded", null, Headers.empty());
            }
            return Response.Complete.ofBytes(200, null, bytes("{\"text\":\"hi\"}"));
        });
        Exchange transcription = exchange(Operation.TRANSCRIPTION, "{}").withForm(MultipartForm.builder()
                .file("file", "call.wav", Content.of(wav, "audio/wav")).field("model", "openai/whisper-1").build());
        router(openai).route(transcription);
        assertEquals(2, calls.size(), "retried: the spooled upload can be sent again");
        for (ProviderCall call : calls) {
            MultipartForm form = call.form().orElseThrow();
            assertEquals("whisper-1", form.field("model").orElseThrow());
            try (InputStream in = form.file("file").orElseThrow().content().open()) {
                assertArrayEquals(wav, in.readAllBytes());
            }
        }
        // a JSON answer without a duration: the WAV header's 90 s at 0.006 per minute
        assertEquals(new BigDecimal("0.009000"), ServerOutcome.of(transcription).costUsd().orElseThrow());
        assertTrue(ServerOutcome.of(transcription).usage().isEmpty());
    }

    @Test
    void aDurationTheAnswerReportsWinsOverTheUploadsHeader() {
        ProviderRuntime openai = provider("openai", 0, call -> Response.Complete.ofBytes(200, null,
                bytes("{\"text\":\"hi\",\"usage\":{\"type\":\"duration\",\"seconds\":30}}")));
        Exchange transcription = exchange(Operation.TRANSCRIPTION, "{}").withForm(MultipartForm.builder()
                .file("file", "call.wav", Content.of(wav(8_000, 600), "audio/wav"))
                .field("model", "openai/whisper-1").build());
        router(openai).route(transcription);
        assertEquals(new BigDecimal("0.003000"), ServerOutcome.of(transcription).costUsd().orElseThrow());
    }

    @Test
    void imagesArePricedPerImageOfTheirSize() {
        ProviderRuntime openai = provider("openai", 0, call -> Response.Complete.ofBytes(200, null,
                bytes("{\"created\":1,\"data\":[{\"b64_json\":\"AA==\"},{\"b64_json\":\"AA==\"}]}")));
        Exchange edit = exchange(Operation.IMAGE_EDIT, "{}").withForm(MultipartForm.builder()
                .file("image", "a.png", Content.of(new byte[] {1}, "image/png")).field("prompt", "hat")
                .field("model", "openai/dall-e-2").field("size", "256x256").build());
        router(openai).route(edit);
        assertEquals(new BigDecimal("0.032000"), ServerOutcome.of(edit).costUsd().orElseThrow());
    }

    @Test
    void aOneShotBodyIsNeverSentTwice() {
        ProviderRuntime openai = provider("openai", 3, call -> {
            throw GatewayException.upstream(503, "server_error", null, "overloaded", null, Headers.empty());
        });
        Exchange upload = exchange(Operation.TRANSCRIPTION, "{}").withForm(MultipartForm.builder()
                .file("file", "a.wav", Content.once(new ByteArrayInputStream(new byte[3]), 3, "audio/wav"))
                .field("model", "openai/whisper-1").build());
        assertThrows(GatewayException.class, () -> router(openai).route(upload));
        assertEquals(1, calls.size(), "a body streamed through once cannot be retried");
    }

    @Test
    void filesGoToTheProviderTheirIdNamesAndComeBackPrefixed() {
        ProviderRuntime openai = provider("openai", 0, call -> fileAnswer(call));
        ProviderRuntime second = provider("second", 0, call -> fileAnswer(call));
        Router router = router(openai, second);

        Exchange retrieve = exchange(Operation.FILE_RETRIEVE, "{}").withParameters(Map.of("file_id", "second/file-1"));
        JsonObject answer = ((Response.Complete) router.route(retrieve)).body();
        assertEquals("second/file-1", answer.getString("id"));
        assertEquals("file-1", calls.getLast().parameter("file_id").orElseThrow(), "the prefix never goes upstream");
        assertEquals("second", ServerOutcome.of(retrieve).provider().orElseThrow());

        Exchange byHeader = exchange(Operation.FILE_RETRIEVE, "{}").withParameters(Map.of("file_id", "file-2"))
                .withHeaders(Headers.of("x-bf-provider", "second"));
        assertEquals("second/file-2", ((Response.Complete) router.route(byHeader)).body().getString("id"));

        Exchange byDefault = exchange(Operation.FILE_RETRIEVE, "{}").withParameters(Map.of("file_id", "file-3"));
        assertEquals("openai/file-3", ((Response.Complete) router.route(byDefault)).body().getString("id"));

        GatewayException unknown = assertThrows(GatewayException.class, () -> router.route(
                exchange(Operation.FILE_LIST, "{}").withHeaders(Headers.of("x-bf-provider", "third"))));
        assertEquals("unknown_provider", unknown.errorCode().code());
    }

    @Test
    void aBatchIsCreatedWhereItsInputFileLives() {
        ProviderRuntime second = provider("second", 0, call -> Response.Complete.ofBytes(200, null, bytes(
                "{\"id\":\"batch_1\",\"object\":\"batch\",\"input_file_id\":\"" + JsonBodies.string(call.body(),
                        "input_file_id") + "\",\"output_file_id\":\"file-out\",\"error_file_id\":null}")));
        Router router = router(provider("openai", 0, call -> fileAnswer(call)), second);
        Exchange create = exchange(Operation.BATCH_CREATE, "{\"input_file_id\":\"second/file-in\","
                + "\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
        JsonObject batch = ((Response.Complete) router.route(create)).body();
        assertEquals("file-in", JsonBodies.string(calls.getLast().body(), "input_file_id"));
        assertEquals("second/batch_1", batch.getString("id"));
        assertEquals("second/file-in", batch.getString("input_file_id"));
        assertEquals("second/file-out", batch.getString("output_file_id"));
        assertEquals(JsonValue.NULL, batch.get("error_file_id"));
    }

    @Test
    void aProviderWithoutTheOperationIsNotCalled() {
        ProviderRuntime chatOnly = new ProviderRuntime("openai", "openai", "test", provider(call -> null),
                RouterSurfaceTest.class.getClassLoader(), EnumSet.of(Operation.CHAT_COMPLETION), Map.of(), false,
                new WeightedKeySelector(List.of()), Duration.ofSeconds(5), Duration.ofSeconds(5), Map.of(), 0,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(2)), new ConcurrencyLimit("openai", 10, 10),
                List.of());
        GatewayException refused = assertThrows(GatewayException.class, () -> router(chatOnly).route(
                exchange(Operation.FILE_LIST, "{}")));
        assertEquals(400, refused.status());
        assertEquals("unsupported_operation", refused.errorCode().code());
        assertTrue(calls.isEmpty());
        assertFalse(refused.getMessage().isEmpty());
    }

    // ------------------------------------------------------------------ helpers

    private Response fileAnswer(ProviderCall call) {
        return Response.Complete.ofBytes(200, null, bytes("{\"id\":\"" + call.parameter("file_id").orElse("file-new")
                + "\",\"object\":\"file\",\"bytes\":3}"));
    }

    private Router router(ProviderRuntime... runtimes) {
        Map<String, ProviderRuntime> providers = new LinkedHashMap<>();
        for (ProviderRuntime runtime : runtimes) {
            providers.put(runtime.name(), runtime);
        }
        return new Router(providers, Clock.systemUTC(), new GatewayMetrics(), Telemetry.off(), Pricing.defaults());
    }

    private Provider provider(Function<ProviderCall, Response> answer) {
        return new Provider() {
            @Override
            public java.util.Set<Operation> operations() {
                return EnumSet.allOf(Operation.class);
            }

            @Override
            public Response call(ProviderCall call) {
                calls.add(call);
                return answer.apply(call);
            }
        };
    }

    private ProviderRuntime provider(String name, int maxRetries, Function<ProviderCall, Response> answer) {
        Provider provider = provider(answer);
        return new ProviderRuntime(name, "openai", "test-plugin", provider, RouterSurfaceTest.class.getClassLoader(),
                provider.operations(), Map.of(), false, new WeightedKeySelector(List.of(
                        new ApiKey("main", Secret.of("sk-test"), 1, List.of("*")))),
                Duration.ofSeconds(5), Duration.ofSeconds(5), Map.of(), maxRetries,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(2)), new ConcurrencyLimit(name, 10, 10), List.of());
    }

    private static Exchange exchange(Operation operation, String json) {
        return Exchange.create("req-1", operation, JsonBodies.parse(json), Headers.empty(), Instant.now(),
                new ServerOutcome());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A WAV of 16-bit mono silence. */
    static byte[] wav(int sampleRate, int seconds) {
        int data = sampleRate * 2 * seconds;
        ByteBuffer out = ByteBuffer.allocate(44 + data).order(ByteOrder.LITTLE_ENDIAN);
        out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + data).put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data);
        return out.array();
    }
}
