package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.it.OtlpReceiver.ReceivedSpan;
import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.OpenAiPreset;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import io.gateway.testkit.http.SseFrame;
import io.gateway.testkit.http.SseParser;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's traces against a real OTLP/HTTP receiver on loopback ({@link OtlpReceiver}, which decodes
 * what the gateway exports with the OpenTelemetry proto classes): the real server with
 * {@code gateway.telemetry.otlp.endpoint} pointing at the receiver, fake upstreams behind it. Every wait
 * is for a condition with a deadline; timing assertions use the receiver's arrival stamps.
 */
class TracingIT {

    private static final String PROVIDER_KEY = "sk-tracing-it-provider-" + random(8);
    private static final String BACKUP_KEY = "sk-tracing-it-backup-" + random(8);
    private static final String VIRTUAL_KEY = "sk-bf-tracing-it-" + random(8);
    private static final String SERVICE = "tracing-it";
    private static final String CHAT_PATH = "/openai/v1/chat/completions";
    private static final String CHAT = "{\"model\":\"openai/gpt-4o-mini\",\"temperature\":0.5,\"max_tokens\":50,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"say hello\"}]}";
    private static final String STREAM = "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"say hello\"}]}";
    /** How long spans may take from a request's end to the receiver (issue 13). */
    private static final Duration TIMELY = Duration.ofSeconds(5);
    /** How long a test waits for spans before it fails: long enough for a busy machine, not a criterion. */
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path temp;

    static OtlpReceiver receiver;
    static FakeUpstream upstream;
    static FakeUpstream backup;
    static PluginFolders plugins;
    static Map<String, String> env;
    static TestGateway gateway;

    @BeforeAll
    static void start() {
        receiver = OtlpReceiver.start();
        upstream = FakeUpstream.openAi();
        backup = FakeUpstream.openAi();
        plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("middleware-governance", "io.gateway.plugins.governance.GovernancePlugin");
        env = Map.of("TRACING_IT_PROVIDER_KEY", PROVIDER_KEY, "TRACING_IT_BACKUP_KEY", BACKUP_KEY,
                "TRACING_IT_VIRTUAL_KEY", VIRTUAL_KEY);
        gateway = TestGateway.start("""
                gateway:
                  telemetry:
                    service-name: %s
                    otlp:
                      endpoint: %s
                  providers:
                    openai:
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: ${TRACING_IT_PROVIDER_KEY}
                      max-retries: 1
                      retry-backoff-initial: 10ms
                      retry-backoff-max: 10ms
                    backup:
                      type: openai
                      base-url: %s/v1
                      keys:
                        - name: spare
                          value: ${TRACING_IT_BACKUP_KEY}
                  middleware:
                    - type: governance
                      require-virtual-key: true
                      virtual-keys:
                        - name: team
                          value: ${TRACING_IT_VIRTUAL_KEY}
                """.formatted(SERVICE, receiver.endpoint(), upstream.baseUrl(), backup.baseUrl()), plugins.root(),
                env);
    }

    @AfterAll
    static void stop() {
        try {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            upstream.close();
            backup.close();
            receiver.close();
        }
    }

    @BeforeEach
    void reset() {
        upstream.reset();
        backup.reset();
    }

    // ------------------------------------------------------------------ the request's trace

    @Test
    void theClientsTraceGoesThroughTheGatewayToTheUpstream() {
        String traceId = random(16);
        String parentId = random(8);
        HttpResponse<String> response = Http.post(gateway.uri(CHAT_PATH), CHAT, "x-bf-vk", VIRTUAL_KEY,
                "traceparent", "00-" + traceId + "-" + parentId + "-01", "tracestate", "vendor=opaque,other=1");
        assertEquals(200, response.statusCode(), response.body());
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();
        JsonObject answer = JsonBodies.parse(response.body());

        Trace trace = awaitTrace(receiver, requestId, 1);
        ReceivedSpan server = trace.server();
        assertEquals(traceId, server.traceId(), "the SERVER span continues the client's trace");
        assertEquals(parentId, server.parentSpanId(), "the SERVER span is the child of the client's span");
        assertEquals("vendor=opaque,other=1", server.span().getTraceState());
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER, server.kind());
        assertEquals("POST /openai/v1/chat/completions", server.name());
        assertEquals("POST", server.string("http.request.method"));
        assertEquals(CHAT_PATH, server.string("http.route"));
        assertEquals(CHAT_PATH, server.string("url.path"));
        assertEquals("http", server.string("url.scheme"));
        assertEquals(200L, server.integer("http.response.status_code"));
        assertEquals(requestId, server.string("gateway.request_id"), "the request id the client got");
        assertNull(server.string("error.type"));
        assertEquals(Status.StatusCode.STATUS_CODE_UNSET, server.span().getStatus().getCode());
        assertEquals(SERVICE, server.serviceName());

