package io.gateway.server.logs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The attempts column is written by hand; it must be exactly what JSON-B writes and reads back. */
class AttemptsColumnTest {

    @Test
    void theHandWrittenColumnIsWhatJsonbWrites() {
        List<List<LogAttempt>> cases = List.of(
                List.of(new LogAttempt("openai", "gpt-4o-mini", "main", 200, 12, 0)),
                List.of(new LogAttempt("openai", "gpt-4o", "k1", 429, 3, 0),
                        new LogAttempt("anthropic", "claude-sonnet-4", "prod", 200, 840, 1)),
                List.of(new LogAttempt("keyless", null, null, 502, 0, 0)),
                List.of(new LogAttempt("odd\"name\\", "model\nwith\ttabs\u0001", "k\u00e9y \u2603", 500, 7, 2)),
                List.of());
        for (List<LogAttempt> attempts : cases) {
            String written = LogStore.attemptsJson(attempts);
            assertEquals(LogJson.detail().toJson(attempts), written);
            assertArrayEquals(attempts.toArray(new LogAttempt[0]), LogJson.detail().fromJson(written, LogAttempt[].class));
        }
    }
}
