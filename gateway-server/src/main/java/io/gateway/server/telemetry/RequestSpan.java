package io.gateway.server.telemetry;

import io.gateway.spi.GatewayException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Collections;
import java.util.function.Function;

/**
 * The SERVER span of one client request, per the HTTP server conventions: named after the route
 * template ({@code POST /openai/v1/chat/completions}), child of the client's {@code traceparent} when
 * it sent one, current while the request is handled so that attempt spans and log records join it.
 * Without tracing every method does nothing.
 */
public final class RequestSpan implements AutoCloseable {

    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("gateway.request_id");
    static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");

    private static final RequestSpan NONE = new RequestSpan(null, null);

    private final Span span;
    private final Scope scope;

    private RequestSpan(Span span, Scope scope) {
        this.span = span;
        this.scope = scope;
    }

    /**
     * The span of a request that is not traced.
     *
     * @return the inert span
     */
    public static RequestSpan none() {
        return NONE;
    }

    /**
     * Starts the span and makes it current on this thread.
     *
     * @param telemetry the telemetry
     * @param method    the HTTP method
     * @param route     the route template
     * @param path      the request path
     * @param requestId the gateway's request id
     * @param header    reads one request header (for {@code traceparent} and {@code tracestate})
     * @return the span; close it on the same thread after {@link #end}
     */
    public static RequestSpan start(Telemetry telemetry, String method, String route, String path, String requestId,
                                    Function<String, String> header) {
        if (!telemetry.tracing()) {
            return NONE;
        }
        Context parent = telemetry.propagator().extract(Context.root(), header, HEADERS);
        Span span = telemetry.tracer().spanBuilder(method + " " + route)
                .setSpanKind(SpanKind.SERVER)
                .setParent(parent)
                .setAttribute(METHOD, method)
                .setAttribute(ROUTE, route)
                .setAttribute(URL_PATH, path)
                .setAttribute(URL_SCHEME, "http")
                .setAttribute(REQUEST_ID, requestId)
                .startSpan();
        return new RequestSpan(span, span.makeCurrent());
    }

    /**
     * The trace id, for logs.
     *
     * @return the 32-hex-digit id, or {@code null} without tracing
     */
    public String traceId() {
        return span == null ? null : span.getSpanContext().getTraceId();
    }

    /**
     * Records how the request ended: the status, and for failures the error's type.
     *
     * @param status the HTTP status sent (499 when the client left)
     * @param error  the failure, or {@code null}
     */
    public void end(int status, GatewayException error) {
        if (span == null) {
            return;
        }
        span.setAttribute(STATUS, status);
        if (error != null) {
            span.setAttribute(ERROR_TYPE, error.errorCode().type());
        } else if (status >= 500) {
            span.setAttribute(ERROR_TYPE, Integer.toString(status));
        }
        if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** Leaves the span's scope; call on the thread that started it. */
    @Override
    public void close() {
        if (scope != null) {
            scope.close();
        }
    }

    private static final TextMapGetter<Function<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
            return Collections.emptyList();
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
            return carrier == null ? null : carrier.apply(key);
        }
    };
}
