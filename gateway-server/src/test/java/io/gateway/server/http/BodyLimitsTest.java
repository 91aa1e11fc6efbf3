package io.gateway.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BodyLimitsTest {

    @Test
    void routesHaveTheirDefaultsTheConfiguredOnesOrTheGlobalLimit() {
        BodyLimits limits = BodyLimits.of(32L << 20, Map.of("files", 1L << 30, "moderations", 1L << 20));
        assertEquals(25L << 20, limits.of("audio/transcriptions"));
        assertEquals(50L << 20, limits.of("images/edits"));
        assertEquals(1L << 30, limits.of("files"), "configured over the default");
        assertEquals(1L << 20, limits.of("moderations"));
        assertEquals(32L << 20, limits.of("chat/completions"), "every other route: the global limit");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BodyLimits.of(1, Map.of("chat/completions", 5L)));
        assertTrue(e.getMessage().contains("audio/transcriptions") && e.getMessage().contains("moderations"),
                "the message lists the routes that can be named: " + e.getMessage());
    }
}
