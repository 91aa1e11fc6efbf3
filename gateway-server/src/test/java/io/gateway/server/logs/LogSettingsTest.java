package io.gateway.server.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.server.config.ConfigBlock;
import io.gateway.server.config.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code gateway.logs} as the server reads it. */
class LogSettingsTest {

    private static final Path HOME = Path.of("/opt/gateway");

    private static LogSettings read(String block) {
        GatewayConfig config = GatewayConfig.parse("gateway:\n  logs:\n" + block, Map.of("DB_PASSWORD", "pw-1"), HOME);
        ConfigBlock logs = config.gateway().block("logs").orElseThrow();
        return LogSettings.read(logs, config::file);
    }

    @Test
    void withoutABlockTheLogIsAnSqliteFileUnderTheHome() {
        LogSettings settings = LogSettings.read(null, HOME::resolve);
        assertEquals(LogSettings.Store.SQLITE, settings.store());
        assertEquals(HOME.resolve("data/gateway.db"), settings.sqlitePath());
        assertFalse(settings.captureBodies());
        assertEquals(64 * 1024, settings.maxBodyBytes());
        assertEquals(Duration.ofDays(30), settings.retention());
        assertTrue(settings.enabled());
    }

    @Test
    void theIssuesExampleReadsAsWritten() {
        LogSettings settings = read("""
                    store: postgres
                    url: jdbc:postgresql://db:5432/gateway?sslmode=require&password=x
                    username: gateway
                    password: ${DB_PASSWORD}
                    capture-bodies: true
                    max-body-bytes: 16KB
                    retention: 7d
                """);
        assertEquals(LogSettings.Store.POSTGRES, settings.store());
        assertEquals("gateway", settings.username());
        assertEquals("pw-1", settings.password().reveal());
        assertEquals(16 * 1024, settings.maxBodyBytes());
        assertEquals(Duration.ofDays(7), settings.retention());
        assertEquals("postgres jdbc:postgresql://db:5432/gateway", settings.describe(), "the query may hold a password");
        assertEquals(Path.of("/var/lib/gw.db"), read("    path: /var/lib/gw.db\n").sqlitePath());
        assertEquals(HOME.resolve("logs/x.db"), read("    path: logs/x.db\n").sqlitePath());
        assertFalse(read("    store: none\n").enabled());
        assertEquals(Duration.ZERO, read("    retention: 0\n").retention(), "0 keeps entries forever");
    }

    @Test
    void mistakesNameTheKeyAndTheFix() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read("    store: mysql\n")).getMessage()
                .contains("gateway.logs.store"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read("    store: postgres\n")).getMessage()
                .contains("gateway.logs.url: is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read("    store: postgres\n    url: db:5432\n"))
                .getMessage().contains("jdbc:postgresql:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read("    retention: 10s\n")).getMessage()
                .contains("at least 1m"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read("    max-body-bytes: 1GB\n")).getMessage()
                .contains("max-body-bytes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read("    queue-size: 0\n")).getMessage()
                .contains("queue-size"));
    }
}
