package io.gateway.server;

import io.gateway.server.core.LogContext;
import io.gateway.spi.JsonBodies;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import jakarta.json.stream.JsonGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.format.DateTimeFormatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code gateway.log.format: json}: one JSON object per line for every log record, with the fields
 * {@code time} (RFC 3339, UTC), {@code level}, {@code logger}, {@code message}, and where known
 * {@code request_id} (the request the logging thread works on), {@code trace_id} and {@code span_id}
 * (the current span, when traces are exported) and {@code exception} (the stack trace). Thread-safe.
 */
public final class JsonLogFormatter extends java.util.logging.Formatter {

    /** Creates the formatter. */
    public JsonLogFormatter() {
    }

    private static volatile boolean chosen;

    /** Puts this formatter on every handler of the root logger, now and whenever the format is set again. */
    static void install() {
        chosen = true;
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.setFormatter(new JsonLogFormatter());
        }
    }

    /**
     * Whether the configuration chose JSON logs.
     *
     * @return {@code true} once {@link #install()} ran
     */
    static boolean chosen() {
        return chosen;
    }

    @Override
    public String format(LogRecord record) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JsonBodies.provider().createGenerator(out)) {
            json.writeStartObject();
            json.write("time", DateTimeFormatter.ISO_INSTANT.format(record.getInstant()
                    .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
            json.write("level", record.getLevel().getName());
            json.write("logger", record.getLoggerName() == null ? "" : record.getLoggerName());
            String message = formatMessage(record);
            json.write("message", message == null ? "" : message);
            String requestId = LogContext.requestId();
            if (requestId != null) {
                json.write("request_id", requestId);
            }
            SpanContext span = Span.current().getSpanContext();
            if (span.isValid()) {
                json.write("trace_id", span.getTraceId());
                json.write("span_id", span.getSpanId());
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                try (PrintWriter writer = new PrintWriter(trace)) {
                    record.getThrown().printStackTrace(writer);
                }
                json.write("exception", trace.toString());
            }
            json.writeEnd();
        }
        return out.append(System.lineSeparator()).toString();
    }
}
