package io.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.core.LogContext;
import io.gateway.spi.JsonBodies;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {

    private final JsonLogFormatter formatter = new JsonLogFormatter();

    @Test
    void oneJsonObjectPerLineWithTheRequestAndTrace() {
        LogRecord record = new LogRecord(Level.INFO, "request_id=r1 status=200 note=\"a \\\"quoted\\\" value\"\nsecond line");
        record.setLoggerName("gateway.plugin.middleware-request-log");
        record.setInstant(Instant.parse("2026-12-07T01:02:03.456789Z"));
        String line;
        try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(
                        io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter.create())).build()).build()) {
            Span span = sdk.getTracer("t").spanBuilder("s").startSpan();
            LogContext.set("r1");
            try (Scope ignored = span.makeCurrent()) {
                line = formatter.format(record);
            } finally {
                LogContext.clear();
                span.end();
            }
            assertTrue(line.endsWith(System.lineSeparator()));
            assertEquals(1, line.strip().lines().count(), "one line: " + line);
            JsonObject json = JsonBodies.parse(line.strip());
            assertEquals("2026-12-07T01:02:03.456Z", json.getString("time"));
            assertEquals("INFO", json.getString("level"));
            assertEquals("gateway.plugin.middleware-request-log", json.getString("logger"));
            assertTrue(json.getString("message").contains("second line"));
            assertEquals("r1", json.getString("request_id"));
            assertEquals(span.getSpanContext().getTraceId(), json.getString("trace_id"));
            assertEquals(span.getSpanContext().getSpanId(), json.getString("span_id"));
        }
    }

    @Test
    void outsideARequestThereIsNoRequestOrTraceAndExceptionsAreKept() {
        LogRecord record = new LogRecord(Level.SEVERE, "boom");
        record.setLoggerName("gateway.http");
        record.setThrown(new IllegalStateException("broken"));
        JsonObject json = JsonBodies.parse(formatter.format(record).strip());
        assertFalse(json.containsKey("request_id"));
        assertFalse(json.containsKey("trace_id"));
        assertEquals("SEVERE", json.getString("level"));
        assertTrue(json.getString("exception").contains("IllegalStateException: broken"));
    }
}
