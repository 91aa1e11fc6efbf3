package io.gateway.plugins.requestlog;

import io.gateway.spi.middleware.Chain;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.middleware.Middleware;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.middleware.RoutingAttempt;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.StreamOutcome;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Writes exactly one {@code key=value} line per request, when its outcome is known.
 *
 * <p>For a complete answer that is when the chain returns; for a stream it is when the stream ends
 * (completed, failed or cancelled by the client), because only then are the outcome, the event count
 * and the usage (sent in the last events) known. Streams are observed with {@link
 * io.gateway.spi.EventStream#peek} and {@link io.gateway.spi.EventStream#onComplete}, never buffered,
 * and only events that may carry a usage object are parsed, so the log costs next to nothing per
 * chunk.
 *
 * <p>The line never holds a body, a key or a header value, except the values of headers the operator
 * listed in {@code include-headers} (credential headers are refused at configuration time).
 */
final class RequestLogMiddleware implements Middleware {

    private static final String UNKNOWN = "-";

    private final System.Logger logger;
    private final System.Logger.Level level;
    private final List<String> includedHeaders;
    private final LongSupplier nanoTime;

    /**
     * @param logger          where lines go
     * @param level           the level of every line
     * @param includedHeaders lower-case request header names whose values may be logged
     * @param nanoTime        a monotonic clock in nanoseconds; latency must not jump with wall-clock
     *                        adjustments, and tests need to control it
     */
    RequestLogMiddleware(System.Logger logger, System.Logger.Level level, List<String> includedHeaders,
                         LongSupplier nanoTime) {
        this.logger = logger;
        this.level = level;
        this.includedHeaders = List.copyOf(includedHeaders);
        this.nanoTime = nanoTime;
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (!logger.isLoggable(level)) {
            return chain.proceed(exchange);
        }
        long start = nanoTime.getAsLong();
        Response response;
        try {
            response = chain.proceed(exchange);
        } catch (GatewayException e) {
            logFailure(exchange, e.headers(), start, e.status(), e.errorCode().type());
            throw e;
        } catch (RuntimeException e) {
            // The server renders any other exception as a 500 internal error; log what the client sees.
            logFailure(exchange, Headers.empty(), start, ErrorCode.INTERNAL.status(), ErrorCode.INTERNAL.type());
            throw e;
        }
        return switch (response) {
            case Response.Streaming streaming -> {
                StreamLog log = new StreamLog(exchange, streaming, start);
                yield streaming.withEvents(streaming.events().peek(log::observe).onComplete(log::complete));
            }
            case Response.Complete complete -> {
                LogLine line = common(exchange, complete.headers(), false, complete.status())
                        .add("outcome", "completed")
                        .add("latency_ms", millisSince(start));
                appendUsage(line, exchange);
                write(withHeaders(line, exchange));
                yield complete;
            }
            // audio, a file's content, a transcript as text: logged once its bytes have passed
            case Response.Binary binary -> binary.withBody(binary.body().onComplete(outcome -> {
                LogLine line = common(exchange, binary.headers(), exchange.stream(), binary.status())
                        .add("outcome", outcome.status().name().toLowerCase(Locale.ROOT))
                        .add("content_type", binary.contentType())
                        .add("bytes", outcome.bytes())
                        .add("latency_ms", millisSince(start));
                appendUsage(line, exchange);
                Optional.ofNullable(outcome.error()).ifPresent(error -> line
                        .add("error_type", error.errorCode().type())
                        .add("error_status", error.status()));
                write(withHeaders(line, exchange));
            }));
        };
    }

    private void logFailure(Exchange exchange, Headers errorHeaders, long start, int status, String errorType) {
        LogLine line = common(exchange, errorHeaders, exchange.stream(), status)
                .add("outcome", "failed")
                .add("latency_ms", millisSince(start))
                .add("error_type", errorType);
        write(withHeaders(line, exchange));
    }

    /** The answer's token counts, as the server read them from the answer or the stream's usage event. */
    private static void appendUsage(LogLine line, Exchange exchange) {
        exchange.outcome().usage().ifPresent(usage -> line
                .add("prompt_tokens", usage.inputTokens())
                .add("completion_tokens", usage.outputTokens())
                .add("total_tokens", usage.totalTokens()));
        exchange.outcome().costUsd().ifPresent(cost -> line.add("cost_usd", cost.stripTrailingZeros().toPlainString()));
    }

    private LogLine common(Exchange exchange, Headers responseHeaders, boolean stream, int status) {
        ModelRef requested = exchange.model();
        List<RoutingAttempt> attempts = exchange.outcome().attempts();
        String provider = exchange.outcome().provider().orElse(null);
        String model = exchange.outcome().model().orElse(null);
        LogLine line = new LogLine()
                .add("request_id", exchange.requestId());
        exchange.outcome().traceId().ifPresent(traceId -> line.add("trace_id", traceId));
        line.add("route", exchange.operation().wireName())
                .add("provider", provider != null ? provider : requested == null ? UNKNOWN : requested.provider())
                .add("model", model != null ? model : requested == null ? UNKNOWN : requested.model())
                .add("stream", stream)
                .add("status", status);
        exchange.form().ifPresent(form -> {
            // an upload's size, never its content
            long bytes = 0;
            for (io.gateway.spi.MultipartForm.Part part : form.parts()) {
                if (part.isFile() && part.content().length() > 0) {
                    bytes += part.content().length();
                }
            }
            line.add("upload_bytes", bytes);
        });
        if (attempts.size() > 1) {
            // provider/model key=NAME status=S MS ms for each attempt: retries, rotations and fallbacks
            line.add("attempts", attempts.toString());
        }
        return line;
    }

    private LogLine withHeaders(LogLine line, Exchange exchange) {
        for (String name : includedHeaders) {
            List<String> values = exchange.headers().all(name);
            if (!values.isEmpty()) {
                line.add("header." + name, String.join(",", values));
            }
        }
        return line;
    }

    private void write(LogLine line) {
        try {
            logger.log(level, line.toString());
        } catch (RuntimeException e) {
            // A broken log handler must not fail requests (or, from onComplete, the stream's consumer);
            // there is nowhere left to report it.
        }
    }

    private long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - startNanos);
    }

    /**
     * What one streamed request has shown so far.
     *
     * <p>{@link #observe} runs on the consumer's thread; {@link #complete} may run on another one (a
     * client disconnect closes the stream from elsewhere), hence the volatile fields.
     */
    private final class StreamLog {
        private final Exchange exchange;
        private final Response.Streaming response;
        private final long start;
        private volatile long firstEventNanos = -1;

        StreamLog(Exchange exchange, Response.Streaming response, long start) {
            this.exchange = exchange;
            this.response = response;
            this.start = start;
        }

        void observe(StreamEvent event) {
            if (firstEventNanos < 0) {
                firstEventNanos = nanoTime.getAsLong();
            }
        }

        void complete(StreamOutcome outcome) {
            LogLine line = common(exchange, response.headers(), true, response.status())
                    .add("outcome", outcome.status().name().toLowerCase(Locale.ROOT))
                    .add("events", outcome.events());
            long first = firstEventNanos;
            if (first >= 0) {
                line.add("ttfb_ms", TimeUnit.NANOSECONDS.toMillis(first - start));
            }
            line.add("latency_ms", millisSince(start));
            appendUsage(line, exchange);
            Optional.ofNullable(outcome.error()).ifPresent(error -> line
                    .add("error_type", error.errorCode().type())
                    .add("error_status", error.status()));
            write(withHeaders(line, exchange));
        }
    }
}
