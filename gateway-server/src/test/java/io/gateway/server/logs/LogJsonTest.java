package io.gateway.server.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admin API's documents as JSON-B writes them: names, order, explicit nulls, the two views. */
class LogJsonTest {

    private static final LogEntry ENTRY = new LogEntry("req-1", Instant.parse("2026-03-01T10:00:00.123Z"),
            "chat_completion", "openai", "gpt-4o", "openai/gpt-4o", 200, true, 1500, 120L, 10L, 20L, 3L, null,
            new BigDecimal("0.000125"), null, 1, 0, null, null, "10.0.0.7", "curl/8", null, "direct",
            List.of(new LogAttempt("openai", "gpt-4o", "main", 200, 1400, 0)), "{\"model\":\"gpt-4o\"}",
            "{\"choices\":[]}", false, false);

    @Test
    void theDetailHasEveryFieldInOrderWithNullsInSnakeCase() {
        String json = new String(LogJson.detail(ENTRY), StandardCharsets.UTF_8);
        JsonObject object = JsonBodies.parse(json);
        assertEquals(List.of("id", "timestamp", "operation", "provider", "model", "requested_model", "status", "stream",
                "latency_ms", "ttft_ms", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens",
                "cost_usd", "virtual_key", "retries", "fallback_index", "error_type", "error_message", "client_ip",
                "user_agent", "trace_id", "cache_hit", "attempts", "request_body", "response_body", "request_body_truncated",
                "response_body_truncated"), new ArrayList<>(object.keySet()));
        assertEquals("2026-03-01T10:00:00.123Z", object.getString("timestamp"), "RFC 3339, UTC");
        assertEquals(JsonValue.NULL, object.get("virtual_key"));
        assertEquals(JsonValue.NULL, object.get("reasoning_tokens"));
        assertEquals(0, new BigDecimal("0.000125").compareTo(object.getJsonNumber("cost_usd").bigDecimalValue()));
        assertEquals(List.of("provider", "model", "key", "status", "ms", "fallback"),
                new ArrayList<>(object.getJsonArray("attempts").getJsonObject(0).keySet()));
    }

    @Test
    void theListLeavesOutAttemptsAndBodiesAndWritesANullCursor() {
        JsonObject page = JsonBodies.parse(LogJson.list(new LogPage(List.of(ENTRY), null)));
        assertEquals(List.of("data", "next_cursor"), new ArrayList<>(page.keySet()));
        assertEquals(JsonValue.NULL, page.get("next_cursor"));
        JsonObject entry = page.getJsonArray("data").getJsonObject(0);
        for (String name : List.of("attempts", "request_body", "response_body", "request_body_truncated",
                "response_body_truncated")) {
            assertFalse(entry.containsKey(name), name);
        }
        assertTrue(entry.containsKey("trace_id"));
        assertEquals("direct", entry.getString("cache_hit"));
        assertEquals(24, entry.size());
        assertEquals("abc", JsonBodies.parse(LogJson.list(new LogPage(List.of(), "abc"))).getString("next_cursor"));
    }

    @Test
    void statsRowsAreWrittenWithTheirFieldsInOrder() {
        JsonObject body = JsonBodies.parse(LogJson.stats(List.of(new StatsRow("gpt-4o", null, 3, 1, 30, 60,
                new BigDecimal("0.5"), 100, 250))));
        JsonObject row = body.getJsonArray("data").getJsonObject(0);
        assertEquals(List.of("key", "split", "requests", "errors", "input_tokens", "output_tokens", "cost_usd",
                "latency_p50_ms", "latency_p95_ms"), new ArrayList<>(row.keySet()));
        assertEquals(JsonValue.NULL, row.get("split"));
        assertEquals(250, row.getInt("latency_p95_ms"));
    }
}
