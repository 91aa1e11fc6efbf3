package io.gateway.it;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver on a free loopback port, standing in for an OpenTelemetry collector in
 * integration tests: it accepts {@code POST /v1/traces} with an {@code application/x-protobuf} body
 * (plain or {@code Content-Encoding: gzip}), decodes the {@code ExportTraceServiceRequest} with the
 * specification's own protobuf classes, keeps every span for assertions and answers {@code 200} with
 * an empty {@code ExportTraceServiceResponse}.
 *
 * <p>It refuses what a collector refuses: another path is {@code 404}, another method {@code 405},
 * another content type {@code 415} (this receiver decodes binary protobuf only, which is what the
 * gateway sends; a collector would also take OTLP/JSON), another content encoding or a body that is no
 * {@code ExportTraceServiceRequest} {@code 400}. Error bodies are plain text, where a collector sends a
 * {@code google.rpc.Status}. Refused requests are counted ({@link #refused()}) and their spans not kept.
 *
 * <p>To play a broken collector, {@link #answerWith(int)} makes it answer every valid export with
 * that status without keeping it, and {@link #hang()} holds every request unanswered until
 * {@link #release()} (or {@link #close()}).
 *
 * <p>It lives in the integration tests rather than the test kit: the test kit serves plugin authors,
 * and plugins make no spans (the server does), while this class would bring protobuf and the OTLP
 * classes onto every plugin's test class path.
 *
 * <p>Thread-safe: requests are handled on virtual threads; waiting ({@link #await}) uses a monitor
 * that every kept export notifies, never a fixed sleep.
 */
final class OtlpReceiver implements AutoCloseable {

    /** The path OTLP/HTTP exporters post traces to. */
    static final String TRACES_PATH = "/v1/traces";
    private static final String PROTOBUF = "application/x-protobuf";
    private static final HexFormat HEX = HexFormat.of();

    /**
     * One kept export request.
     *
     * @param request         the decoded request
     * @param bytes           the request body as received (before gunzipping)
     * @param contentEncoding the {@code Content-Encoding} it came with, {@code identity} when none
     * @param receivedAtNanos {@link System#nanoTime()} when it had been read
     */
    record Export(ExportTraceServiceRequest request, byte[] bytes, String contentEncoding, long receivedAtNanos) {
    }

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer server;
    private final Object monitor = new Object();
    private final List<Export> exports = new ArrayList<>();
    private final List<ReceivedSpan> spans = new ArrayList<>();
    private int requests;
    private int refused;
    private volatile int failureStatus;
    private volatile CountDownLatch hold;

    private OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts a receiver on {@code 127.0.0.1} and a free port.
     *
     * @return the running receiver; close it
     */
    static OtlpReceiver start() {
        try {
            return new OtlpReceiver();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the OTLP receiver", e);
        }
    }

    /**
     * The collector's base URL, as {@code gateway.telemetry.otlp.endpoint} takes it.
     *
     * @return e.g. {@code http://127.0.0.1:4318}
     */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Answers every valid export with {@code status} and keeps nothing; {@code 200} accepts again.
     *
     * @param status the status to answer
     */
    void answerWith(int status) {
        failureStatus = status == 200 ? 0 : status;
    }

    /** Holds every request from now on unanswered until {@link #release()}. */
    void hang() {
        hold = new CountDownLatch(1);
    }

    /** Lets held requests go on, and answers new ones at once. */
    void release() {
        CountDownLatch current = hold;
        hold = null;
        if (current != null) {
            current.countDown();
        }
    }

    /**
     * How many requests arrived, valid or not, held or answered.
     *
     * @return the count since start
     */
    int requests() {
        synchronized (monitor) {
            return requests;
        }
    }

    /**
     * How many requests were refused with a 4xx.
     *
     * @return the count since start
     */
    int refused() {
        synchronized (monitor) {
            return refused;
        }
    }

    /**
     * The kept exports, in arrival order.
     *
     * @return a snapshot
     */
    List<Export> exports() {
        synchronized (monitor) {
            return List.copyOf(exports);
        }
    }

    /**
     * Every kept span, in arrival order.
     *
     * @return a snapshot
     */
    List<ReceivedSpan> spans() {
        synchronized (monitor) {
            return List.copyOf(spans);
        }
    }

    /**
     * Waits until the kept spans satisfy a condition.
     *
     * @param what    what is awaited, for the failure message
     * @param timeout how long to wait at most
     * @param done    the condition, tested on a snapshot of every kept span
     * @return the snapshot that satisfied it
     * @throws AssertionError naming {@code what} and listing the spans kept when the time is up
     */
    List<ReceivedSpan> await(String what, Duration timeout, Predicate<List<ReceivedSpan>> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (true) {
                List<ReceivedSpan> snapshot = List.copyOf(spans);
                if (done.test(snapshot)) {
                    return snapshot;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    StringBuilder kept = new StringBuilder();
                    snapshot.forEach(span -> kept.append("\n  ").append(span));
                    throw new AssertionError("the OTLP receiver did not get " + what + " within " + timeout.toMillis()
                            + " ms; it has " + snapshot.size() + " spans:" + kept);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for " + what, e);
                }
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            synchronized (monitor) {
                requests++;
            }
            CountDownLatch held = hold;
            if (held != null) {
                try {
                    held.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (!exchange.getRequestURI().getPath().equals(TRACES_PATH)) {
                refuse(exchange, 404, "no such path: OTLP/HTTP traces go to " + TRACES_PATH);
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                refuse(exchange, 405, exchange.getRequestMethod() + " is not allowed; export traces with POST");
                return;
            }
            String type = mediaType(exchange.getRequestHeaders().getFirst("Content-Type"));
            if (!PROTOBUF.equals(type)) {
                refuse(exchange, 415, "unsupported content type '" + type + "'; send " + PROTOBUF);
                return;
            }
            String encoding = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    .map(value -> value.trim().toLowerCase(Locale.ROOT)).filter(value -> !value.isEmpty())
                    .orElse("identity");
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            ExportTraceServiceRequest request;
            try (InputStream body = switch (encoding) {
                case "identity" -> new ByteArrayInputStream(bytes);
                case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(bytes));
                default -> null;
            }) {
                if (body == null) {
                    refuse(exchange, 400, "unsupported Content-Encoding '" + encoding + "'; use gzip or none");
                    return;
                }
                request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
            } catch (InvalidProtocolBufferException e) {
                refuse(exchange, 400, "the body is no ExportTraceServiceRequest: " + e.getMessage());
                return;
            } catch (IOException e) {
                refuse(exchange, 400, "the body is not valid " + encoding + ": " + e.getMessage());
                return;
            }
            int failure = failureStatus;
            if (failure != 0) {
                send(exchange, failure, "text/plain; charset=utf-8",
                        ("the collector is unavailable (status " + failure + " by test)").getBytes(StandardCharsets.UTF_8));
                return;
            }
            keep(new Export(request, bytes, encoding, System.nanoTime()));
            send(exchange, 200, PROTOBUF, ExportTraceServiceResponse.getDefaultInstance().toByteArray());
        }
    }

    private void keep(Export export) {
        synchronized (monitor) {
            exports.add(export);
            for (ResourceSpans resourceSpans : export.request().getResourceSpansList()) {
                for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                    for (Span span : scopeSpans.getSpansList()) {
                        spans.add(new ReceivedSpan(span, resourceSpans.getResource(), export.receivedAtNanos()));
                    }
                }
            }
            monitor.notifyAll();
        }
    }

    private void refuse(HttpExchange exchange, int status, String message) throws IOException {
        synchronized (monitor) {
            refused++;
        }
        send(exchange, status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        // an empty protobuf message is zero bytes: -1 announces no body (0 would mean chunked)
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * One received span with the resource it was exported under.
     *
     * @param span            the span
     * @param resource        its resource
     * @param receivedAtNanos {@link System#nanoTime()} when its export had been read
     */
    record ReceivedSpan(Span span, Resource resource, long receivedAtNanos) {

        String traceId() {
            return hex(span.getTraceId());
        }

        String spanId() {
            return hex(span.getSpanId());
        }

        /** The parent's span id, or the empty string for a root span. */
        String parentSpanId() {
            return hex(span.getParentSpanId());
        }

        String name() {
            return span.getName();
        }

        Span.SpanKind kind() {
            return span.getKind();
        }

        /** The resource's {@code service.name}. */
        String serviceName() {
            for (KeyValue attribute : resource.getAttributesList()) {
                if (attribute.getKey().equals("service.name")) {
                    return attribute.getValue().getStringValue();
                }
            }
            return null;
        }

        /** An attribute, if the span has it. */
        Optional<AnyValue> attribute(String key) {
            for (KeyValue attribute : span.getAttributesList()) {
                if (attribute.getKey().equals(key)) {
                    return Optional.of(attribute.getValue());
                }
            }
            return Optional.empty();
        }

        /** A string attribute, or {@code null} when absent. */
        String string(String key) {
            return attribute(key).filter(AnyValue::hasStringValue).map(AnyValue::getStringValue).orElse(null);
        }

        /** An integer attribute, or {@code null} when absent. */
        Long integer(String key) {
            return attribute(key).filter(AnyValue::hasIntValue).map(AnyValue::getIntValue).orElse(null);
        }

        /** A floating-point attribute, or {@code null} when absent. */
        Double decimal(String key) {
            return attribute(key).filter(AnyValue::hasDoubleValue).map(AnyValue::getDoubleValue).orElse(null);
        }

        /** A string-array attribute, or {@code null} when absent. */
        List<String> strings(String key) {
            return attribute(key).filter(AnyValue::hasArrayValue).map(value -> value.getArrayValue().getValuesList()
                    .stream().map(AnyValue::getStringValue).toList()).orElse(null);
        }

        /** The span's length. */
        Duration duration() {
            return Duration.ofNanos(span.getEndTimeUnixNano() - span.getStartTimeUnixNano());
        }

        /** Whether it ended at all (an exported span always has an end). */
        boolean ended() {
            return span.getEndTimeUnixNano() >= span.getStartTimeUnixNano() && span.getEndTimeUnixNano() > 0;
        }

        private static String hex(ByteString bytes) {
            return HEX.formatHex(bytes.toByteArray());
        }

        @Override
        public String toString() {
            return span.getKind() + " '" + span.getName() + "' trace=" + traceId() + " span=" + spanId()
                    + " parent=" + parentSpanId() + " service=" + serviceName();
        }
    }
}
