package io.gateway.translation.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.GatewayException;
import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

class SchemasTest {

    private static JsonObject convert(String schema) {
        return Schemas.toGemini(JsonBodies.parse(schema), "tools");
    }

    @Test
    void keepsOnlyGeminiFieldsAndUppercasesTypes() {
        JsonObject schema = convert("""
                {"type":"object","title":"T","description":"D","additionalProperties":false,"$id":"x",
                 "properties":{"n":{"type":"integer","minimum":1,"maximum":9,"format":"int32","examples":[3]},
                               "s":{"type":"string","minLength":1,"maxLength":5,"pattern":"^a","default":"a"},
                               "l":{"type":"array","items":{"type":"boolean"},"minItems":1,"uniqueItems":true}},
                 "required":["n","missing"]}""");
        assertEquals("OBJECT", schema.getString("type"));
        assertEquals("T", schema.getString("title"));
        assertFalse(schema.containsKey("additionalProperties"));
        assertFalse(schema.containsKey("$id"));
        JsonObject n = schema.getJsonObject("properties").getJsonObject("n");
        assertEquals("INTEGER", n.getString("type"));
        assertEquals("int32", n.getString("format"));
        assertEquals(1, n.getInt("minimum"));
        assertFalse(n.containsKey("examples"));
        assertEquals("^a", schema.getJsonObject("properties").getJsonObject("s").getString("pattern"));
        JsonObject l = schema.getJsonObject("properties").getJsonObject("l");
        assertEquals("BOOLEAN", l.getJsonObject("items").getString("type"));
        assertFalse(l.containsKey("uniqueItems"));
        assertEquals(1, schema.getJsonArray("required").size(), "required names must be properties");
    }

    @Test
    void unionsBecomeNullableOrAnyOf() {
        JsonObject schema = convert("""
                {"type":"object","properties":{
                  "a":{"type":["number","null"]},
                  "b":{"type":["string","integer"]},
                  "c":{"oneOf":[{"type":"string"},{"type":"object","properties":{"x":{"type":"string"}}}]},
                  "d":{"const":"fixed"}}}""");
        JsonObject properties = schema.getJsonObject("properties");
        assertEquals("NUMBER", properties.getJsonObject("a").getString("type"));
        assertTrue(properties.getJsonObject("a").getBoolean("nullable"));
        assertEquals(2, properties.getJsonObject("b").getJsonArray("anyOf").size());
        assertEquals("OBJECT", properties.getJsonObject("c").getJsonArray("anyOf").getJsonObject(1)
                .getString("type"));
        assertEquals("fixed", properties.getJsonObject("d").getJsonArray("enum").getString(0));
        assertEquals("enum", properties.getJsonObject("d").getString("format"));
    }

    @Test
    void recursiveAndUnresolvableReferencesAnswer400() {
        GatewayException recursive = assertThrows(GatewayException.class, () -> convert("""
                {"$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}}}},
                 "$ref":"#/$defs/node"}"""));
        assertEquals(400, recursive.status());
        assertEquals("tools", recursive.param());
        assertThrows(GatewayException.class, () -> convert("{\"$ref\":\"https://example.com/schema\"}"));
    }

    @Test
    void definitionsAndAllOfAreInlined() {
        JsonObject schema = convert("""
                {"definitions":{"id":{"type":"string","description":"an id"}},
                 "type":"object","properties":{"x":{"allOf":[{"$ref":"#/definitions/id"}],"description":"X"}}}""");
        JsonObject x = schema.getJsonObject("properties").getJsonObject("x");
        assertEquals("STRING", x.getString("type"));
        assertEquals("X", x.getString("description"), "keywords beside the reference win");
    }
}
