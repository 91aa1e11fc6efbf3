package io.gateway.toolkit.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

class JsonTest {

    private static final JsonObject BODY = JsonBodies.parse("""
            {"s":"text","n":12,"f":2.75,"o":{"inner":"x"},"a":[1,2],"t":true,"z":null}""");

    @Test
    void buildersMakeTheValuesAsked() {
        JsonObject built = Json.object()
                .add("s", Json.string("v"))
                .add("missing", Json.stringOrNull(null))
                .add("long", Json.number(7L))
                .add("double", Json.number(1.5))
                .add("list", Json.array().add(1))
                .build();
        assertEquals("{\"s\":\"v\",\"missing\":null,\"long\":7,\"double\":1.5,\"list\":[1]}", built.toString());
        assertEquals("{\"s\":\"text\",\"extra\":1}",
                Json.object(JsonBodies.parse("{\"s\":\"text\"}")).add("extra", 1).build().toString());
    }

    @Test
    void lenientReadersAnswerNullForAbsentOrOtherTypes() {
        assertEquals("text", Json.text(BODY, "s"));
        assertNull(Json.text(BODY, "n"), "a number is not text");
        assertNull(Json.text(null, "s"));
        assertEquals("x", Json.text(Json.objectField(BODY, "o"), "inner"));
        assertNull(Json.objectField(BODY, "a"));
        assertNull(Json.text(Json.objectField(BODY, "absent"), "inner"), "reads chain through null");
        assertEquals(2, Json.arrayField(BODY, "a").size());
        assertNull(Json.arrayField(BODY, "o"));
        assertEquals(12, Json.longField(BODY, "n", -1));
        assertEquals(2, Json.longField(BODY, "f", -1), "fractions are cut off");
        assertEquals(-1, Json.longField(BODY, "s", -1));
        assertEquals(-1, Json.longField(null, "n", -1));
        assertEquals(12, Json.intField(BODY, "n", 0));
        assertEquals(5, Json.intField(BODY, "z", 5));
    }

    @Test
    void flagsAbsenceAndFallbacks() {
        assertTrue(Json.flag(BODY, "t"));
        assertFalse(Json.flag(BODY, "s"));
        assertFalse(Json.flag(null, "t"));
        assertTrue(Json.absent(null));
        assertTrue(Json.absent(JsonValue.NULL));
        assertFalse(Json.absent(JsonValue.FALSE));
        assertEquals(JsonValue.TRUE, Json.valueOr(BODY, "z", JsonValue.TRUE), "JSON null takes the fallback");
        assertEquals(JsonValue.TRUE, Json.valueOr(BODY, "absent", JsonValue.TRUE));
        assertEquals(Json.string("text"), Json.valueOr(BODY, "s", JsonValue.TRUE));
    }

    @Test
    void parseValueTakesExactlyOneValueOfAnyKind() {
        assertTrue(Json.parseValue("{\"a\":1}") instanceof JsonObject);
        assertTrue(Json.parseValue(" [1, 2] ") instanceof JsonArray);
        assertEquals("x", ((JsonString) Json.parseValue("\"x\"")).getString());
        assertEquals(14, ((JsonNumber) Json.parseValue("14")).intValue());
        assertEquals(JsonValue.NULL, Json.parseValue("null"));
        assertNull(Json.parseValue("14:00"), "trailing content makes the text invalid");
        assertNull(Json.parseValue("{\"a\":1} {}"));
        assertNull(Json.parseValue("{\"a\":"));
        assertNull(Json.parseValue("not json"));
        assertNull(Json.parseValue("   "));
        assertNull(Json.parseValue(null));
    }
}
