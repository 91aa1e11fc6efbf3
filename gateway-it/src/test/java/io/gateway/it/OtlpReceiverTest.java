package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test collector itself: what it keeps, and what it refuses the way a collector does. */
class OtlpReceiverTest {

    static OtlpReceiver receiver;

    @BeforeAll
    static void start() {
        receiver = OtlpReceiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    private static ExportTraceServiceRequest request(String name) {
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("receiver-test"))))
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder()
                        .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
                        .setSpanId(ByteString.copyFrom(new byte[] {1, 1, 1, 1, 1, 1, 1, 1}))
                        .setName(name).setKind(Span.SpanKind.SPAN_KIND_SERVER)
                        .setStartTimeUnixNano(1_000).setEndTimeUnixNano(2_000)
                        .addAttributes(KeyValue.newBuilder().setKey("http.route")
                                .setValue(AnyValue.newBuilder().setStringValue("/x")))))).build();
    }

    private static HttpResponse<byte[]> post(String path, String contentType, String encoding, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(receiver.endpoint() + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            builder.header("Content-Encoding", encoding);
        }
        try {
            return Http.CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Test
    void keepsPlainAndGzippedExportsAndAnswersAnEmptyExportResponse() {
        HttpResponse<byte[]> plain = post("/v1/traces", "application/x-protobuf", null,
                request("plain").toByteArray());
        assertEquals(200, plain.statusCode());
        assertEquals("application/x-protobuf", plain.headers().firstValue("content-type").orElseThrow());
        assertEquals(0, plain.body().length, "an empty ExportTraceServiceResponse is zero bytes");
        HttpResponse<byte[]> zipped = post("/v1/traces", "application/x-protobuf; charset=binary", "gzip",
                gzip(request("zipped").toByteArray()));
        assertEquals(200, zipped.statusCode());

        var spans = receiver.await("both spans", Duration.ofSeconds(5), kept -> kept.stream()
                .filter(span -> span.name().equals("plain") || span.name().equals("zipped")).count() == 2);
        OtlpReceiver.ReceivedSpan first = spans.stream().filter(s -> s.name().equals("plain")).findFirst().orElseThrow();
        assertEquals("0102030405060708090a0b0c0d0e0f10", first.traceId());
        assertEquals("0101010101010101", first.spanId());
        assertEquals("", first.parentSpanId());
        assertEquals("receiver-test", first.serviceName());
        assertEquals("/x", first.string("http.route"));
        assertEquals(Duration.ofNanos(1_000), first.duration());
        assertTrue(receiver.exports().stream().anyMatch(export -> export.contentEncoding().equals("gzip")));
    }

    @Test
    void refusesWhatACollectorRefuses() {
        byte[] valid = request("refused").toByteArray();
        int before = receiver.refused();
        assertEquals(404, post("/v1/metrics", "application/x-protobuf", null, valid).statusCode());
        assertEquals(404, post("/", "application/x-protobuf", null, valid).statusCode());
        assertEquals(415, post("/v1/traces", "application/json", null, "{}".getBytes()).statusCode());
        assertEquals(415, post("/v1/traces", "text/plain", null, valid).statusCode());
        assertEquals(400, post("/v1/traces", "application/x-protobuf", "br", valid).statusCode());
        assertEquals(400, post("/v1/traces", "application/x-protobuf", "gzip", valid).statusCode(),
                "a body that is not gzip");
        assertEquals(400, post("/v1/traces", "application/x-protobuf", null,
                new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}).statusCode());
        HttpResponse<String> get = Http.get(URI.create(receiver.endpoint() + "/v1/traces"));
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("allow").orElseThrow());
        assertEquals(before + 8, receiver.refused());
        assertTrue(receiver.spans().stream().noneMatch(span -> span.name().equals("refused")));
    }

    @Test
    void answersTheStatusItIsToldWithoutKeepingAnything() {
        receiver.answerWith(503);
        try {
            assertEquals(503, post("/v1/traces", "application/x-protobuf", null,
                    request("unavailable").toByteArray()).statusCode());
        } finally {
            receiver.answerWith(200);
        }
        assertTrue(receiver.spans().stream().noneMatch(span -> span.name().equals("unavailable")));
        assertThrows(AssertionError.class, () -> receiver.await("a span that never comes", Duration.ofMillis(50),
                kept -> kept.stream().anyMatch(span -> span.name().equals("unavailable"))));
    }
}
