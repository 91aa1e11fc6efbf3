package io.gateway.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.middleware.AttributeKey;
import io.gateway.spi.middleware.Exchange;
import io.gateway.spi.middleware.ToolAccess;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tool access globs (SPI 2.1): what /mcp lists and what chat requests may be given. */
class ToolAccessTest {

    @Test
    void globsMatchServerAndToolNames() {
        ToolAccess access = ToolAccess.of(List.of("calc__add", "notes__*"));
        assertTrue(access.allows("calc__add"));
        assertFalse(access.allows("calc__addition"), "a glob without a star matches the whole name only");
        assertFalse(access.allows("calc__sub"));
        assertTrue(access.allows("notes__read"));
        assertTrue(access.allows("notes__"));
        assertFalse(access.allows("NOTES__read"), "matching is case-sensitive");
        assertFalse(access.allows(null));
        assertFalse(access.allowsEveryTool());
        assertEquals(List.of("calc__add", "notes__*"), access.globs());
    }

    @Test
    void starsMatchAnywhere() {
        ToolAccess access = ToolAccess.of(List.of("*__read*"));
        assertTrue(access.allows("notes__read"));
        assertTrue(access.allows("files__read_file"));
        assertFalse(access.allows("files__write"));
        assertTrue(ToolAccess.of(List.of("a*b*c")).allows("a__bxxc"));
        assertFalse(ToolAccess.of(List.of("a*b*c")).allows("a__cb"));
    }

    @Test
    void allAndNone() {
        assertSame(ToolAccess.all(), ToolAccess.of(List.of("calc__add", "*")));
        assertTrue(ToolAccess.all().allowsEveryTool());
        assertTrue(ToolAccess.all().allows("anything__at_all"));
        assertSame(ToolAccess.none(), ToolAccess.of(List.of()));
        assertFalse(ToolAccess.none().allows("calc__add"));
        assertEquals(List.of(), ToolAccess.none().globs());
    }

    @Test
    void blankGlobsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ToolAccess.of(List.of(" ")));
        assertThrows(NullPointerException.class, () -> ToolAccess.of(null));
    }

    @Test
    void travelsOnTheExchange() {
        Exchange exchange = Exchange.create("r1", Operation.MCP, JsonValue.EMPTY_JSON_OBJECT, Headers.empty(),
                Instant.EPOCH);
        assertTrue(exchange.attribute(AttributeKey.TOOL_ACCESS).isEmpty());
        ToolAccess access = ToolAccess.of(List.of("calc__*"));
        assertEquals(access, exchange.withAttribute(AttributeKey.TOOL_ACCESS, access)
                .attribute(AttributeKey.TOOL_ACCESS).orElseThrow());
        assertEquals("mcp", Operation.MCP.wireName());
        assertEquals("mcp_tool_execute", Operation.MCP_TOOL_EXECUTE.wireName());
        assertFalse(Operation.MCP.streamable());
        assertFalse(Operation.MCP_TOOL_EXECUTE.streamable());
    }
}
