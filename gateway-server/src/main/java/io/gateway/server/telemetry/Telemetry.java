package io.gateway.server.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's traces: an OpenTelemetry SDK configured from {@link TelemetrySettings}, or nothing at
 * all when no OTLP endpoint is set (then {@link #tracing()} is false and the request path builds no
 * span and no attribute).
 *
 * <p>Export never blocks or fails a request: ended spans go to the SDK's batch processor, whose
 * export runs on its own thread. In front of it, spans are admitted only while fewer than
 * {@link #MAX_PENDING} are waiting or being exported, so an unreachable collector costs at most that
 * much memory; spans refused there, and spans whose export failed, are counted for {@code /metrics}.
 */
public final class Telemetry implements AutoCloseable {

    /** The most spans ended but not yet exported; beyond it new spans are dropped (and counted). */
    static final int MAX_PENDING = 2048;

    private static final Telemetry OFF = new Telemetry(null, null, false);

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final boolean captureContent;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    private Telemetry(OpenTelemetrySdk sdk, Tracer tracer, boolean captureContent) {
        this.sdk = sdk;
        this.tracer = tracer;
        this.captureContent = captureContent;
    }

    /**
     * No tracing.
     *
     * @return the disabled instance
     */
    public static Telemetry off() {
        return OFF;
    }

    /**
     * Starts the SDK, or returns {@link #off()} when the settings export no traces.
     *
     * @param settings the settings
     * @return the telemetry
     * @throws IllegalArgumentException when the SDK refuses a setting (the message names it)
     */
    public static Telemetry start(TelemetrySettings settings) {
        if (!settings.tracing()) {
            return OFF;
        }
        Counters counters = new Counters();
        OpenTelemetrySdk sdk;
        try {
            sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesCustomizer(properties -> settings.properties())
                    .addSpanExporterCustomizer((exporter, config) -> new CountingExporter(exporter, counters))
                    .addSpanProcessorCustomizer((processor, config) -> new AdmittingProcessor(processor, counters))
                    .build()
                    .getOpenTelemetrySdk();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("gateway.telemetry: the OpenTelemetry SDK refused the configuration: "
                    + e.getMessage(), e);
        }
        Telemetry telemetry = new Telemetry(sdk, sdk.getTracer("io.gateway", version()), settings.captureContent());
        counters.telemetry = telemetry;
        return telemetry;
    }

    /**
     * Telemetry over an existing OpenTelemetry instance (tests use the SDK's in-memory exporter).
     *
     * @param openTelemetry  the instance
     * @param captureContent whether prompts and completions go into spans
     * @return the telemetry
     */
    public static Telemetry using(OpenTelemetry openTelemetry, boolean captureContent) {
        return new Telemetry(null, openTelemetry.getTracer("io.gateway", version()), captureContent);
    }

    private static String version() {
        String version = Telemetry.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /**
     * Whether spans are made.
     *
     * @return {@code true} when tracing is on
     */
    public boolean tracing() {
        return tracer != null;
    }

    /**
     * Whether prompts and completions are recorded as span events.
     *
     * @return the setting
     */
    public boolean captureContent() {
        return captureContent;
    }

    Tracer tracer() {
        return tracer;
    }

    /**
     * The W3C trace-context propagator (traceparent, tracestate).
     *
     * @return the propagator
     */
    TextMapPropagator propagator() {
        return io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance();
    }

    /**
     * Runs a task later, in the trace context current now (async jobs continue their submission's trace).
     *
     * @param task the task
     * @return the task bound to the current context, or the task itself without tracing
     */
    public Runnable inCurrentContext(Runnable task) {
        return tracer == null ? task : Context.current().wrap(task);
    }

    /**
     * Spans exported to the collector.
     *
     * @return the count since start
     */
    public long exportedSpans() {
        return exported.get();
    }

    /**
     * Spans lost: refused because too many were waiting, or whose export failed.
     *
     * @return the count since start
     */
    public long droppedSpans() {
        return dropped.get() + failed.get();
    }

    /** Flushes what is pending (up to 5 s) and stops the SDK. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.getSdkTracerProvider().forceFlush().join(5, TimeUnit.SECONDS);
            sdk.close();
        }
    }

    /** Where the exporter and the processor report to; set once the telemetry exists. */
    private static final class Counters {
        private volatile Telemetry telemetry;
    }

    /** Counts exported and failed spans, and frees their place in the admission count. */
    private record CountingExporter(SpanExporter delegate, Counters counters) implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            int count = spans.size();
            CompletableResultCode result;
            try {
                result = delegate.export(spans);
            } catch (RuntimeException e) {
                done(count, false);
                return CompletableResultCode.ofFailure();
            }
            result.whenComplete(() -> done(count, result.isSuccess()));
            return result;
        }

        private void done(int count, boolean success) {
            Telemetry telemetry = counters.telemetry;
            if (telemetry != null) {
                telemetry.pending.addAndGet(-count);
                (success ? telemetry.exported : telemetry.failed).addAndGet(count);
            }
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }

    /** Hands an ended span to the batch processor only while fewer than {@link #MAX_PENDING} wait. */
    private record AdmittingProcessor(SpanProcessor delegate, Counters counters) implements SpanProcessor {
        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {
            delegate.onStart(parentContext, span);
        }

        @Override
        public boolean isStartRequired() {
            return delegate.isStartRequired();
        }

        @Override
        public void onEnd(ReadableSpan span) {
            Telemetry telemetry = counters.telemetry;
            if (telemetry != null && span.getSpanContext().isSampled()) {
                if (telemetry.pending.incrementAndGet() > MAX_PENDING) {
                    telemetry.pending.decrementAndGet();
                    telemetry.dropped.incrementAndGet();
                    return;
                }
            }
            delegate.onEnd(span);
        }

        @Override
        public boolean isEndRequired() {
            return delegate.isEndRequired();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }

        @Override
        public CompletableResultCode forceFlush() {
            return delegate.forceFlush();
        }
    }
}
