package io.gateway.plugins.requestlog;

import io.gateway.spi.AttemptLog;
import io.gateway.spi.Chain;
import io.gateway.spi.ErrorCode;
import io.gateway.spi.Exchange;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Middleware;
import io.gateway.spi.ModelRef;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.RoutingAttempt;
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

    /** Set by the server's router on the responses it returns: the provider that actually served. */
    static final String PROVIDER_HEADER = "x-bifrost-provider";
    /** Set by the server's router: the model that actually served, which differs after a fallback. */
    static final String MODEL_HEADER = "x-bifrost-resolved-model";

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
                TokenUsage usage = usageOf(exchange.operation(), complete);
                if (usage != null) {
                    usage.appendTo(line);
                }
                write(withHeaders(line, exchange));
                yield complete;
            }
        };
    }

    private void logFailure(Exchange exchange, Headers errorHeaders, long start, int status, String errorType) {
        LogLine line = common(exchange, errorHeaders, exchange.stream(), status)
                .add("outcome", "failed")
                .add("latency_ms", millisSince(start))
                .add("error_type", errorType);
        write(withHeaders(line, exchange));
    }

    /**
     * The usage of a complete answer. Model lists have none, so they are not parsed; a body that is
     * not JSON is the client's problem to see, not a reason to fail the request here.
     */
    private static TokenUsage usageOf(Operation operation, Response.Complete complete) {
        if (operation == Operation.LIST_MODELS) {
            return null;
        }
        try {
            return TokenUsage.of(complete.body().get("usage"));
        } catch (GatewayException e) {
            return null;
        }
    }

    private LogLine common(Exchange exchange, Headers responseHeaders, boolean stream, int status) {
        ModelRef requested = exchange.model();
        List<RoutingAttempt> attempts = exchange.attribute(AttemptLog.KEY).map(AttemptLog::attempts)
                .orElse(List.of());
        String provider = responseHeaders.first(PROVIDER_HEADER).orElse(null);
        String model = responseHeaders.first(MODEL_HEADER).orElse(null);
        if (provider == null && !attempts.isEmpty()) {
            RoutingAttempt last = attempts.get(attempts.size() - 1);
            provider = last.provider();
            model = last.model();
        }
        LogLine line = new LogLine()
                .add("request_id", exchange.requestId())
                .add("route", exchange.operation().wireName())
                .add("provider", provider != null ? provider : requested == null ? UNKNOWN : requested.provider())
                .add("model", model != null ? model : requested == null ? UNKNOWN : requested.model())
                .add("stream", stream)
                .add("status", status);
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
     * Whether an event's data may hold a {@code "usage": {...}} member, judged on the text alone.
     *
     * <p>Every chunk of a chat stream with {@code include_usage} says {@code "usage":null}, and Responses
     * events repeat {@code "usage":null} until the end, so the mere word is not enough: only an object
     * value is worth parsing. A match preceded by a backslash is inside a string (generated text that
     * quotes JSON) and is skipped.
     */
    static boolean mayHoldUsage(String data) {
        int from = 0;
        while (true) {
            int at = data.indexOf("\"usage\"", from);
            if (at < 0) {
                return false;
            }
            from = at + "\"usage\"".length();
            if (at > 0 && data.charAt(at - 1) == '\\') {
                continue;
            }
            int i = skipWhitespace(data, from);
            if (i < data.length() && data.charAt(i) == ':') {
                i = skipWhitespace(data, i + 1);
                if (i < data.length() && data.charAt(i) == '{') {
                    return true;
                }
            }
        }
    }

    private static int skipWhitespace(String text, int from) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
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
        private volatile TokenUsage usage;

        StreamLog(Exchange exchange, Response.Streaming response, long start) {
            this.exchange = exchange;
            this.response = response;
            this.start = start;
        }

        void observe(StreamEvent event) {
            if (firstEventNanos < 0) {
                firstEventNanos = nanoTime.getAsLong();
            }
            if (mayHoldUsage(event.data())) {
                try {
                    TokenUsage found = TokenUsage.inEvent(event.json());
                    if (found != null) {
                        usage = found;
                    }
                } catch (GatewayException e) {
                    // Not JSON after all: the event passes on untouched and simply has no usage to log.
                }
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
            TokenUsage seen = usage;
            if (seen != null) {
                seen.appendTo(line);
            }
            Optional.ofNullable(outcome.error()).ifPresent(error -> line
                    .add("error_type", error.errorCode().type())
                    .add("error_status", error.status()));
            write(withHeaders(line, exchange));
        }
    }
}
