package io.gateway.server.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.core.ServerOutcome;
import io.gateway.server.metrics.GatewayMetrics;
import io.gateway.server.telemetry.RequestSpan;
import io.gateway.server.telemetry.Telemetry;
import io.gateway.spi.EventStream;
import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.StreamEvent;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The router's spans and GenAI metrics, with the SDK's in-memory exporter: one CLIENT span per
 * upstream attempt under the request's SERVER span, named and attributed per the GenAI conventions.
 */
class RouterTracingTest {

    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
    private final GatewayMetrics metrics = new GatewayMetrics();

    @AfterEach
    void close() {
        sdk.close();
    }

    @Test
    void aChatAnswerMakesOneClientSpanUnderTheRequestSpan() {
        Router router = router(Map.of("openai", provider("openai", "openai", 0, call -> Response.Complete.ofBytes(200,
                null, bytes("{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini-2024-07-18\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,"
                        + "\"total_tokens\":15,\"prompt_tokens_details\":{\"cached_tokens\":4},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":1}}}")))), false);

        routeUnderRequestSpan(router, chat("openai/gpt-4o-mini", "\"temperature\":0.2,\"max_tokens\":64,"
                + "\"top_p\":0.9,\"seed\":7,\"stop\":[\"END\"],\"n\":2,"));

        SpanData server = only(SpanKind.SERVER);
        SpanData client = only(SpanKind.CLIENT);
        assertEquals("POST /openai/v1/chat/completions", server.getName());
        assertEquals("0af7651916cd43dd8448eb211c80319c", server.getTraceId(), "the client's traceparent is the parent");
        assertEquals("b7ad6b7169203331", server.getParentSpanId());
        assertEquals(server.getSpanId(), client.getParentSpanId());
        assertEquals("chat gpt-4o-mini", client.getName());
        assertEquals("chat", attr(client, "gen_ai.operation.name"));
        assertEquals("openai", attr(client, "gen_ai.provider.name"));
        assertEquals("gpt-4o-mini", attr(client, "gen_ai.request.model"));
        assertEquals("gpt-4o-mini-2024-07-18", attr(client, "gen_ai.response.model"));
        assertEquals("chatcmpl-9", attr(client, "gen_ai.response.id"));
        assertEquals(List.of("stop"), client.getAttributes().get(AttributeKey.stringArrayKey(
                "gen_ai.response.finish_reasons")));
        assertEquals(12L, longAttr(client, "gen_ai.usage.input_tokens"));
        assertEquals(3L, longAttr(client, "gen_ai.usage.output_tokens"));
        assertEquals(4L, longAttr(client, "gen_ai.usage.cache_read.input_tokens"));
        assertEquals(1L, longAttr(client, "gen_ai.usage.reasoning.output_tokens"));
        assertEquals(0.2, client.getAttributes().get(AttributeKey.doubleKey("gen_ai.request.temperature")));
        assertEquals(0.9, client.getAttributes().get(AttributeKey.doubleKey("gen_ai.request.top_p")));
        assertEquals(64L, longAttr(client, "gen_ai.request.max_tokens"));
        assertEquals(7L, longAttr(client, "gen_ai.request.seed"));
        assertEquals(2L, longAttr(client, "gen_ai.request.choice.count"));
        assertEquals(List.of("END"), client.getAttributes().get(AttributeKey.stringArrayKey(
                "gen_ai.request.stop_sequences")));
        assertEquals("openai", attr(client, "gateway.provider"));
        assertEquals("main", attr(client, "gateway.key_name"));
        assertEquals(1L, longAttr(client, "gateway.attempt"));
        assertEquals(0L, longAttr(client, "gateway.fallback_index"));
        assertEquals(200L, longAttr(client, "http.response.status_code"));
        assertEquals(200L, longAttr(server, "http.response.status_code"));
        for (SpanData span : spans.getFinishedSpanItems()) {
            assertFalse(span.getAttributes().toString().contains("sk-secret"), "no key in any span");
        }
        String scrape = metrics.scrape();
        assertTrue(scrape.contains("gen_ai_client_token_usage_tokens_count{gen_ai_operation_name=\"chat\","
                + "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4o-mini\",gen_ai_token_type=\"input\"} 1"),
                scrape);
        assertTrue(scrape.contains("gen_ai_client_operation_duration_seconds_count{error_type=\"\","
                + "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4o-mini\"} 1"),
                scrape);
    }

    @Test
    void retriesAndFallbacksEachGetASpan() {
        Deque<Function<ProviderCall, Response>> flaky = new ArrayDeque<>(List.of(
                call -> {
                    throw GatewayException.upstream(503, null, null, "busy", null, null);
                },
                call -> {
                    throw GatewayException.upstream(503, null, null, "still busy", null, null);
                }));
        Map<String, ProviderRuntime> providers = new LinkedHashMap<>();
        providers.put("openai", provider("openai", "openai", 1, call -> flaky.pop().apply(call)));
        providers.put("claude", provider("claude", "anthropic", 0, call -> Response.Complete.of(200, null,
                JsonBodies.parse("{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}"))));
        Router router = router(providers, false);

        Response response = routeUnderRequestSpan(router, chat("openai/gpt-4o",
                "\"fallbacks\":[\"claude/claude-sonnet-4\"],"));

        assertEquals(200, response.status());
        List<SpanData> clients = all(SpanKind.CLIENT);
        assertEquals(3, clients.size(), clients.toString());
        assertEquals("chat gpt-4o", clients.get(0).getName());
        assertEquals(1L, longAttr(clients.get(0), "gateway.attempt"));
        assertEquals(2L, longAttr(clients.get(1), "gateway.attempt"));
        assertEquals("api_error", attr(clients.get(0), "error.type"));
        assertEquals(StatusCode.ERROR, clients.get(0).getStatus().getStatusCode());
        assertEquals(503L, longAttr(clients.get(1), "http.response.status_code"));
        assertEquals("chat claude-sonnet-4", clients.get(2).getName());
        assertEquals("anthropic", attr(clients.get(2), "gen_ai.provider.name"));
        assertEquals("claude", attr(clients.get(2), "gateway.provider"));
        assertEquals(1L, longAttr(clients.get(2), "gateway.fallback_index"));
        assertEquals(3L, longAttr(clients.get(2), "gateway.attempt"));
        assertNull(attr(clients.get(2), "error.type"));
        SpanData server = only(SpanKind.SERVER);
        for (SpanData client : clients) {
            assertEquals(server.getSpanId(), client.getParentSpanId());
        }
    }

    @Test
    void aStreamsSpanEndsWhenTheStreamEndsWithItsUsageAndTimeToFirstChunk() {
        Router router = router(Map.of("openai", provider("openai", "openai", 0, call -> Response.Streaming.ok(
                EventStream.of(List.of(
                        new StreamEvent(null, "{\"id\":\"c1\",\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"content\":\"He\"}}]}"),
                        new StreamEvent(null, "{\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"llo\"},"
                                + "\"finish_reason\":\"stop\"}]}"),
                        new StreamEvent(null, "{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":2,"
                                + "\"completion_tokens\":2}}"),
                        StreamEvent.DONE))))), true);
        Exchange exchange = chat("openai/gpt-4o", "\"stream\":true,");
        Response.Streaming response;
        try (RequestSpan request = requestSpan()) {
            response = (Response.Streaming) router.route(exchange);
            assertTrue(all(SpanKind.CLIENT).isEmpty(), "the attempt's span is open while the stream runs");
            EventStream events = response.events();
            while (events.next() != null) {
                // relay
            }
            events.close();
            request.end(200, null);
        }
        SpanData client = only(SpanKind.CLIENT);
        assertEquals(Boolean.TRUE, client.getAttributes().get(AttributeKey.booleanKey("gen_ai.request.stream")));
        assertNotNull(client.getAttributes().get(AttributeKey.doubleKey("gen_ai.response.time_to_first_chunk")));
        assertEquals(2L, longAttr(client, "gen_ai.usage.output_tokens"));
        assertEquals(List.of("stop"), client.getAttributes().get(AttributeKey.stringArrayKey(
                "gen_ai.response.finish_reasons")));
        assertEquals("c1", attr(client, "gen_ai.response.id"));
        // content capture: the prompt at the start, the assembled completion at the end
        List<io.opentelemetry.sdk.trace.data.EventData> details = client.getEvents();
        assertEquals(2, details.size());
        assertEquals("gen_ai.client.inference.operation.details", details.get(0).getName());
        assertTrue(details.get(0).getAttributes().get(AttributeKey.stringKey("gen_ai.input.messages"))
                .contains("\"content\":\"hello\""));
        assertTrue(details.get(1).getAttributes().get(AttributeKey.stringKey("gen_ai.output.messages"))
                .contains("\"content\":\"Hello\""), details.get(1).getAttributes().toString());
        assertEquals(2, ServerOutcome.of(exchange).usage().orElseThrow().outputTokens());
        assertTrue(metrics.scrape().contains("gen_ai_client_operation_time_to_first_chunk_seconds_count"));
    }

    @Test
    void aFailureWithoutRetriesEndsTheSpanWithItsErrorType() {
        Router router = router(Map.of("openai", provider("openai", "openai", 0, call -> {
            throw GatewayException.upstream(400, "invalid_request_error", "bad", "nope", "messages", null);
        })), false);
        GatewayException e = assertThrows(GatewayException.class, () -> routeUnderRequestSpan(router,
                chat("openai/gpt-4o", "")));
        assertEquals(400, e.status());
        SpanData client = only(SpanKind.CLIENT);
        assertEquals("invalid_request_error", attr(client, "error.type"));
        assertEquals(400L, longAttr(client, "http.response.status_code"));
        SpanData server = only(SpanKind.SERVER);
        assertEquals("invalid_request_error", attr(server, "error.type"));
        assertEquals(400L, longAttr(server, "http.response.status_code"));
    }

    @Test
    void withoutTracingNothingIsRecordedButTheMetrics() {
        Router router = new Router(Map.of("openai", provider("openai", "openai", 0, call -> Response.Complete.of(200,
                null, JsonBodies.parse("{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}")))),
                Clock.systemUTC(), metrics, Telemetry.off(), io.gateway.server.core.Pricing.defaults());
        router.route(chat("openai/gpt-4o", ""));
        assertTrue(spans.getFinishedSpanItems().isEmpty());
        assertTrue(metrics.scrape().contains("gen_ai_client_token_usage_tokens_count"));
    }

    // ------------------------------------------------------------------ helpers

    private Router router(Map<String, ProviderRuntime> providers, boolean captureContent) {
        return new Router(providers, Clock.systemUTC(), metrics, Telemetry.using(sdk, captureContent),
                io.gateway.server.core.Pricing.defaults());
    }

    private RequestSpan requestSpan() {
        return RequestSpan.start(Telemetry.using(sdk, false), "POST", "/openai/v1/chat/completions",
                "/openai/v1/chat/completions", "req-1", name -> name.equals("traceparent") ? TRACEPARENT : null);
    }

    private Response routeUnderRequestSpan(Router router, Exchange exchange) {
        try (RequestSpan request = requestSpan()) {
            try {
                Response response = router.route(exchange);
                request.end(response.status(), null);
                return response;
            } catch (GatewayException e) {
                request.end(e.status(), e);
                throw e;
            }
        }
    }

    private static Exchange chat(String model, String extra) {
        return Exchange.create("req-1", Operation.CHAT_COMPLETION, JsonBodies.parse("{\"model\":\"" + model + "\","
                + extra + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"), Headers.empty(), Instant.now(),
                new ServerOutcome());
    }

    private static ProviderRuntime provider(String name, String type, int maxRetries,
                                            Function<ProviderCall, Response> answer) {
        Provider provider = new Provider() {
            @Override
            public Set<Operation> operations() {
                return EnumSet.of(Operation.CHAT_COMPLETION);
            }

            @Override
            public Response call(ProviderCall call) {
                return answer.apply(call);
            }
        };
        return new ProviderRuntime(name, type, "test-plugin", provider, RouterTracingTest.class.getClassLoader(),
                provider.operations(), Map.of(), false, new WeightedKeySelector(List.of(
                        new ApiKey("main", Secret.of("sk-secret-value"), 1, List.of("*")))),
                Duration.ofSeconds(5), Duration.ofSeconds(5), Map.of(), maxRetries,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(2)), new ConcurrencyLimit(name, 10, 10), List.of());
    }

    private List<SpanData> all(SpanKind kind) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == kind)
                .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
    }

    private SpanData only(SpanKind kind) {
        List<SpanData> found = all(kind);
        assertEquals(1, found.size(), found.toString());
        return found.get(0);
    }

    private static String attr(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    private static Long longAttr(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.longKey(key));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
