package io.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.it.TracingIT.Trace;
import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.SseParser;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gateway.log.format: json} end to end: the gateway started as an operator starts it
 * ({@code GatewayMain} in its own JVM, see {@link ClusterNode}), its console output read back line by
 * line, and the request log's records matched against the spans the gateway exported to an OTLP
 * receiver.
 */
class JsonLogIT {

    private static final String KEY = "sk-json-log-it-secret";
    private static final String CHAT = "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM = "{\"model\":\"openai/gpt-4o-mini\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String REQUEST_LOG = "gateway.plugin.middleware-request-log";

    @TempDir
    static Path temp;

    static OtlpReceiver receiver;
    static FakeUpstream upstream;
    static ClusterNode gateway;

    @BeforeAll
    static void start() {
        receiver = OtlpReceiver.start();
        upstream = FakeUpstream.openAi();
        PluginFolders plugins = PluginFolders.create(temp.resolve("plugins"))
                .add("provider-openai", "io.gateway.plugins.openai.OpenAiPlugin")
                .add("middleware-request-log", "io.gateway.plugins.requestlog.RequestLogPlugin");
        gateway = ClusterNode.start("""
                gateway:
                  log:
                    format: json
                  telemetry:
                    service-name: json-log-it
                    otlp:
                      endpoint: %s
                  providers:
                    openai:
                      base-url: %s/v1
                      keys:
                        - name: main
                          value: %s
                  middleware:
                    - type: request-log
                """.formatted(receiver.endpoint(), upstream.baseUrl(), KEY), plugins.root(), temp.resolve("node"));
    }

    @AfterAll
    static void stop() {
        try {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            upstream.close();
            receiver.close();
        }
    }

    @Test
    void everyLineIsOneJsonObjectAndTheRequestLogNamesTheExportedTrace() {
        HttpResponse<String> answered = Http.post(gateway.uri("/v1/chat/completions"), CHAT);
        assertEquals(200, answered.statusCode(), answered.body());
        String answeredId = answered.headers().firstValue("x-request-id").orElseThrow();
        HttpResponse<InputStream> streamed = Http.postStream(gateway.uri("/v1/chat/completions"), STREAM);
        assertEquals(200, streamed.statusCode());
        try (InputStream body = streamed.body()) {
            assertTrue(SseParser.readAll(body).getLast().isDone());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String streamedId = streamed.headers().firstValue("x-request-id").orElseThrow();
        HttpResponse<String> refused = Http.post(gateway.uri("/v1/chat/completions"),
                CHAT.replace("openai/", "nowhere/"));
        assertEquals(400, refused.statusCode(), refused.body());
        String refusedId = refused.headers().firstValue("x-request-id").orElseThrow();

        for (String requestId : List.of(answeredId, streamedId, refusedId)) {
            Trace trace = TracingIT.awaitTrace(receiver, requestId, -1);
            JsonObject record = awaitRequestLog(requestId);
            String message = record.getString("message");
            assertEquals(requestId, record.getString("request_id"), record.toString());
            assertEquals(trace.server().traceId(), record.getString("trace_id"), "the record names the request's "
                    + "exported trace: " + record);
            assertEquals(trace.server().spanId(), record.getString("span_id"), "written inside the SERVER span");
            assertTrue(message.contains("request_id=" + requestId), message);
            assertTrue(message.contains("trace_id=" + trace.server().traceId()), message);
            assertEquals("INFO", record.getString("level"));
        }

        List<JsonObject> records = records();
        assertTrue(records.stream().anyMatch(r -> r.getString("logger").equals("gateway")
                && r.getString("message").startsWith("gateway listening on port")), "the start-up line is JSON too");
        assertFalse(gateway.logText().contains(KEY), "the provider key is in the log");
    }

    /** Every line the gateway printed, each parsed as one JSON object with the fields every record has. */
    private static List<JsonObject> records() {
        List<JsonObject> records = new ArrayList<>();
        String[] lines = gateway.logText().split("\n", -1);
        // the last piece is empty, or a line still being written
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            JsonObject record;
            try {
                record = JsonBodies.parse(line);
            } catch (GatewayException e) {
                throw new AssertionError("line " + (i + 1) + " of the gateway's output is not a JSON object: " + line
                        + "\nwhole output:\n" + gateway.logText(), e);
            }
            for (String field : List.of("time", "level", "logger", "message")) {
                assertTrue(record.get(field) instanceof JsonString, "line " + (i + 1) + " has no " + field + ": "
                        + line);
            }
            assertNotNull(Instant.parse(record.getString("time")), line);
            records.add(record);
        }
        assertFalse(records.isEmpty(), "the gateway printed nothing");
        return records;
    }

    /** Waits for the request log's record of one request (it is written as the request ends). */
    private static JsonObject awaitRequestLog(String requestId) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (JsonObject record : records()) {
                if (record.getString("logger").equals(REQUEST_LOG)
                        && record.getString("message").contains("request_id=" + requestId)) {
                    return record;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no request-log record of request " + requestId + " within 10 s:\n"
                        + gateway.logText());
            }
            RedisServer.sleep(50);
        }
    }
}
