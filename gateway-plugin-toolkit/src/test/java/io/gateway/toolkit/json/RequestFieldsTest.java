package io.gateway.toolkit.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RequestFieldsTest {

    private static final JsonObject BODY = JsonBodies.parse("""
            {"s":"text","n":12,"big":1e30,"frac":2.5,"two":2.0,"neg":-3,"o":{},"a":[],"z":null,"mode":"fast"}""");

    private static GatewayException invalid(Executable read) {
        GatewayException e = assertThrows(GatewayException.class, read);
        assertEquals(400, e.status());
        return e;
    }

    @Test
    void integersWithinBounds() {
        assertEquals(12, RequestFields.optionalInteger(BODY, "n", 1, 100));
        assertNull(RequestFields.optionalInteger(BODY, "absent", 1, 100));
        assertNull(RequestFields.optionalInteger(BODY, "z", 1, 100), "JSON null is absent");
        assertEquals(7, RequestFields.integer(BODY, "absent", 1, 100, 7));
        assertEquals(-3, RequestFields.optionalInteger(BODY, "neg", Integer.MIN_VALUE, Integer.MAX_VALUE));

        GatewayException range = invalid(() -> RequestFields.optionalInteger(BODY, "n", 1, 10));
        assertEquals("'n' must be an integer from 1 to 10", range.getMessage());
        assertEquals("n", range.param());
        assertEquals("'big' must be a positive integer",
                invalid(() -> RequestFields.optionalInteger(BODY, "big", 1, Integer.MAX_VALUE)).getMessage(),
                "a huge number is out of range, not wrapped");
        assertEquals("'neg' must be an integer of at least 0",
                invalid(() -> RequestFields.optionalInteger(BODY, "neg", 0, Integer.MAX_VALUE)).getMessage());
        invalid(() -> RequestFields.optionalInteger(BODY, "frac", 1, 100));
        invalid(() -> RequestFields.optionalInteger(BODY, "two", 1, 100));
        invalid(() -> RequestFields.optionalInteger(BODY, "s", 1, 100));
    }

    @Test
    void typedFieldsNameTheFieldAtFault() {
        assertEquals("text", RequestFields.string(BODY, "s", "s"));
        assertEquals("messages[0].s", invalid(() -> RequestFields.string(BODY, "absent", "messages[0].s")).param());
        assertEquals("text", RequestFields.optionalString(BODY, "s", "s"));
        assertNull(RequestFields.optionalString(BODY, "z", "z"));
        invalid(() -> RequestFields.optionalString(BODY, "n", "n"));
        assertEquals(12, RequestFields.optionalNumber(BODY, "n").intValue());
        assertEquals("'s' must be a number", invalid(() -> RequestFields.optionalNumber(BODY, "s")).getMessage());
        assertEquals(0, RequestFields.optionalObject(BODY, "o", "o").size());
        invalid(() -> RequestFields.optionalObject(BODY, "a", "a"));
        assertEquals(0, RequestFields.optionalArray(BODY, "a", "a").size());
        assertNull(RequestFields.optionalArray(BODY, "absent", "absent"));
        invalid(() -> RequestFields.optionalArray(BODY, "o", "o"));
    }

    @Test
    void choicesAreOneOfTheAllowedValues() {
        assertEquals("fast", RequestFields.choice(BODY, "mode", "slow", "slow", "fast"));
        assertEquals("slow", RequestFields.choice(BODY, "absent", "slow", "slow", "fast"));
        assertEquals("'mode' must be one of a, b",
                invalid(() -> RequestFields.choice(BODY, "mode", "a", "a", "b")).getMessage());
        invalid(() -> RequestFields.choice(BODY, "n", "a", "a", "b"));
    }
}