        ReceivedSpan client = trace.clients().get(0);
        assertEquals(traceId, client.traceId());
        assertEquals(server.spanId(), client.parentSpanId(), "the CLIENT span is the child of the SERVER span");
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, client.kind());
        assertEquals("chat gpt-4o-mini", client.name());
        assertEquals("chat", client.string("gen_ai.operation.name"));
        assertEquals("openai", client.string("gen_ai.provider.name"));
        assertEquals("gpt-4o-mini", client.string("gen_ai.request.model"));
        assertEquals(answer.getString("model"), client.string("gen_ai.response.model"));
        assertEquals(answer.getString("id"), client.string("gen_ai.response.id"));
        assertEquals(List.of("stop"), client.strings("gen_ai.response.finish_reasons"));
        JsonObject usage = answer.getJsonObject("usage");
        assertEquals(usage.getJsonNumber("prompt_tokens").longValue(), client.integer("gen_ai.usage.input_tokens"));
        assertEquals(usage.getJsonNumber("completion_tokens").longValue(),
                client.integer("gen_ai.usage.output_tokens"));
        assertEquals(0.5, client.decimal("gen_ai.request.temperature"));
        assertEquals(50L, client.integer("gen_ai.request.max_tokens"));
        assertEquals("127.0.0.1", client.string("server.address"));
        assertEquals((long) upstream.port(), client.integer("server.port"));
        assertEquals(200L, client.integer("http.response.status_code"));
        assertEquals("openai", client.string("gateway.provider"));
        assertEquals("main", client.string("gateway.key_name"));
        assertEquals(1L, client.integer("gateway.attempt"));
        assertEquals(0L, client.integer("gateway.fallback_index"));
        assertNull(client.string("error.type"));
        assertNull(client.attribute("gen_ai.request.stream").orElse(null), "not a stream");
        for (ReceivedSpan span : trace.all()) {
            assertEquals(0, span.span().getEventsCount(), "no content events without capture-content: " + span);
        }

        RecordedRequest sent = upstream.lastRequest();
        assertEquals("00-" + traceId + "-" + client.spanId() + "-01", sent.header("traceparent"),
                "the upstream request names the CLIENT span as its parent");
        assertEquals("vendor=opaque,other=1", sent.header("tracestate"));
        assertTrue(client.span().getStartTimeUnixNano() >= server.span().getStartTimeUnixNano()
                && client.span().getEndTimeUnixNano() <= server.span().getEndTimeUnixNano(),
                "the attempt lies within the request");
    }

    @Test
    void aStreamsSpansEndWhenTheStreamEnds() {
        String chunk = "{\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},"
                + "\"finish_reason\":%s}]}";
        Duration gap = Duration.ofMillis(300);
        upstream.on("POST", "/v1/chat/completions").respond(Reply.sse(
                SseFrame.data(chunk.formatted("Hel", "null")).after(gap),
                SseFrame.data(chunk.formatted("lo", "null")).after(gap),
                SseFrame.data(chunk.formatted("!", "\"stop\"")).after(gap),
                SseFrame.data("{\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,"
                        + "\"completion_tokens\":3,\"total_tokens\":10}}").after(gap),
                SseFrame.done()));
        HttpResponse<InputStream> response = Http.postStream(gateway.uri(CHAT_PATH), STREAM, "x-bf-vk", VIRTUAL_KEY);
        assertEquals(200, response.statusCode());
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();
        List<SseFrame> frames = readAll(response);
        assertTrue(frames.get(frames.size() - 1).isDone(), "the stream ran to its end: " + frames);

        Trace trace = awaitTrace(receiver, requestId, 1);
        ReceivedSpan client = trace.clients().get(0);
        ReceivedSpan server = trace.server();
        Duration streamed = gap.multipliedBy(4);
        assertTrue(client.duration().compareTo(streamed) >= 0, "the CLIENT span ends when the stream ends, after "
                + streamed.toMillis() + " ms of events, not when its head arrived: it lasted "
                + client.duration().toMillis() + " ms");
        assertTrue(server.duration().compareTo(streamed) >= 0, "the SERVER span too: " + server.duration().toMillis());
        assertTrue(client.span().getEndTimeUnixNano() <= server.span().getEndTimeUnixNano());
        Double firstChunk = client.decimal("gen_ai.response.time_to_first_chunk");
        assertNotNull(firstChunk, "time to first chunk is recorded for a stream");
        assertTrue(firstChunk >= gap.toMillis() / 1000.0 && firstChunk * 1e9 < client.duration().toNanos(),
                "the first event came after " + gap.toMillis() + " ms, and before the stream's end: " + firstChunk);
        assertEquals(Boolean.TRUE, client.attribute("gen_ai.request.stream").map(v -> v.getBoolValue()).orElse(null));
        assertEquals("chatcmpl-s1", client.string("gen_ai.response.id"));
        assertEquals("gpt-4o-mini-2024-07-18", client.string("gen_ai.response.model"));
        assertEquals(List.of("stop"), client.strings("gen_ai.response.finish_reasons"));
        assertEquals(7L, client.integer("gen_ai.usage.input_tokens"));
        assertEquals(3L, client.integer("gen_ai.usage.output_tokens"));
        assertEquals(200L, server.integer("http.response.status_code"));
    }

    @Test
    void aRetryMakesTwoClientSpansUnderOneServerSpan() {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.error(503, "overloaded, try again"),
                Reply.from(OpenAiPreset::chatCompletions));
        HttpResponse<String> response = Http.post(gateway.uri(CHAT_PATH), CHAT, "x-bf-vk", VIRTUAL_KEY);
        assertEquals(200, response.statusCode(), response.body());
        Trace trace = awaitTrace(receiver, response.headers().firstValue("x-request-id").orElseThrow(), 2);

        ReceivedSpan failed = trace.attempt(1);
        ReceivedSpan served = trace.attempt(2);
        for (ReceivedSpan attempt : List.of(failed, served)) {
            assertEquals(trace.server().spanId(), attempt.parentSpanId());
            assertEquals("chat gpt-4o-mini", attempt.name());
            assertEquals("openai", attempt.string("gateway.provider"));
            assertEquals(0L, attempt.integer("gateway.fallback_index"));
        }
        assertEquals(503L, failed.integer("http.response.status_code"));
        assertNotNull(failed.string("error.type"), "the failed attempt names its error");
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, failed.span().getStatus().getCode());
        assertFalse(failed.attribute("gen_ai.response.id").isPresent());
        assertEquals(200L, served.integer("http.response.status_code"));
        assertNull(served.string("error.type"));
        assertNotNull(served.string("gen_ai.response.id"));
        assertTrue(failed.span().getEndTimeUnixNano() <= served.span().getStartTimeUnixNano(),
                "the retry starts after the failed attempt ended");
        assertEquals(200L, trace.server().integer("http.response.status_code"));
        assertNull(trace.server().string("error.type"), "the request succeeded");

        List<RecordedRequest> sent = upstream.requests("/v1/chat/completions");
        assertEquals(2, sent.size());
        assertTrue(sent.get(0).header("traceparent").contains("-" + failed.spanId() + "-"));
        assertTrue(sent.get(1).header("traceparent").contains("-" + served.spanId() + "-"));
    }

    @Test
    void aFallbackGetsItsOwnClientSpanWithItsIndex() {
        upstream.on("POST", "/v1/chat/completions").respond(Reply.error(503, "overloaded"));
        HttpResponse<String> response = Http.post(gateway.uri(CHAT_PATH),
                CHAT.replace("\"messages\"", "\"fallbacks\":[\"backup/gpt-4o\"],\"messages\""), "x-bf-vk",
                VIRTUAL_KEY);
        assertEquals(200, response.statusCode(), response.body());
        Trace trace = awaitTrace(receiver, response.headers().firstValue("x-request-id").orElseThrow(), 3);

        // max-retries 1 on the primary: two attempts there, then the fallback
        for (int attempt = 1; attempt <= 2; attempt++) {
            ReceivedSpan failed = trace.attempt(attempt);
            assertEquals("openai", failed.string("gateway.provider"));
            assertEquals(0L, failed.integer("gateway.fallback_index"));
            assertEquals(503L, failed.integer("http.response.status_code"));
            assertNotNull(failed.string("error.type"));
            assertEquals((long) upstream.port(), failed.integer("server.port"));
        }
        ReceivedSpan fallback = trace.attempt(3);
        assertEquals("chat gpt-4o", fallback.name());
        assertEquals("backup", fallback.string("gateway.provider"));
        assertEquals("spare", fallback.string("gateway.key_name"));
        assertEquals(1L, fallback.integer("gateway.fallback_index"));
        assertEquals("gpt-4o", fallback.string("gen_ai.request.model"));
        assertEquals((long) backup.port(), fallback.integer("server.port"));
        assertNull(fallback.string("error.type"));
        assertTrue(backup.lastRequest().header("traceparent").contains("-" + fallback.spanId() + "-"));
    }

    @Test
    void aMiddlewareRefusalIsAServerSpanWithItsErrorAndNoClientSpan() {
        HttpResponse<String> response = Http.post(gateway.uri(CHAT_PATH), CHAT);
        assertEquals(401, response.statusCode(), response.body());
        String type = JsonBodies.parse(response.body()).getJsonObject("error").getString("type");
        Trace trace = awaitTrace(receiver, response.headers().firstValue("x-request-id").orElseThrow(), 0);

        assertEquals(401L, trace.server().integer("http.response.status_code"));
        assertEquals(type, trace.server().string("error.type"));
        assertEquals("authentication_error", trace.server().string("error.type"));
        assertEquals("", trace.server().parentSpanId(), "no traceparent came: a new trace");
        assertEquals(0, upstream.requestCount());
        // the request's trace is complete once its SERVER span is there: no attempt span was made
        assertEquals(List.of(), trace.clients());
        assertEquals(List.of(trace.server()), receiver.spans().stream()
                .filter(span -> span.traceId().equals(trace.server().traceId())).toList());
    }

    @Test
    void noKeyAppearsInAnyExportedSpan() {
        // every kind of request: answered, streamed, retried, refused for an unknown virtual key
        upstream.on("POST", "/v1/chat/completions").respond(Reply.error(429, "slow down"),
                Reply.from(OpenAiPreset::chatCompletions));
        List<String> ids = new ArrayList<>();
        ids.add(requestId(Http.post(gateway.uri(CHAT_PATH), CHAT, "x-bf-vk", VIRTUAL_KEY), 200));
        ids.add(requestId(Http.post(gateway.uri(CHAT_PATH), CHAT, "authorization", "Bearer " + VIRTUAL_KEY), 200));
        HttpResponse<InputStream> stream = Http.postStream(gateway.uri(CHAT_PATH), STREAM, "x-bf-vk", VIRTUAL_KEY);
        readAll(stream);
        ids.add(stream.headers().firstValue("x-request-id").orElseThrow());
        String unknownKey = "sk-bf-unknown-" + random(8);
        ids.add(requestId(Http.post(gateway.uri(CHAT_PATH), CHAT, "x-bf-vk", unknownKey), 401));
        ids.add(requestId(Http.post(gateway.uri(CHAT_PATH), CHAT.replace("openai/", "backup/"), "x-bf-vk",
                VIRTUAL_KEY), 200));
        for (String id : ids) {
            awaitTrace(receiver, id, -1);
        }
        assertTrue(upstream.requests().stream().allMatch(r -> ("Bearer " + PROVIDER_KEY).equals(r.header(
                "authorization"))), "the provider key went upstream, so the gateway held it during the spans");

        List<OtlpReceiver.Export> exports = receiver.exports();
        assertFalse(exports.isEmpty());
        for (OtlpReceiver.Export export : exports) {
            String decoded = export.request().toString();
            String raw = new String(export.bytes(), StandardCharsets.ISO_8859_1);
            for (String secret : List.of(PROVIDER_KEY, BACKUP_KEY, VIRTUAL_KEY, unknownKey)) {
                assertFalse(decoded.contains(secret), "a key is in an exported span: " + decoded);
                assertFalse(raw.contains(secret), "a key is in an export's bytes");
            }
        }
    }

    // ------------------------------------------------------------------ export

    @Test
    void spansReachTheCollectorWithinFiveSecondsOfTheRequestsEnd() {
        long exportedBefore = counter(gateway, "exported");
        List<Long> lags = new ArrayList<>();
        // several requests, so that some end right after an export and wait a whole schedule delay
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = Http.post(gateway.uri(CHAT_PATH), CHAT, "x-bf-vk", VIRTUAL_KEY);
            long answered = System.nanoTime();
            assertEquals(200, response.statusCode(), response.body());
            Trace trace = awaitTrace(receiver, response.headers().firstValue("x-request-id").orElseThrow(), 1);
            long lag = trace.server().receivedAtNanos() - answered;
            lags.add(TimeUnit.NANOSECONDS.toMillis(lag));
            assertTrue(lag < TIMELY.toNanos(), "the request's spans reached the collector "
                    + TimeUnit.NANOSECONDS.toMillis(lag) + " ms after its answer; at most " + TIMELY.toMillis()
                    + " ms are allowed");
        }
        System.out.println("TracingIT: spans reached the collector " + lags + " ms after the answers");
        awaitCounter(gateway, "exported", count -> count >= exportedBefore + 6,
                "gateway_telemetry_spans_total{result=\"exported\"} counts the 6 spans");
        assertEquals(0, counter(gateway, "dropped"), "nothing was dropped while the collector answered");
    }

    @Test
    void anUnreachableCollectorNeitherFailsNorSlowsRequestsAndTheLossIsCounted() {
        String closed = "http://127.0.0.1:" + RedisServer.freePort();
        long startedAt = System.nanoTime();
        try (TestGateway lonely = TestGateway.start(simpleConfig("tracing-it-unreachable", closed, ""),
                plugins.root(), env)) {
            // requests go on over the first export (after 2 s) and its retries, all of which fail
            Served served = serve(lonely, Duration.ofMillis(4_500));
            assertTrue(served.slowest().compareTo(Duration.ofSeconds(2)) < 0, "a request took "
                    + served.slowest().toMillis() + " ms while the collector was unreachable");
            awaitCounter(lonely, "dropped", count -> count > 0,
                    "gateway_telemetry_spans_total{result=\"dropped\"} counts the lost spans");
            long firstDrop = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
            long dropped = counter(lonely, "dropped");
            assertTrue(dropped <= 2L * served.requests(), "a SERVER and a CLIENT span per request at most: "
                    + dropped + " dropped of " + served.requests() + " requests");
            assertEquals(0, counter(lonely, "exported"));
            assertEquals(200, Http.post(lonely.uri(CHAT_PATH), CHAT).statusCode(), "still serving");
            System.out.println("TracingIT: unreachable collector: " + served.requests() + " requests, slowest "
                    + served.slowest().toMillis() + " ms; first drops counted " + firstDrop
                    + " ms after the gateway's start");
        }
    }

    @Test
    void aCollectorThatHangsNeitherFailsNorSlowsRequests() {
        try (OtlpReceiver stuck = OtlpReceiver.start()) {
            stuck.hang();
            // the exporter gives up on a call after a second here (OTEL_EXPORTER_OTLP_TIMEOUT), not 10 s
            Map<String, String> shortTimeout = new java.util.HashMap<>(env);
            shortTimeout.put("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
            try (TestGateway patient = TestGateway.start(simpleConfig("tracing-it-hanging", stuck.endpoint(), ""),
                    plugins.root(), shortTimeout)) {
                // requests go on while an export hangs: over two schedule delays and an export timeout
                Served served = serve(patient, Duration.ofSeconds(6));
                assertTrue(stuck.requests() > 0, "the exporter reached the hanging collector");
                assertTrue(served.slowest().compareTo(Duration.ofSeconds(2)) < 0, "a request took "
                        + served.slowest().toMillis() + " ms while the collector hung");
                awaitCounter(patient, "dropped", count -> count > 0, "spans of the timed-out export counted as "
                        + "dropped (" + served.requests() + " requests sent)");
                assertEquals(0, counter(patient, "exported"));
                assertEquals(0, stuck.spans().size());
                System.out.println("TracingIT: hanging collector: " + served.requests() + " requests, slowest "
                        + served.slowest().toMillis() + " ms");
            } finally {
                stuck.release();
            }
        }
    }

    /** What {@link #serve} saw. */
    private record Served(int requests, Duration slowest) {
    }

    /** Sends chat requests one after another, 50 ms apart, for a while; each must answer 200. */
    private static Served serve(TestGateway gateway, Duration during) {
        long deadline = System.nanoTime() + during.toNanos();
        long slowest = 0;
        int requests = 0;
        while (System.nanoTime() < deadline) {
            long started = System.nanoTime();
            HttpResponse<String> response = Http.post(gateway.uri(CHAT_PATH), CHAT);
            slowest = Math.max(slowest, System.nanoTime() - started);
            assertEquals(200, response.statusCode(), response.body());
            requests++;
            RedisServer.sleep(50);
        }
        return new Served(requests, Duration.ofNanos(slowest));
    }

    // ------------------------------------------------------------------ sampling and content

    @Test
    void sampleRatioZeroKeepsOnlyTracesTheClientSampled() {
        String service = "tracing-it-sampled";
        try (TestGateway sampled = TestGateway.start(simpleConfig(service, receiver.endpoint(),
                "    sample-ratio: 0.0\n"), plugins.root(), env)) {
            HttpResponse<String> unsampled = Http.post(sampled.uri(CHAT_PATH), CHAT);
            assertEquals(200, unsampled.statusCode(), unsampled.body());
            String unsampledParent = upstream.lastRequest().header("traceparent");
            assertNotNull(unsampledParent, "the upstream still learns the trace");
            assertFalse(sampled(unsampledParent), "and that it is not sampled: " + unsampledParent);
            String notSampledTrace = random(16);
            HttpResponse<String> refusedByClient = Http.post(sampled.uri(CHAT_PATH), CHAT, "traceparent",
                    "00-" + notSampledTrace + "-" + random(8) + "-00");
            assertEquals(200, refusedByClient.statusCode());

            String traceId = random(16);
            String parentId = random(8);
            HttpResponse<String> kept = Http.post(sampled.uri(CHAT_PATH), CHAT, "traceparent",
                    "00-" + traceId + "-" + parentId + "-01");
            assertEquals(200, kept.statusCode(), kept.body());
            Trace trace = awaitTrace(receiver, kept.headers().firstValue("x-request-id").orElseThrow(), 1);
            assertEquals(traceId, trace.server().traceId());
            assertEquals(parentId, trace.server().parentSpanId());
            assertEquals(service, trace.server().serviceName());
            assertTrue(sampled(upstream.lastRequest().header("traceparent")));

            // spans leave in the order they ended: the earlier requests' would have come first
            List<ReceivedSpan> fromThisGateway = receiver.spans().stream()
                    .filter(span -> service.equals(span.serviceName())).toList();
            assertEquals(trace.all().size(), fromThisGateway.size(), "only the sampled trace was exported: "
                    + fromThisGateway);
            assertTrue(fromThisGateway.stream().allMatch(span -> span.traceId().equals(traceId)));
        }
        // with the default ratio 1.0 a client's "not sampled" is kept too
        String notSampled = random(16);
        HttpResponse<String> declined = Http.post(gateway.uri(CHAT_PATH), CHAT, "x-bf-vk", VIRTUAL_KEY, "traceparent",
                "00-" + notSampled + "-" + random(8) + "-00");
        assertEquals(200, declined.statusCode());
        String forwarded = upstream.lastRequest().header("traceparent");
        assertTrue(forwarded.startsWith("00-" + notSampled + "-") && !sampled(forwarded), forwarded);
        HttpResponse<String> after = Http.post(gateway.uri(CHAT_PATH), CHAT, "x-bf-vk", VIRTUAL_KEY);
        awaitTrace(receiver, after.headers().firstValue("x-request-id").orElseThrow(), 1);
        assertTrue(receiver.spans().stream().noneMatch(span -> span.traceId().equals(notSampled)),
                "a trace the client did not sample is not exported");
    }

    @Test
    void captureContentAddsThePromptAndTheCompletionAsEvents() {
        String service = "tracing-it-capture";
        Map<String, String> gzip = new java.util.HashMap<>(env);
        gzip.put("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip");
        try (TestGateway capturing = TestGateway.start(simpleConfig(service, receiver.endpoint(),
                "    capture-content: true\n"), plugins.root(), gzip)) {
            HttpResponse<String> response = Http.post(capturing.uri(CHAT_PATH), CHAT);
            assertEquals(200, response.statusCode(), response.body());
            ReceivedSpan client = awaitTrace(receiver, response.headers().firstValue("x-request-id").orElseThrow(), 1)
                    .clients().get(0);
            assertContent(client, "say hello", OpenAiPreset.TEXT);

            HttpResponse<InputStream> stream = Http.postStream(capturing.uri(CHAT_PATH), STREAM);
            readAll(stream);
            ReceivedSpan streamed = awaitTrace(receiver, stream.headers().firstValue("x-request-id").orElseThrow(), 1)
                    .clients().get(0);
            assertContent(streamed, "say hello", String.join("", OpenAiPreset.TEXT_DELTAS));

            assertTrue(receiver.exports().stream().filter(export -> export.request().getResourceSpans(0).getResource()
                    .getAttributesList().stream().anyMatch(a -> a.getValue().getStringValue().equals(service)))
                    .allMatch(export -> export.contentEncoding().equals("gzip")),
                    "OTEL_EXPORTER_OTLP_COMPRESSION=gzip is honoured, and the receiver decoded it");
        }
    }

    private static void assertContent(ReceivedSpan client, String prompt, String completion) {
        List<Span.Event> events = client.span().getEventsList();
        assertEquals(2, events.size(), "a prompt event and a completion event: " + events);
        for (Span.Event event : events) {
            assertEquals("gen_ai.client.inference.operation.details", event.getName());
        }
        String input = eventAttribute(events.get(0), "gen_ai.input.messages");
        JsonObject message = array(input).getJsonObject(0);
        assertEquals("user", message.getString("role"));
        assertEquals(prompt, message.getJsonArray("parts").getJsonObject(0).getString("content"));
        String output = eventAttribute(events.get(1), "gen_ai.output.messages");
        JsonObject answer = array(output).getJsonObject(0);
        assertEquals("assistant", answer.getString("role"));
        assertEquals(completion, answer.getJsonArray("parts").getJsonObject(0).getString("content"));
        assertEquals("stop", answer.getString("finish_reason"));
    }

    private static jakarta.json.JsonArray array(String json) {
        try (jakarta.json.JsonReader reader = JsonBodies.provider().createReader(new java.io.StringReader(json))) {
            return reader.readArray();
        }
    }

    private static String eventAttribute(Span.Event event, String key) {
        return event.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst()
                .map(a -> a.getValue().getStringValue())
                .orElseThrow(() -> new AssertionError("event without " + key + ": " + event));
    }

    // ------------------------------------------------------------------ helpers

    /** A gateway without governance whose traces go to {@code endpoint}; {@code telemetry} adds lines. */
    private static String simpleConfig(String service, String endpoint, String telemetry) {
        return """
                gateway:
                  telemetry:
                    service-name: %s
                    otlp:
                      endpoint: %s
                %s  providers:
                    openai:
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: ${TRACING_IT_PROVIDER_KEY}
                """.formatted(service, endpoint, telemetry, upstream.baseUrl());
    }

    /**
     * One request's spans as the receiver got them.
     *
     * @param server  its SERVER span
     * @param clients its CLIENT spans, by attempt number
     */
    record Trace(ReceivedSpan server, List<ReceivedSpan> clients) {

        ReceivedSpan attempt(long number) {
            return clients.stream().filter(span -> Long.valueOf(number).equals(span.integer("gateway.attempt")))
                    .findFirst().orElseThrow(() -> new AssertionError("no CLIENT span of attempt " + number + ": "
                            + clients));
        }

        List<ReceivedSpan> all() {
            List<ReceivedSpan> all = new ArrayList<>(clients);
            all.add(0, server);
            return all;
        }
    }

    /**
     * Waits for a request's SERVER span (found by {@code gateway.request_id}) and its CLIENT children.
     *
     * @param clients how many CLIENT spans to expect, or -1 for any number
     */
    static Trace awaitTrace(OtlpReceiver receiver, String requestId, int clients) {
        Predicate<ReceivedSpan> isServer = span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER
                && requestId.equals(span.string("gateway.request_id"));
        List<ReceivedSpan> spans = receiver.await("the spans of request " + requestId, WAIT, kept -> {
            ReceivedSpan server = kept.stream().filter(isServer).findFirst().orElse(null);
            return server != null && (clients < 0 || children(kept, server).size() >= clients);
        });
        ReceivedSpan server = spans.stream().filter(isServer).findFirst().orElseThrow();
        assertEquals(1, spans.stream().filter(isServer).count(), "one SERVER span per request");
        List<ReceivedSpan> children = children(spans, server).stream()
                .sorted(java.util.Comparator.comparing(span -> span.integer("gateway.attempt"))).toList();
        if (clients >= 0) {
            assertEquals(clients, children.size(), "CLIENT spans of request " + requestId + ": " + children);
        }
        for (ReceivedSpan child : children) {
            assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, child.kind());
            assertTrue(child.ended());
        }
        return new Trace(server, children);
    }

    private static List<ReceivedSpan> children(List<ReceivedSpan> spans, ReceivedSpan parent) {
        return spans.stream().filter(span -> span.traceId().equals(parent.traceId())
                && span.parentSpanId().equals(parent.spanId())).toList();
    }

    private static String requestId(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        return response.headers().firstValue("x-request-id").orElseThrow();
    }

    private static List<SseFrame> readAll(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            return SseParser.readAll(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code gateway_telemetry_spans_total{result="…"}} from {@code /metrics}. */
    static long counter(TestGateway gateway, String result) {
        String scrape = Http.get(gateway.uri("/metrics")).body();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("gateway_telemetry_spans_total{") && line.contains("result=\"" + result + "\"")) {
                double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                assertFalse(Double.isNaN(value), "the counter lost its source: " + line);
                return (long) value;
            }
        }
        throw new AssertionError("/metrics has no gateway_telemetry_spans_total{result=\"" + result + "\"}:\n"
                + scrape);
    }

    private static void awaitCounter(TestGateway gateway, String result, java.util.function.LongPredicate done,
                                     String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long last;
        while (!done.test(last = counter(gateway, result))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": still " + last + " after " + WAIT.toSeconds() + " s");
            }
            RedisServer.sleep(100);
        }
    }

    /** Whether a {@code traceparent}'s flags have the sampled bit (other bits, e.g. random, may be set). */
    private static boolean sampled(String traceparent) {
        return (HexFormat.fromHexDigits(traceparent.substring(traceparent.lastIndexOf('-') + 1)) & 1) == 1;
    }

    private static String random(int bytes) {
        byte[] value = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
